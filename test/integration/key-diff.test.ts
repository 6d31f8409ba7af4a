import { describe, expect, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import type { ProgressEvent } from "../../src/app/progress";
import { runRestore } from "../../src/app/restore/run-restore";
import type { TableStore } from "../../src/app/ports/TableStore";
import type { EntityRecord } from "../../src/core/entity/record";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { withScan } from "../helpers/store-wrap";
import { deleteFromTable, expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";

/** The real store, except that keys-only scans come back in descending order within each page (as an unsorted service would). */
function unsortedKeyScans(real: TableStore): TableStore {
  return withScan(real, (t, options) => {
    if (!options?.keysOnly) return real.scan(t, options);
    return (async function* () {
      for await (const page of real.scan(t, options)) yield [...page].reverse();
    })();
  });
}

/** Records progress events, so a test can see how a phase ran. */
function progressLog(): { events: ProgressEvent[]; sink: (e: ProgressEvent) => void; last: (phase: string) => ProgressEvent | undefined } {
  const events: ProgressEvent[] = [];
  return { events, sink: (e) => events.push(e), last: (phase) => events.filter((e) => e.phase === phase).at(-1) };
}

const awkward: EntityRecord[] = ["emoji😀", "\uffffhigh", "é", "quote'", "per%cent", "Z", "a"].map((rk, i) => ({
  pk: i % 2 ? "😀" : "p'%",
  rk,
  props: { i: ["Int32", String(i)] },
}));

/** A table with a full and an incremental after 20 deletions (awkward keys among them), 5 additions and 5 updates. */
async function scenario(source?: (real: TableStore) => TableStore) {
  const table = uniqueTable("Diff");
  const s = testServices([table]);
  const initial = [...makeRecords(300, 1, 3), ...awkward];
  await seedTable(s.source, table, initial);
  const req = { tables: [table], overlapSeconds: 60, chunkEntities: 50 };
  const full = await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, req);
  if (full.status !== "committed") throw new Error("the full backup did not commit");

  const removed = [...initial.filter((_, i) => i % 17 === 0).slice(0, 17), ...awkward.slice(0, 3)];
  const updated = makeRecords(5, 2, 3, 1); // rows 1–5: none of them among the removed (every 17th)
  const added = makeRecords(5, 1, 3, 1000);
  await deleteFromTable(s.source, table, removed);
  await seedTable(s.source, table, [...updated, ...added]);
  const gone = new Set(removed.map((r) => `${r.pk}\u0000${r.rk}`));
  const byKey = new Map(initial.filter((r) => !gone.has(`${r.pk}\u0000${r.rk}`)).map((r) => [`${r.pk}\u0000${r.rk}`, r]));
  for (const r of [...updated, ...added]) byKey.set(`${r.pk}\u0000${r.rk}`, r);

  const log = progressLog();
  const inc = await runBackup({ source: source ? source(s.source) : s.source, repo: s.repo, keys: s.keys, progress: log.sink }, req);
  if (inc.status !== "committed") throw new Error("the incremental did not commit");
  return { table, s, initial, latest: [...byKey.values()], removed, added, full, inc, log };
}

describe("an incremental's deletions", () => {
  it("are found by a sorted merge of the previous point's keys with the key scan", async () => {
    const { table, s, latest, removed, inc, log } = await scenario();
    expect(log.last("deletions")).toMatchObject({ table, entities: removed.length, note: "sorted merge" });
    expect(inc.tombstones).toBe(removed.length);
    await runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId: inc.pointId, target: { kind: "prefix", prefix: "dm" }, concurrency: 4 });
    await expectTableEquals(`dm${table}`, latest);
  });

  it("are the same through the key-set fallback when the service returns keys out of order", async () => {
    const { table, s, latest, removed, inc, log } = await scenario(unsortedKeyScans);
    expect(log.last("deletions")).toMatchObject({
      table,
      entities: removed.length,
      note: "key set; key scan: keys are not in ascending (PartitionKey, RowKey) order",
    });
    expect(inc.tombstones).toBe(removed.length);
    await runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId: inc.pointId, target: { kind: "prefix", prefix: "dk" }, concurrency: 4 });
    await expectTableEquals(`dk${table}`, latest);
  });
});

describe("restoring into a table that already exists", () => {
  it("sweeps what the point does not hold, by a sorted merge or, for unsorted keys, a key set", async () => {
    const { table, s, initial, latest, removed, added, full, inc } = await scenario();
    const target = `rx${table}`;
    const stray: EntityRecord[] = [
      { pk: "p00", rk: "stray", props: {} },
      { pk: "😀", rk: "zz stray", props: {} },
    ];
    const restore = async (pointId: string, store: TableStore = s.source) => {
      const log = progressLog();
      const r = await runRestore({ source: store, repo: s.repo, keys: s.keys, progress: log.sink }, { pointId, target: { kind: "prefix", prefix: "rx" }, concurrency: 4 });
      return { r, sweep: log.last("sweep") };
    };

    // The full point, fresh: nothing to sweep.
    const first = await restore(full.pointId);
    expect(first.sweep).toBeUndefined();
    expect(first.r.tables[0]!.deleted).toBe(0);
    await seedTable(s.source, target, stray);

    // The incremental over it: its tombstones and the strays go.
    const second = await restore(inc.pointId);
    expect(second.sweep).toMatchObject({ entities: removed.length + stray.length, note: "sorted merge" });
    expect(second.r.tables[0]!.deleted).toBe(removed.length + stray.length);
    await expectTableEquals(target, latest);

    // Back to the full with the target's keys scanned out of order: the additions and new strays go.
    await seedTable(s.source, target, stray);
    const third = await restore(full.pointId, unsortedKeyScans(s.source));
    expect(third.sweep?.note).toBe("key set; target scan: keys are not in ascending (PartitionKey, RowKey) order");
    expect(third.r.tables[0]!.deleted).toBe(added.length + stray.length);
    await expectTableEquals(target, initial);
  });
});
