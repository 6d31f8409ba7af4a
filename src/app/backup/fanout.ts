import type { Lock, Retention } from "../ports/BackupStore";
import type { JobQueue } from "../ports/JobQueue";
import type { JobStore } from "../ports/JobStore";
import { ProgressMeter, type ProgressSink } from "../progress";
import { ContentDigest } from "../../core/entity/content-digest";
import { tableTime } from "../../core/entity/timestamp";
import { ensureErrorType, LifeboatError } from "../../core/errors";
import { errorText } from "../audit/audited";
import { isTransient } from "../jobs/run-step";
import { KeyLog } from "../../core/keys/key-log";
import { partitionRanges, type PartitionRange } from "../../core/keys/partition-ranges";
import { claimable, fanoutId, rangeTaskId, taskBoundaries, type RangeMode, type RangeResult } from "../../core/jobs/backup-range";
import type { FileRef, TableSegment } from "../../format/manifest";
import type { KeyScanResult, PointTable } from "./backup-table";
import { ORPHAN_MS, readRangeResult, runRangeTask, settle, STALE_MS, type RangePorts } from "./range-task";
import { MAX_RECENT } from "./table-scans";

/** Entities a range task covers, about: a fifth of the fan-out threshold (a million by default, a minute or so of scanning on Azure). */
export function taskEntities(p: Pick<FanoutPorts, "entities" | "taskEntities">): number {
  return p.taskEntities ?? Math.max(1, Math.floor(p.entities / 5));
}

/** Runs of one range task before it fails the backup (as the queue's maxDequeueCount). */
const MAX_ATTEMPTS = 5;
/** How often the coordinator reads the range tasks' records. */
const POLL_MS = 1000;
/** How often it says it is alive (queue runners abandon a fan-out whose backup is quiet for ORPHAN_MS). */
const BEAT_MS = 10_000;

/** What a backup fans a big table's scans out with (the timer functions give it; absent: every scan runs in-process). */
export interface FanoutPorts {
  jobs: JobStore;
  queue: JobQueue;
  /** A table fans out when the latest point holds at least this many of its entities (LIFEBOAT_FANOUT_ENTITIES). */
  entities: number;
  /** The source account backed up ("primary" or "failover"): range tasks check they read the same one. */
  account: string;
  /** Entities per range task (default: a fifth of `entities`). */
  taskEntities?: number;
  pollMs?: number;
  staleMs?: number;
  now?: () => Date;
  /** What the ranges run here may keep of recent rows and keys (tests lower it: see RangePorts). */
  recentLimits?: RangePorts["recentLimits"];
}

/** One table's scan to fan out: what every range task needs to write its part of the point. */
export interface FanoutScan extends PointTable {
  mode: RangeMode;
  /** Keys mode: the change scan's filter time. */
  since: string | null;
  overlapSeconds: number;
  chunkEntities: number;
  csv: boolean;
  retention?: Retention;
  /** The latest point's key files of the table: where the ranges split, and their expected sizes. */
  latestKeys: readonly FileRef[];
  lock: Lock;
  progress: ProgressSink;
  /** Range tasks this backup runs at once while it waits (LIFEBOAT_SCAN_CONCURRENCY; default 1). */
  concurrency?: number;
}

/** Whether a table's scans fan out: fan-out is set up, the latest point holds enough of the table, and its key files split it. */
export function fansOut(fanout: FanoutPorts | undefined, latest: TableSegment | undefined): fanout is FanoutPorts {
  if (!fanout || !latest || fanout.entities <= 0 || latest.keyCount < fanout.entities) return false;
  return taskBoundaries(latest.keys, taskEntities(fanout)).boundaries.length > 0;
}

/**
 * Scans a table as range tasks on the jobs queue: records one task per range (split at the
 * latest point's key files, about `taskEntities` each), queues them, and waits while Function
 * instances run them, running any task nobody has taken (or whose runner went quiet) itself,
 * so the scan finishes even with no other instance. Holds the backup lock throughout.
 * Returns each range with its result, in key order. A range that fails for good fails the backup
 * (BACKUP.RANGE_FAILED): the tasks left are abandoned and nothing is committed; their files
 * are unreferenced, as a crashed backup's, and go with the point's folder.
 */
export async function fanOutScan(ports: FanoutPorts, scan: FanoutScan): Promise<{ range: PartitionRange; result: RangeResult }[]> {
  const { jobs } = ports;
  const now = ports.now ?? (() => new Date());
  const { boundaries, expected } = taskBoundaries(scan.latestKeys, taskEntities(ports));
  const ranges = partitionRanges(boundaries);
  const id = fanoutId(scan.pointId, scan.table, scan.mode);
  const meter = new ProgressMeter(scan.progress, scan.mode === "full" ? "full scan" : "key scan", scan.table, { total: expected.reduce((a, b) => a + b, 0) });
  const rangePorts: RangePorts & { staleMs: number } = {
    jobs,
    source: scan.source,
    repo: scan.repo,
    keys: scan.keys,
    account: ports.account,
    now,
    staleMs: ports.staleMs ?? STALE_MS,
    ...(ports.recentLimits ? { recentLimits: ports.recentLimits } : {}),
  };
  // Tasks this backup runs itself, by id.
  const running = new Map<string, Promise<void>>();
  let ownError: unknown;
  let ranHere = 0;
  let counted = 0;
  let queueNote = "";
  let beat = Date.now();
  try {
    await sweepDeadFanouts(jobs, now());
    await jobs.beatFanout(id, now().toISOString());
    queueNote = await queueTasks(ports, scan, id, ranges, expected, now());
    for (;;) {
      scan.lock.assertHeld();
      if (Date.now() - beat >= BEAT_MS) {
        beat = Date.now();
        await jobs.beatFanout(id, now().toISOString());
      }
      if (ownError !== undefined) throw ownError;
      const tasks = await jobs.listRangeTasks(id);
      const failed = tasks.find((t) => t.state === "failed" || t.state === "abandoned");
      if (failed) throw new LifeboatError("BACKUP.RANGE_FAILED", `table ${scan.table}: range task ${failed.id} (of ${tasks.length}) ${failed.state === "failed" ? `failed: ${failed.error ?? "no reason recorded"}` : "was abandoned"}; nothing of this point is committed, and the next backup takes it again`);
      const read = tasks.reduce((n, t) => n + (t.state === "done" ? (t.result?.entities ?? t.read) : t.read), 0);
      if (read > counted) meter.add(read - counted, 0);
      counted = Math.max(counted, read);
      if (tasks.length === ranges.length && tasks.every((t) => t.state === "done")) {
        meter.done(`${ranges.length} range tasks on the jobs queue${queueNote}, ${ranHere} of them run here (split at the last point's key files)`);
        return await Promise.all(tasks.map(async (t) => ({ range: t.range, result: await readRangeResult(scan.repo, scan.keys, t.result!) })));
      }
      // Idle meanwhile: take tasks nobody took, from the end (the queue's instances start at the
      // front), as many at once as a scan here reads ranges (so it is no slower alone than one process).
      const claimNow = tasks.filter((t) => !running.has(t.id) && claimable(t, now(), rangePorts.staleMs)).reverse().slice(0, Math.max(0, (scan.concurrency ?? 1) - running.size));
      for (const free of claimNow) {
        const run = runRangeTask(rangePorts, id, free.id, "coordinator").then(
          (r) => {
            if (r.ran) ranHere++;
          },
          async (err: unknown) => {
            // Put back for another try (here or on the queue); one that cannot pass, or the fifth, fails the range.
            const retry = isTransient(err) && free.attempts + 1 < MAX_ATTEMPTS;
            await settle(jobs, free, (t) => ({ ...t, state: retry ? "pending" : "failed", [retry ? "lastError" : "error"]: errorText(err) ?? "unknown error", updatedAt: now().toISOString() })).catch((e: unknown) => {
              ownError = e;
            });
          },
        );
        running.set(free.id, run.finally(() => running.delete(free.id)));
      }
      // Looks again after a poll interval, or as soon as a task run here ends.
      await Promise.race([sleep(ports.pollMs ?? POLL_MS), ...running.values()]);
    }
  } catch (err) {
    await abandon(jobs, id, ranges.length, err);
    throw err;
  } finally {
    // A task run here stops at its next page once it is no longer its runner's (abandoned, or finished elsewhere).
    await Promise.all(running.values());
    await jobs.deleteRangeTasks(id).catch(() => undefined);
  }
}

/**
 * Records a task per range and queues a message for each; returns a note on messages that
 * could not be queued (their tasks are left to the waiting backup, which runs what nobody takes).
 */
async function queueTasks(ports: FanoutPorts, scan: FanoutScan, id: string, ranges: readonly PartitionRange[], expected: readonly number[], now: Date): Promise<string> {
  const at = now.toISOString();
  for (const [i, range] of ranges.entries()) {
    await ports.jobs.addRangeTask({
      fanout: id,
      id: rangeTaskId(i),
      pointId: scan.pointId,
      table: scan.table,
      mode: scan.mode,
      range,
      account: ports.account,
      since: scan.since,
      overlapSeconds: scan.overlapSeconds,
      kekId: scan.kek.id,
      ...(scan.retention ? { retention: { until: scan.retention.until.toISOString(), tier: scan.retention.tier } } : {}),
      chunkEntities: scan.chunkEntities,
      csv: scan.mode === "full" && scan.csv,
      state: "pending",
      attempts: 0,
      expected: expected[i] ?? 0,
      read: 0,
      createdAt: at,
      updatedAt: at,
    });
  }
  let unsent = 0;
  for (let i = 0; i < ranges.length; i++) await ports.queue.send({ v: 1, step: "backup-range", fanout: id, range: rangeTaskId(i) }).catch(() => unsent++);
  return unsent > 0 ? ` (${unsent} could not be queued)` : "";
}

/**
 * Deletes the records of fan-outs whose waiting backup died (no beat for ORPHAN_MS: queue
 * runners have abandoned their tasks by then), so the jobs table does not keep them. Best effort.
 */
async function sweepDeadFanouts(jobs: JobStore, now: Date): Promise<void> {
  try {
    for (const f of await jobs.listFanouts()) if (now.getTime() - Date.parse(f.beat) > ORPHAN_MS) await jobs.deleteRangeTasks(f.fanout);
  } catch {
    // The next fan-out sweeps again.
  }
}

/** Marks every unsettled task abandoned (a queued delivery then leaves it), best effort. */
async function abandon(jobs: JobStore, id: string, count: number, reason: unknown): Promise<void> {
  const why = ensureErrorType(reason).message;
  for (let i = 0; i < count; i++) {
    await settle(jobs, { fanout: id, id: rangeTaskId(i) }, (t) => ({ ...t, state: "abandoned", error: `the backup gave up: ${why}`, updatedAt: new Date().toISOString() })).catch(() => undefined);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A full segment from its ranges' results (in key order): files concatenated, counts summed, digests merged, the earliest scan start as the watermark. */
export function fullSegment(results: readonly RangeResult[]): TableSegment {
  const digest = new ContentDigest();
  for (const r of results) if (r.digest) digest.merge(ContentDigest.fromHex(r.digest.hex, r.digest.count));
  const recent = results.some((r) => !r.recent) ? [] : results.flatMap((r) => r.recent ?? []);
  const entities = results.reduce((n, r) => n + r.entities, 0);
  const csv = results.every((r) => r.csv) ? results.flatMap((r) => r.csv!) : undefined;
  return {
    mode: "full",
    since: null,
    watermark: tableTime(new Date(Math.min(...results.map((r) => Date.parse(r.scanStart))))),
    entities,
    tombstones: 0,
    data: results.flatMap((r) => r.data),
    keys: results.flatMap((r) => r.keys),
    keyCount: entities,
    recent: recent.length > MAX_RECENT ? [] : recent,
    contentDigest: digest.hex(),
    ...(csv ? { csv } : {}),
  };
}

/**
 * An incremental's key scan as range tasks: the key files in key order, and the keys found
 * written at or after `since`. A range that found more recent keys than its result keeps is
 * read again here for them alone (a keys-only query of the range from `since`).
 */
export async function fanOutKeyScan(ports: FanoutPorts, scan: FanoutScan): Promise<KeyScanResult> {
  const parts = await fanOutScan(ports, scan);
  const recentKeys = new KeyLog();
  for (const { range, result } of parts) {
    if (result.recentKeys) {
      for (const k of result.recentKeys) recentKeys.add(k);
      continue;
    }
    for await (const page of scan.source.scan(scan.table, { keysOnly: true, partitions: range, ...(scan.since ? { since: scan.since } : {}) })) for (const k of page) recentKeys.add(k);
  }
  return { files: parts.flatMap((p) => p.result.keys), recentKeys };
}
