/** An entity a restore could not write (or delete) because the service refused it: where, and what the service said. */
export interface RejectedEntity {
  table: string;
  target: string;
  partitionKey: string;
  rowKey: string;
  write: "upsert" | "delete";
  status: number;
  serviceCode?: string;
  property?: string;
  /** The service's message; never the entity's values. */
  reason: string;
}

/** One refused entity in a line: where, which keys, which write, what the service said. */
export function describeRejected(r: RejectedEntity): string {
  return (
    `${r.table} -> ${r.target} PartitionKey ${JSON.stringify(r.partitionKey)} RowKey ${JSON.stringify(r.rowKey)} (${r.write})` +
    `${r.property ? ` property ${JSON.stringify(r.property)}` : ""}: ${r.status}${r.serviceCode ? ` ${r.serviceCode}` : ""}: ${r.reason}`
  );
}
