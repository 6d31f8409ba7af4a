import type { TableStore } from "../../src/app/ports/TableStore";
import type { EntityRecord } from "../../src/core/entity/record";

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

/**
 * The real store, whose full scans (not key or change scans) also yield `extra`, in key
 * order on the first page: a backup then holds an entity the service would never have
 * stored (as after a schema change, or a move to a stricter service).
 */
export function withExtraEntity(real: TableStore, extra: EntityRecord): TableStore {
  return withScan(real, (t, o) =>
    o?.keysOnly || o?.since
      ? real.scan(t, o)
      : (async function* () {
          let first = true;
          for await (const page of real.scan(t, o)) {
            yield first ? [...page, extra].sort((a, b) => (a.pk + "\u0000" + a.rk < b.pk + "\u0000" + b.rk ? -1 : 1)) : page;
            first = false;
          }
        })(),
  );
}
