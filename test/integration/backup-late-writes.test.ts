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

/**
 * The source, with hooks around the incremental's keys-only scan: `before` runs after the
 * change scan has passed every entity and before the key scan starts, `after` once it has
 * read every key. `reverse` hands keys-only pages back in descending order (an unsorted service).
 */
function aroundKeyScan(real: TableStore, hooks: { before?: () => Promise<void>; after?: () => Promise<void>; reverse?: boolean }): TableStore {
  return withScan(real, (t, options) => {
    if (!options?.keysOnly) return real.scan(t, options);
    return (async function* () {
      await hooks.before?.();
      for await (const page of real.scan(t, options)) yield hooks.reverse ? [...page].reverse() : page;
      await hooks.after?.();
    })();
  });
}

async function scenario(hooks: (s: ReturnType<typeof testServices>, table: string) => Parameters<typeof aroundKeyScan>[1]) {
  const table = uniqueTable("Late");
  const s = testServices([table], { LIFEBOAT_OVERLAP_SECONDS: "0" });
  const v1 = makeRecords(200, 1, 4);
  await seedTable(s.source, table, v1);
  // The watermark is the service's second before the full's first page: let the seed fall
  // before it, so the incremental's change scan meets none of it and only the hooks' writes count.
  await new Promise((r) => setTimeout(r, 2100));
  const req = { tables: [table], overlapSeconds: 0, chunkEntities: 50 };
  const full = await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, req);
  if (full.status !== "committed") throw new Error("full not committed");
  // Deleted between the two backups: the incremental's change scan cannot see a deletion.
  const victim = v1[37]!;
  await deleteFromTable(s.source, table, [victim]);
  const events: ProgressEvent[] = [];
  const inc = await runBackup({ source: aroundKeyScan(s.source, hooks(s, table)), repo: s.repo, keys: s.keys, progress: (e) => events.push(e) }, req);
  if (inc.status !== "committed") throw new Error("incremental not committed");
  const restoreTo = async (prefix: string): Promise<string> => {
    await runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId: inc.pointId, target: { kind: "prefix", prefix }, concurrency: 4 });
    return `${prefix}${table}`;
  };
  return { s, table, v1, victim, inc, events, restoreTo, late: events.filter((e) => e.phase === "late changes").at(-1) };
}

describe("an entity written behind the incremental's change scan", () => {
  it("deleted before the backup and re-created after the change scan passed it: the point holds the re-created entity", async () => {
    let recreated: EntityRecord | undefined;
    const r = await scenario((s, table) => ({
      before: async () => {
        recreated = { ...makeRecords(200, 2, 4)[37]! };
        await seedTable(s.source, table, [recreated]);
      },
    }));
    expect(r.inc.status === "committed" && r.inc.entities).toBe(1);
    expect(r.late).toMatchObject({ entities: 1, note: "sorted merge" });
    const expected = r.v1.map((e) => (e.rk === r.victim.rk ? recreated! : e));
    await expectTableEquals(await r.restoreTo("rc"), expected);
  });

  it("re-created and deleted again before the point read: the point holds the deletion", async () => {
    const r = await scenario((s, table) => {
      const again = makeRecords(200, 2, 4)[37]!;
      return { before: () => seedTable(s.source, table, [again]), after: () => deleteFromTable(s.source, table, [again]) };
    });
    expect(r.inc.status === "committed" && r.inc.tombstones).toBe(1);
    await expectTableEquals(await r.restoreTo("rd"), r.v1.filter((e) => e.rk !== r.victim.rk));
  });

  it("is found by the key-set fallback when the key scan comes back unsorted", async () => {
    let rewritten: EntityRecord[] = [];
    const r = await scenario((s, table) => ({
      reverse: true,
      before: async () => {
        // The victim re-created and two more written behind the change scan: three keys, out of order.
        rewritten = makeRecords(200, 3, 4).filter((_, i) => i === 37 || i === 38 || i === 150);
        await seedTable(s.source, table, rewritten);
      },
    }));
    expect(r.late?.entities).toBe(3);
    expect(r.late?.note).toMatch(/^key set; recent keys: keys are not in ascending/);
    const byRk = new Map(rewritten.map((e) => [e.rk, e]));
    await expectTableEquals(await r.restoreTo("rf"), r.v1.map((e) => byRk.get(e.rk) ?? e));
  });

  it("an incremental with no writes during it reads nothing back", async () => {
    const r = await scenario(() => ({}));
    expect(r.inc.status === "committed" && [r.inc.entities, r.inc.tombstones]).toEqual([0, 1]);
    expect(r.late?.entities).toBe(0);
  });
});
