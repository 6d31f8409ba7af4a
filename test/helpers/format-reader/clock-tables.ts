import type { ScanOptions, TableStore, TableWrite } from "../../../src/app/ports/TableStore";
import type { EntityKey, EntityRecord, PropertyValue } from "../../../src/core/entity/record";

/** A Date as the Table service writes Timestamps: 7 fractional digits. */
export const serviceTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");

/** A table's content without ts/etag, sorted by key: what a restore must give back. */
export type Content = { pk: string; rk: string; props: Record<string, PropertyValue> }[];

/**
 * Tables in memory with a settable clock: a write stamps the entity with the clock as its
 * Timestamp and a fresh ETag, scans filter on Timestamp (`since`) and return keys in the
 * service's order. `afterScan` runs once when a scan of that kind has been read to the end,
 * to simulate writes that land while a backup runs (behind its change scan, or after its key scan).
 */
export class ClockTables implements TableStore {
  readonly tables = new Map<string, Map<string, EntityRecord>>();
  clock = new Date(0);
  readonly afterScan: { change?: () => void; keys?: () => void } = {};
  #etag = 0;

  put(table: string, pk: string, rk: string, props: Record<string, PropertyValue>): void {
    const rows = this.tables.get(table) ?? new Map<string, EntityRecord>();
    this.tables.set(table, rows);
    rows.set(`${pk}\u0000${rk}`, { pk, rk, ts: serviceTime(this.clock), etag: `W/"${++this.#etag}"`, props: { ...props } });
  }

  remove(table: string, pk: string, rk: string): void {
    this.tables.get(table)?.delete(`${pk}\u0000${rk}`);
  }

  content(table: string): Content {
    return this.#sorted(table).map((r) => ({ pk: r.pk, rk: r.rk, props: { ...r.props } }));
  }

  #sorted(table: string): EntityRecord[] {
    const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    return [...(this.tables.get(table)?.values() ?? [])].sort((a, b) => cmp(a.pk, b.pk) || cmp(a.rk, b.rk));
  }

  async listTables(): Promise<string[]> {
    return [...this.tables.keys()].sort();
  }
  async tableExists(t: string): Promise<boolean> {
    return this.tables.has(t);
  }
  async createTable(t: string): Promise<void> {
    if (!this.tables.has(t)) this.tables.set(t, new Map());
  }
  async deleteTable(t: string): Promise<void> {
    this.tables.delete(t);
  }
  async *scan(t: string, o: ScanOptions = {}): AsyncIterable<EntityRecord[]> {
    const { from, before } = o.partitions ?? {};
    const rows = this.#sorted(t).filter((r) => (o.since === undefined || (r.ts ?? "") >= o.since) && (from === undefined || r.pk >= from) && (before === undefined || r.pk < before));
    for (let i = 0; i < rows.length; i += 3) {
      yield rows.slice(i, i + 3).map((r) => (o.keysOnly ? { pk: r.pk, rk: r.rk, ts: r.ts, props: {} } : { ...r, props: { ...r.props } }));
    }
    const kind = o.keysOnly ? "keys" : "change";
    const hook = this.afterScan[kind];
    delete this.afterScan[kind];
    hook?.();
  }
  async read(t: string, k: EntityKey): Promise<EntityRecord | null> {
    const r = this.tables.get(t)?.get(`${k.pk}\u0000${k.rk}`);
    return r ? { ...r, props: { ...r.props } } : null;
  }
  async submitBatch(_t: string, _w: TableWrite[]): Promise<void> {
    throw new Error("not used");
  }
}
