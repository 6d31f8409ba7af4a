import type { TableStore } from "../../src/app/ports/TableStore";

/** The real store with its `scan` replaced: for a source that behaves in a way Azurite cannot be made to. */
export function withScan(real: TableStore, scan: TableStore["scan"]): TableStore {
  return {
    listTables: () => real.listTables(),
    tableExists: (t) => real.tableExists(t),
    createTable: (t) => real.createTable(t),
    deleteTable: (t) => real.deleteTable(t),
    submitBatch: (t, w) => real.submitBatch(t, w),
    read: (t, k) => real.read(t, k),
    scan,
  };
}
