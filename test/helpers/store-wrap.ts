import type { TableStore } from "../../src/app/ports/TableStore";

/** The real store with some methods replaced: for a store that behaves in a way Azurite cannot be made to. */
export function overriding(real: TableStore, replaced: Partial<TableStore>): TableStore {
  return {
    listTables: () => real.listTables(),
    tableExists: (t) => real.tableExists(t),
    createTable: (t) => real.createTable(t),
    deleteTable: (t) => real.deleteTable(t),
    submitBatch: (t, w) => real.submitBatch(t, w),
    read: (t, k) => real.read(t, k),
    scan: (t, o) => real.scan(t, o),
    ...replaced,
  };
}

/** The real store with its `scan` replaced. */
export function withScan(real: TableStore, scan: TableStore["scan"]): TableStore {
  return overriding(real, { scan });
}
