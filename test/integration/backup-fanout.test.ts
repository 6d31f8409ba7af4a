import { InvocationContext, type Timer } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { fullBackup, incrementalBackup } from "../../src/functions/backup";
import { resetServices } from "../../src/functions/shared/runtime";
import { loadConfig } from "../../src/config";
import { createServices, type Services } from "../../src/services";
import { takeBackup } from "../../src/app/backup/take-backup";
import { runBackup } from "../../src/app/backup/run-backup";
import { runRestore } from "../../src/app/restore/run-restore";
import { listPoints, loadManifest } from "../../src/app/repo/catalog";
import { readKeys } from "../../src/app/repo/files";
import { fanoutId } from "../../src/core/jobs/backup-range";
import type { TableSegment } from "../../src/format/manifest";
import type { ProgressEvent } from "../../src/app/progress";
import type { EntityRecord } from "../../src/core/entity/record";
import type { TableStore } from "../../src/app/ports/TableStore";
import type { LifeboatError } from "../../src/core/errors";
import { uniqueTable } from "../helpers/names";
import { jobSettings } from "../helpers/services";
import { deleteFromTable, expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";
import { runJobWorker } from "../helpers/job-worker";
import { caught } from "../helpers/caught";
import { withScan } from "../helpers/store-wrap";

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  resetServices();
});

function context(name: string): { ctx: InvocationContext; lines: string[] } {
  const lines: string[] = [];
  return { ctx: new InvocationContext({ functionName: name, logHandler: (_level, ...args) => lines.push(args.map(String).join(" ")) }), lines };
}

/** The store, with every page of a scan a little late. */
function slowed(store: TableStore, ms: number): TableStore {
  return withScan(store, (t, options) =>
    (async function* () {
      for await (const page of store.scan(t, options)) {
        await new Promise((r) => setTimeout(r, ms));
        yield page;
      }
    })(),
  );
}

async function segmentOf(s: Services, pointId: string, table: string): Promise<TableSegment> {
  return (await loadManifest(s.repo, s.keys, pointId)).tables[table]!;
}

async function keysOf(s: Services, seg: TableSegment): Promise<string[]> {
  const out: string[] = [];
  for await (const k of readKeys(s.repo, s.keys, seg.keys)) out.push(`${k.pk}/${k.rk}`);
  return out;
}

/** A table of 3,000 entities over 12 partitions with a first full taken in one process (the fan-out needs its key files). */
async function bigTable(extra: Record<string, string> = {}): Promise<{ s: Services; table: string; settings: Record<string, string> }> {
  const table = uniqueTable("Fan");
  // Tables from 1,000 entities fan out, in tasks of a fifth of that: a range per key file (400 keys) here.
  const settings = jobSettings([table], { LIFEBOAT_FANOUT_ENTITIES: "1000", ...extra });
  const s = createServices(loadConfig(settings));
  await seedTable(s.source, table, makeRecords(3000, 1, 12));
  const first = await takeBackup(s, { operator: "test", kind: "full", waitForLockSeconds: 0 });
  expect(first.status).toBe("committed");
  resetServices(s);
  return { s, table, settings };
}

describe("backup fan-out over instances (LIFEBOAT_FANOUT_ENTITIES)", () => {
  it("runs a big table's full and key scans as range tasks on the jobs queue; the points hold what one process would take", async () => {
    const { s, table, settings } = await bigTable();
    // Every page takes a little while, so that the queue's instance takes ranges while this backup runs its own.
    resetServices({ ...s, source: slowed(s.source, 300) });
    const worker = runJobWorker(settings);
    stops.push(worker.stop);

    const full = context("fullBackup");
    const r = await fullBackup(timer, full.ctx);
    if (r.status !== "committed") throw new Error(`not committed: ${JSON.stringify(r)}`);
    // The queue's instances ran range tasks; the timer's log says how the table was read.
    expect(worker.lines.some((l) => /range \d{6} written \(\d+ entities\)/.test(l))).toBe(true);
    expect(full.lines.some((l) => /\d+ range tasks on the jobs queue, \d+ of them run here/.test(l))).toBe(true);

    const fanned = await segmentOf(s, r.pointId, table);
    const local = await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, { tables: [table], full: true, overlapSeconds: 60, chunkEntities: 100, csvBackups: true });
    if (local.status !== "committed") throw new Error("local full not committed");
    const one = await segmentOf(s, local.pointId, table);
    expect(fanned.entities).toBe(3000);
    expect(fanned.keyCount).toBe(3000);
    expect(fanned.contentDigest).toBe(one.contentDigest);
    // Each range's files carry the range and the attempt; together they are the table in key order.
    expect(new Set(fanned.data.map((f) => /\/r(\d{6})-a\d+\//.exec(f.path)?.[1])).size).toBeGreaterThan(3);
    expect(await keysOf(s, fanned)).toEqual(await keysOf(s, one));
    expect(fanned.csv?.reduce((n, f) => n + f.records, 0)).toBe(3000);
    expect(fanned.watermark).not.toBeNull();
    // The range tasks' records go once the point is committed.
    expect(await s.jobs!.listRangeTasks(fanoutId(r.pointId, table, "full"))).toEqual([]);

    // An incremental after changes and deletions in several ranges: its key scan fans out.
    await seedTable(s.source, table, makeRecords(40, 2, 12));
    const gone = makeRecords(3000, 1, 12).filter((x) => x.pk === "p02" || x.pk === "p09").slice(0, 60);
    await deleteFromTable(s.source, table, gone);
    const inc = context("incrementalBackup");
    const ri = await incrementalBackup(timer, inc.ctx);
    if (ri.status !== "committed") throw new Error("incremental not committed");
    expect(ri.tombstones).toBe(60);
    expect(inc.lines.some((l) => /key scan.*range tasks on the jobs queue/.test(l))).toBe(true);
    const incSeg = await segmentOf(s, ri.pointId, table);
    expect(incSeg.keyCount).toBe(2940);
    expect(incSeg.keys.every((f) => /\/r\d{6}-a\d+\/k-/.test(f.path))).toBe(true);

    // The chain restores to exactly what the table holds.
    await runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId: ri.pointId, target: { kind: "prefix", prefix: "fo" }, concurrency: 8 });
    const current: EntityRecord[] = [];
    for await (const page of s.source.scan(table)) current.push(...page);
    await expectTableEquals(`fo${table}`, current);
  });

  for (const [name, down] of [
    ["with no other instance", false],
    ["with the jobs queue refusing every message", true],
  ] as const) {
    it(`finishes ${name}: the waiting backup runs every range itself`, async () => {
      const { s, table } = await bigTable();
      // The records of a fan-out whose backup died long ago, and of one whose backup is alive (another repository's).
      const at = new Date().toISOString();
      const plant = async (fanout: string, beat: Date): Promise<void> => {
        await s.jobs!.beatFanout(fanout, beat.toISOString());
        await s.jobs!.addRangeTask({ fanout, id: "000000", pointId: "20261130T010000000Z-fabc123", table, mode: "full", range: {}, account: "primary", since: null, overlapSeconds: 60, kekId: "k", chunkEntities: 100, csv: false, state: "abandoned", attempts: 1, expected: 1, read: 0, createdAt: at, updatedAt: at });
      };
      await plant("b-dead", new Date(Date.now() - 11 * 60_000));
      await plant("b-alive", new Date());
      const events: ProgressEvent[] = [];
      const queue = down ? { description: "a queue that is down", send: () => Promise.reject(new Error("queue down")) } : s.jobQueue!;
      const r = await takeBackup(s, {
        operator: "test",
        kind: "full",
        waitForLockSeconds: 0,
        progress: (e) => events.push(e),
        fanout: { jobs: s.jobs!, queue, entities: 1000, account: "primary", pollMs: 50 },
      });
      if (r.status !== "committed") throw new Error("not committed");
      const last = events.filter((e) => e.phase === "full scan" && e.final).at(-1);
      const m = /^(\d+) range tasks on the jobs queue( \((\d+) could not be queued\))?, (\d+) of them run here/.exec(last?.note ?? "");
      expect(m?.[1]).toBe(m?.[4]);
      expect(m?.[3]).toBe(down ? m?.[1] : undefined);
      expect(Number(m?.[1])).toBeGreaterThan(3);
      expect(last?.done).toBe(3000);
      expect((await segmentOf(s, r.pointId, table)).entities).toBe(3000);
      // A fan-out sweeps the records of backups that died; a live one's stay.
      expect(await s.jobs!.listRangeTasks("b-dead")).toEqual([]);
      expect(await s.jobs!.fanoutBeat("b-dead")).toBeNull();
      expect(await s.jobs!.listRangeTasks("b-alive")).toHaveLength(1);
      expect((await s.jobs!.listFanouts()).map((f) => f.fanout)).toEqual(["b-alive"]);
    });
  }

  it("fails the backup when a range fails for good: nothing committed, the lock let go, the tasks' records gone", async () => {
    const { s, table, settings } = await bigTable();
    const before = (await listPoints(s.repo)).map((p) => p.id);
    // The queue's instances read the primary, but this backup says it reads the failover account:
    // every range they take is refused, as when the active endpoint changes during a backup.
    const worker = runJobWorker(settings);
    stops.push(worker.stop);
    // This backup's own ranges read slowly, so that the queue's instance takes some of them.
    const slow = slowed(s.source, 1000);
    const err = (await caught(takeBackup({ ...s, source: slow }, { operator: "test", kind: "full", waitForLockSeconds: 0, fanout: { jobs: s.jobs!, queue: s.jobQueue!, entities: 1000, account: "failover", pollMs: 100 } }))) as LifeboatError;
    expect(err.code).toBe("BACKUP.RANGE_FAILED");
    expect(err.message).toMatch(/range task \d{6} \(of \d+\) failed: .*the active endpoint changed during the backup/);
    expect((await listPoints(s.repo)).map((p) => p.id)).toEqual(before);
    const partitions = new Set<string>();
    const jobsTable = s.config.jobs.table;
    const { TableClient } = await import("@azure/data-tables");
    const client = TableClient.fromConnectionString(settings.LIFEBOAT_BACKUP!, jobsTable, { allowInsecureConnection: true });
    for await (const e of client.listEntities()) if (String(e.rowKey).startsWith("range-")) partitions.add(String(e.partitionKey));
    expect([...partitions]).toEqual([]);
    // The lock was let go: the next backup runs at once.
    const next = await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, { tables: [table], overlapSeconds: 60, chunkEntities: 100 });
    expect(next.status).toBe("committed");
  });

  for (const [name, recentLimits] of [
    ["kept in the range tasks' results", undefined],
    ["too many to keep, so read again by the waiting backup", { rows: 0, keys: 0 }],
  ] as const) {
    it(`catches an entity re-created behind the change scan when the key scan fans out (recent keys ${name})`, async () => {
      const { s, table } = await bigTable();
      const v1 = makeRecords(3000, 1, 12);
      const victim = v1[1234]!;
      await deleteFromTable(s.source, table, [victim]);
      const recreated = { ...makeRecords(3000, 2, 12)[1234]! };
      // Re-created once the change scan has passed it, before any range's key scan starts (they start at once).
      let recreate: Promise<void> | undefined;
      const source = withScan(s.source, (t, options) => {
        if (!options?.keysOnly) return s.source.scan(t, options);
        recreate ??= seedTable(s.source, table, [recreated]);
        const started = recreate;
        return (async function* () {
          await started;
          yield* s.source.scan(t, options);
        })();
      });
      const r = await takeBackup({ ...s, source }, { operator: "test", kind: "incremental", waitForLockSeconds: 0, fanout: { jobs: s.jobs!, queue: s.jobQueue!, entities: 1000, account: "primary", pollMs: 50, ...(recentLimits ? { recentLimits } : {}) } });
      if (r.status !== "committed") throw new Error("not committed");
      expect(recreate).toBeDefined();
      await runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId: r.pointId, target: { kind: "prefix", prefix: "fl" }, concurrency: 8 });
      await expectTableEquals(`fl${table}`, v1.map((e) => (e.rk === victim.rk ? recreated : e)));
    });
  }
});
