import type { EntityKey, EntityRecord } from "../../core/entity/record";

/** One write in an entity-group transaction: all of a batch share one partition key. */
export type TableWrite =
  | { kind: "upsert"; record: EntityRecord }
  | { kind: "delete"; key: EntityKey };

export interface ScanOptions {
  /** Only entities whose Timestamp is at or after this ISO-8601 instant. */
  since?: string;
  /** Only PartitionKey, RowKey and Timestamp (the props of returned records are empty). */
  keysOnly?: boolean;
  /** Entities per service page (max 1000). */
  pageSize?: number;
}

/**
 * Azure Table Storage as Lifeboat sees it: exact records in, exact records out.
 * Errors: a missing table throws NotFoundError (code TABLE.NOT_FOUND); throttling and
 * timeouts are retried inside the adapter and surface only when retries are exhausted.
 */
export interface TableStore {
  /** Every table name in the account, sorted. */
  listTables(): Promise<string[]>;
  /** True when the table exists. */
  tableExists(table: string): Promise<boolean>;
  /** Creates the table; does nothing when it exists. */
  createTable(table: string): Promise<void>;
  /** Deletes the table; does nothing when it is missing. */
  deleteTable(table: string): Promise<void>;
  /**
   * Streams the table page by page in the service's order (PartitionKey, RowKey).
   * Throws NotFoundError when the table is missing.
   */
  scan(table: string, options?: ScanOptions): AsyncIterable<EntityRecord[]>;
  /**
   * The entity's current state (a point read), or null when it does not exist.
   * Throws NotFoundError (TABLE.NOT_FOUND) when the table is missing.
   */
  read(table: string, key: EntityKey): Promise<EntityRecord | null>;
  /**
   * Applies up to 100 writes of one partition atomically (< 4 MiB in total).
   * Upserts replace the whole entity; deleting a missing entity is not an error.
   */
  submitBatch(table: string, writes: TableWrite[]): Promise<void>;
}
