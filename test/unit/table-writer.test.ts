import { describe, expect, it } from "vitest";
import { BatchRejectedError, TransientWriteError, type ScanOptions, type TableStore, type TableWrite } from "../../src/app/ports/TableStore";
import { RetryingTableStore } from "../../src/adapters/retrying-table-store";
import { TableWriter } from "../../src/app/tables/table-writer";
import type { EntityKey, EntityRecord } from "../../src/core/entity/record";

/** An in-memory TableStore that records every batch and how many were in flight. */
class FakeTableStore implements TableStore {
  readonly tables = new Map<string, Map<string, EntityRecord>>();
  readonly batches: { table: string; writes: TableWrite[] }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Writes handed to submitBatch so far (counted at call time). */
  submittedWrites = 0;
  delayMs = 0;
  failWhen: ((writes: TableWrite[], n: number) => Error | undefined) | undefined;

  listTables(): Promise<string[]> {
    return Promise.resolve([...this.tables.keys()].sort());
  }
  tableExists(table: string): Promise<boolean> {
    return Promise.resolve(this.tables.has(table));
  }
  createTable(table: string): Promise<void> {
    if (!this.tables.has(table)) this.tables.set(table, new Map());
    return Promise.resolve();
  }
  deleteTable(table: string): Promise<void> {
    this.tables.delete(table);
    return Promise.resolve();
  }
  async *scan(table: string, _options?: ScanOptions): AsyncIterable<EntityRecord[]> {
    const t = this.tables.get(table);
    if (!t) throw new Error(`no table ${table}`);
    yield [...t.values()];
  }
  read(table: string, k: EntityKey): Promise<EntityRecord | null> {
    return Promise.resolve(this.tables.get(table)?.get(`${k.pk}\0${k.rk}`) ?? null);
  }
  async submitBatch(table: string, writes: TableWrite[]): Promise<void> {
    const n = this.batches.length;
    this.batches.push({ table, writes: [...writes] });
    this.submittedWrites += writes.length;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      const err = this.failWhen?.(writes, n);
      if (err) throw err;
      const t = this.tables.get(table);
      if (!t) throw new Error(`no table ${table}`);
      for (const w of writes) {
        if (w.kind === "upsert") t.set(`${w.record.pk}\0${w.record.rk}`, w.record);
        else t.delete(`${w.key.pk}\0${w.key.rk}`);
      }
    } finally {
      this.inFlight--;
    }
  }
}

const pkOf = (w: TableWrite): string => (w.kind === "upsert" ? w.record.pk : w.key.pk);
const upsert = (pk: string, i: number): TableWrite => ({ kind: "upsert", record: { pk, rk: `r${String(i).padStart(6, "0")}`, props: { i: ["Int32", String(i)] } } });

function expectWellFormed(batches: { writes: TableWrite[] }[]): void {
  for (const b of batches) {
    expect(b.writes.length).toBeGreaterThan(0);
    expect(b.writes.length).toBeLessThanOrEqual(100);
    expect(new Set(b.writes.map(pkOf)).size).toBe(1);
  }
}

describe("TableWriter", () => {
  it("groups writes into batches of at most 100, one partition each, and writes them all", async () => {
    const store = new FakeTableStore();
    await store.createTable("T");
    const w = new TableWriter(store, "T", 4);
    // Interleaved partitions: 250 for A, 30 for B, 101 for C, 1 for D.
    const plan: [string, number][] = [["A", 250], ["B", 30], ["C", 101], ["D", 1]];
    const queue: string[] = [];
    for (const [pk, n] of plan) for (let i = 0; i < n; i++) queue.push(pk);
    for (let i = 0; i < queue.length; i++) queue.push(queue.splice(Math.floor((i * 7919) % queue.length), 1)[0]!);
    let i = 0;
    for (const pk of queue) await w.add(pk, upsert(pk, i++), 100);
    await w.flush();

    expectWellFormed(store.batches);
    expect(store.batches.every((b) => b.table === "T")).toBe(true);
    expect(w.written).toBe(382);
    expect(store.tables.get("T")!.size).toBe(382);
    const perPk = new Map<string, number>();
    for (const b of store.batches) perPk.set(pkOf(b.writes[0]!), (perPk.get(pkOf(b.writes[0]!)) ?? 0) + b.writes.length);
    expect(Object.fromEntries(perPk)).toEqual({ A: 250, B: 30, C: 101, D: 1 });
    // A full partition goes out as a full batch: 250 → 100 + 100 + 50.
    expect(store.batches.filter((b) => pkOf(b.writes[0]!) === "A").map((b) => b.writes.length).sort((x, y) => y - x)).toEqual([100, 100, 50]);
  });

  it("keeps a batch under the 4 MiB transaction limit", async () => {
    const store = new FakeTableStore();
    await store.createTable("T");
    const w = new TableWriter(store, "T", 2);
    const MiB = 1024 * 1024;
    for (let i = 0; i < 10; i++) await w.add("big", upsert("big", i), MiB);
    await w.flush();
    expectWellFormed(store.batches);
    for (const b of store.batches) expect(b.writes.length * MiB).toBeLessThan(4 * MiB);
    expect(w.written).toBe(10);
  });

  it("never has more than `concurrency` batches in flight, and does use the parallelism", async () => {
    const store = new FakeTableStore();
    store.delayMs = 5;
    await store.createTable("T");
    const w = new TableWriter(store, "T", 3);
    for (let i = 0; i < 2000; i++) await w.add(`p${i % 20}`, upsert(`p${i % 20}`, i), 50);
    await w.flush();
    expect(store.maxInFlight).toBeLessThanOrEqual(3);
    expect(store.maxInFlight).toBe(3);
    expect(store.inFlight).toBe(0);
    expect(w.written).toBe(2000);
    expectWellFormed(store.batches);
  });

  it("concurrency 1 means strictly one batch at a time", async () => {
    const store = new FakeTableStore();
    store.delayMs = 2;
    await store.createTable("T");
    const w = new TableWriter(store, "T", 1);
    for (let i = 0; i < 500; i++) await w.add(`p${i % 7}`, upsert(`p${i % 7}`, i), 50);
    await w.flush();
    expect(store.maxInFlight).toBe(1);
    expect(w.written).toBe(500);
  });

  it("a failing batch makes flush() throw that error", async () => {
    const store = new FakeTableStore();
    store.delayMs = 1;
    await store.createTable("T");
    const boom = new Error("503 ServerBusy after retries");
    store.failWhen = (writes) => (pkOf(writes[0]!) === "p3" ? boom : undefined);
    const w = new TableWriter(store, "T", 4);
    let thrownByAdd: unknown;
    try {
      for (let i = 0; i < 300; i++) await w.add(`p${i % 5}`, upsert(`p${i % 5}`, i), 50);
    } catch (err) {
      thrownByAdd = err; // add() may already report it; flush() must too
    }
    if (thrownByAdd !== undefined) expect(thrownByAdd).toBe(boom);
    await expect(w.flush()).rejects.toBe(boom);
    expect(w.written).toBeLessThan(300);
  });

  it("a failure in the very last batch is still reported by flush()", async () => {
    const store = new FakeTableStore();
    await store.createTable("T");
    const boom = new Error("the last one fails");
    store.failWhen = (writes) => (writes.some((x) => x.kind === "upsert" && x.record.rk === "r000009") ? boom : undefined);
    const w = new TableWriter(store, "T", 2);
    for (let i = 0; i < 10; i++) await w.add("only", upsert("only", i), 10);
    await expect(w.flush()).rejects.toBe(boom);
    expect(w.written).toBe(0);
  });

  it("never buffers more than maxBuffered writes across partitions", async () => {
    const store = new FakeTableStore();
    await store.createTable("T");
    const maxBuffered = 50;
    const w = new TableWriter(store, "T", 2, maxBuffered);
    let added = 0;
    let peak = 0;
    for (let i = 0; i < 1000; i++) {
      // Many partitions, none of which fills a batch on its own quickly.
      await w.add(`p${i % 37}`, upsert(`p${i % 37}`, i), 50);
      added++;
      const buffered = added - store.submittedWrites;
      peak = Math.max(peak, buffered);
      expect(buffered).toBeLessThanOrEqual(maxBuffered);
    }
    expect(peak).toBeGreaterThan(maxBuffered / 2);
    await w.flush();
    expect(w.written).toBe(1000);
    expectWellFormed(store.batches);
  });

  it("a buffer full of partial partitions does not turn the writes that follow into tiny transactions", async () => {
    // A restore's shape: the incrementals' changes first (a few keys in each of many
    // partitions, more than the buffer holds), then the full segment partition by partition.
    const store = new FakeTableStore();
    await store.createTable("T");
    const maxBuffered = 500;
    const w = new TableWriter(store, "T", 4, maxBuffered);
    let n = 0;
    for (let round = 0; round < 10; round++) for (let p = 0; p < 100; p++) await w.add(`p${p}`, upsert(`p${p}`, n++), 10);
    for (let p = 0; p < 20; p++) for (let i = 0; i < 1000; i++) await w.add(`full${p}`, upsert(`full${p}`, n++), 10);
    await w.flush();
    expect(w.written).toBe(n);
    expectWellFormed(store.batches);
    // 20 × 1000 full-segment writes need 200 transactions; the 1,000 changes at most one per partition touched
    // by a drain (100) plus those drained early. Draining only back to the cap sent ~10,000 here.
    const fullBatches = store.batches.filter((b) => pkOf(b.writes[0] as TableWrite).startsWith("full")).length;
    expect(fullBatches).toBeLessThanOrEqual(220);
    expect(store.batches.length).toBeLessThanOrEqual(500);
  });

  it("flush() with nothing buffered does nothing; deletes are batched like upserts", async () => {
    const store = new FakeTableStore();
    await store.createTable("T");
    const w = new TableWriter(store, "T", 2);
    await w.flush();
    expect(store.batches).toEqual([]);
    for (let i = 0; i < 150; i++) await w.add("d", { kind: "delete", key: { pk: "d", rk: `r${i}` } }, 64);
    await w.flush();
    expect(store.batches.map((b) => b.writes.length)).toEqual([100, 50]);
    expect(w.written).toBe(150);
  });

  describe("a write the service refuses for good", () => {
    const bad = (writes: TableWrite[]): number => writes.findIndex((x) => x.kind === "upsert" && x.record.props.bad !== undefined);
    const poisoned = (i: number): TableWrite => {
      const w = upsert("p0", i);
      return w.kind === "upsert" && i === 37 ? { kind: "upsert", record: { ...w.record, props: { ...w.record.props, bad: ["String", "secret value"] } } } : w;
    };

    it("is isolated by halving the transaction: every other write lands, the report names it without its values", async () => {
      const store = new FakeTableStore();
      await store.createTable("T");
      store.failWhen = (writes) => (bad(writes) >= 0 ? new BatchRejectedError(400, "InvalidInput", "One of the request inputs is not valid.", true) : undefined);
      const writer = new TableWriter(store, "T", 4);
      for (let i = 0; i < 100; i++) await writer.add("p0", poisoned(i), 100);
      await writer.flush();
      expect(store.tables.get("T")!.size).toBe(99);
      expect(writer.written).toBe(99);
      expect(writer.rejected.map((r) => [r.write.kind === "upsert" && r.write.record.rk, r.status, r.serviceCode, r.reason])).toEqual([
        ["r000037", 400, "InvalidInput", "One of the request inputs is not valid."],
      ]);
      // The batch, then both halves at each of six halvings (100 → 50 → 25 → 13 → 6 → 3 → 1): 13 transactions, not 100 single writes.
      expect(store.batches.length).toBe(13);
      expect(writer.requests).toBe(13);
      expect(JSON.stringify(writer.rejected.map((r) => r.reason))).not.toContain("secret value");
    });

    it("is split out at once when the service names its index", async () => {
      const store = new FakeTableStore();
      await store.createTable("T");
      store.failWhen = (writes) => {
        const i = bad(writes);
        return i >= 0 ? new BatchRejectedError(400, "PropertyValueTooLarge", "The property 'bad' value exceeds the maximum allowed size (64KB).", true, i) : undefined;
      };
      const writer = new TableWriter(store, "T", 4);
      for (let i = 0; i < 100; i++) await writer.add("p0", poisoned(i), 100);
      await writer.flush();
      expect(store.tables.get("T")!.size).toBe(99);
      expect(store.batches.length).toBe(3); // the batch, the blamed write alone, the other 99
      expect(writer.rejected[0]).toMatchObject({ status: 400, serviceCode: "PropertyValueTooLarge", property: "bad" });
    });

    it("a refusal that is not definite (a batch that kept failing with 500) is split, but a single write failing so stops the writer", async () => {
      const store = new FakeTableStore();
      await store.createTable("T");
      store.failWhen = (writes) => (bad(writes) >= 0 ? new BatchRejectedError(500, undefined, "server error", false) : undefined);
      const writer = new TableWriter(store, "T", 4);
      for (let i = 0; i < 100; i++) await writer.add("p0", poisoned(i), 100);
      await expect(writer.flush()).rejects.toBeInstanceOf(BatchRejectedError);
      expect(writer.rejected).toEqual([]);
    });
  });

  describe("RetryingTableStore", () => {
    const noSleep = { maxRetries: 8, serverErrorRetries: 2, baseDelayMs: 250, maxDelayMs: 30_000 };

    it("retries throttling with growing back-off until it passes", async () => {
      const store = new FakeTableStore();
      await store.createTable("T");
      store.failWhen = (_w, n) => (n < 3 ? new TransientWriteError(429, "throttled") : undefined);
      const slept: number[] = [];
      const retrying = new RetryingTableStore(store, { ...noSleep, sleep: async (ms) => void slept.push(ms) });
      await retrying.submitBatch("T", [upsert("p0", 1)]);
      expect(store.batches.length).toBe(4);
      expect(slept).toHaveLength(3);
      expect(slept[0]!).toBeGreaterThanOrEqual(125);
      expect(slept[0]!).toBeLessThanOrEqual(250);
      expect(slept[2]!).toBeGreaterThanOrEqual(500);
      expect(store.tables.get("T")!.size).toBe(1);
    });

    it("gives up after maxRetries with the last error", async () => {
      const store = new FakeTableStore();
      await store.createTable("T");
      store.failWhen = () => new TransientWriteError(503, "busy");
      const retrying = new RetryingTableStore(store, { ...noSleep, sleep: async () => undefined });
      await expect(retrying.submitBatch("T", [upsert("p0", 1)])).rejects.toThrow("busy");
      expect(store.batches.length).toBe(9);
    });

    it("never resends a batch the service refused for its content", async () => {
      const store = new FakeTableStore();
      await store.createTable("T");
      store.failWhen = () => new BatchRejectedError(400, "InvalidInput", "bad", true);
      const retrying = new RetryingTableStore(store, { ...noSleep, sleep: async () => undefined });
      await expect(retrying.submitBatch("T", [upsert("p0", 1), upsert("p0", 2)])).rejects.toBeInstanceOf(BatchRejectedError);
      expect(store.batches.length).toBe(1);
    });

    it("a transaction that keeps failing with 500 comes back as a refusal to split; a single write as the service's failure", async () => {
      const store = new FakeTableStore();
      await store.createTable("T");
      store.failWhen = () => new TransientWriteError(500, "Transaction Failed");
      const retrying = new RetryingTableStore(store, { ...noSleep, sleep: async () => undefined });
      const err = await retrying.submitBatch("T", [upsert("p0", 1), upsert("p0", 2)]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BatchRejectedError);
      expect((err as BatchRejectedError).definite).toBe(false);
      expect(store.batches.length).toBe(3);
      await expect(retrying.submitBatch("T", [upsert("p0", 1)])).rejects.toBeInstanceOf(TransientWriteError);
    });
  });
});
