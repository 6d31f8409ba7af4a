import type { BackupStore, Retention } from "../ports/BackupStore";
import type { JobStore } from "../ports/JobStore";
import type { Kek, KeyProvider } from "../ports/KeyProvider";
import type { TableStore } from "../ports/TableStore";
import { ChunkedWriter } from "../repo/chunked-writer";
import { CsvBackupWriter } from "../csv/csv-backup-writer";
import { noProgress, ProgressMeter, type ProgressSink } from "../progress";
import { scanRanges } from "../tables/range-scan";
import { errorText } from "../audit/audited";
import { ContentDigest } from "../../core/entity/content-digest";
import { tableTime } from "../../core/entity/timestamp";
import { IntegrityError, LifeboatError } from "../../core/errors";
import { sha256Hex } from "../../core/hash";
import { openJson, sealJson } from "../../format/chunk";
import { readChecked } from "../repo/files";
import { KeyLog } from "../../core/keys/key-log";
import { claimable, isSettled, type RangeResult, type RangeResultRef, type RangeTaskRecord } from "../../core/jobs/backup-range";
import { paths } from "../../format/manifest";
import { serviceStart } from "./backup-table";
import { MAX_RECENT, RecentRows, writeFullPages, writeKeyPages } from "./table-scans";

/** How often a running range task writes its count to its record: a record quiet for far longer is taken over. */
export const HEARTBEAT_MS = 5000;
/** A running task without a heartbeat for this long is taken over (its instance died). */
export const STALE_MS = 60_000;
/**
 * A queue runner leaves (abandons) a fan-out's tasks once its waiting backup has not said it
 * is alive for this long. Generous: the beat is stamped by the backup's clock and read by the
 * runner's, and a backup alive but taken for dead would fail.
 */
export const ORPHAN_MS = 10 * 60_000;
/**
 * A range's result holds at most this many recent keys (written since the change scan's
 * filter time): past it, the waiting backup reads them again from the range. Rows near the
 * watermark are kept up to MAX_RECENT, as in one process.
 */
const RESULT_RECENT_KEYS = 50_000;

/** What a range task runs on: the job table, and the source, repository and keys the backup uses. */
export interface RangePorts {
  jobs: JobStore;
  source: TableStore;
  repo: BackupStore;
  keys: KeyProvider;
  /** The source account this runner reads ("primary" or "failover"): a task for another is refused. */
  account: string;
  now?: () => Date;
  staleMs?: number;
  heartbeatMs?: number;
  /**
   * A queue runner's: a task whose waiting backup has not said it is alive for this long is
   * abandoned, not run (its backup died: the point will never be committed). The waiting backup itself leaves it unset.
   */
  orphanAfterMs?: number;
  /** How many rows near the watermark and recent keys a result may carry (tests lower them). */
  recentLimits?: { rows: number; keys: number };
}

const nowOf = (p: RangePorts): Date => (p.now ?? (() => new Date()))();

/** How a runner's call went: it ran the task, or left it (done, failed or running elsewhere). */
export type RangeOutcome = { ran: true; task: RangeTaskRecord } | { ran: false; why: string };

/**
 * Runs one range task if it can be claimed (pending, or running without a heartbeat for
 * `staleMs`): claims it with the record's ETag (so two runners never both claim one
 * attempt), scans its range into files named for the attempt, and records the result
 * unless another runner finished it first. Throws what the scan or the stores throw
 * (a redelivery or the coordinator tries again); a task for another source account fails for good.
 */
export async function runRangeTask(ports: RangePorts, fanout: string, id: string, runner: string, progress?: ProgressSink): Promise<RangeOutcome> {
  const { jobs } = ports;
  const got = await jobs.getRangeTask(fanout, id);
  if (!got) return { ran: false, why: "no such range task (its backup finished or gave up)" };
  if (!claimable(got.value, nowOf(ports), ports.staleMs ?? STALE_MS)) return { ran: false, why: `the task is ${got.value.state}${got.value.state === "running" ? " elsewhere" : ""}` };
  if (got.value.account !== ports.account) {
    throw new LifeboatError("BACKUP.SOURCE_CHANGED", `range task ${fanout}/${id} reads the ${got.value.account} account, but the ${ports.account} account is active now: the active endpoint changed during the backup, which the next backup takes again`);
  }
  const gone = await backupGone(ports, fanout);
  if (gone) {
    await settle(jobs, got.value, (t) => ({ ...t, state: "abandoned", error: gone, updatedAt: nowOf(ports).toISOString() }));
    return { ran: false, why: gone };
  }
  const claimed: RangeTaskRecord = { ...got.value, state: "running", attempts: got.value.attempts + 1, runner, read: 0, updatedAt: nowOf(ports).toISOString() };
  if (!(await jobs.updateRangeTask(claimed, got.etag))) return { ran: false, why: "another runner claimed it first" };

  let read = 0;
  // A runner that lost its task (taken over, abandoned, finished elsewhere) stops at its next page.
  let lost = false;
  const beat = setInterval(() => {
    heartbeat(ports, claimed, read)
      .then((mine) => {
        if (!mine) lost = true;
      })
      .catch(() => undefined);
  }, ports.heartbeatMs ?? HEARTBEAT_MS);
  beat.unref?.();
  let result: RangeResultRef;
  try {
    const into = await destination(ports, claimed);
    result = await writeResult(ports, claimed, into, await scanRange(ports, claimed, into, {
      lost: () => lost,
      read: (n) => {
        read += n;
      },
      progress: progress ?? noProgress,
    }));
  } catch (err) {
    if (err instanceof TaskLost) return { ran: false, why: "the task was taken over, finished elsewhere or abandoned (or its backup is gone) while this runner read it" };
    throw err;
  } finally {
    clearInterval(beat);
  }
  const done = await settle(jobs, claimed, (t) => ({ ...t, state: "done", read: result.entities, result, updatedAt: nowOf(ports).toISOString() }));
  return done ? { ran: true, task: done } : { ran: false, why: "another runner finished it first" };
}

class TaskLost extends Error {}

/** What a runner hears of its scan, and asks of it. */
interface ScanWatch {
  /** Whether the runner lost the task: its scan stops at the next page. */
  lost(): boolean;
  /** Entities read (each page's). */
  read(n: number): void;
  progress: ProgressSink;
}

/** The pages, counted, until the runner loses its task. */
async function* whileMine<T extends readonly unknown[]>(pages: AsyncIterable<T>, watch: ScanWatch): AsyncGenerator<T> {
  for await (const page of pages) {
    if (watch.lost()) throw new TaskLost();
    watch.read(page.length);
    yield page;
  }
}

/** What a task's files are written under: the point's KEK and retention (WORM). */
interface Destination {
  kek: Kek;
  retention: Retention | undefined;
}

async function destination(ports: RangePorts, t: RangeTaskRecord): Promise<Destination> {
  return { kek: await ports.keys.byId(t.kekId), retention: t.retention ? { until: new Date(t.retention.until), tier: t.retention.tier } : undefined };
}

/** Seals the range's result into the repository next to its files; returns where it is. */
async function writeResult(ports: RangePorts, t: RangeTaskRecord, into: Destination, result: RangeResult): Promise<RangeResultRef> {
  const sealed = await sealJson(result, into.kek);
  const path = paths.rangeResult(t.pointId, t.table, t.id, t.attempts);
  await ports.repo.put(path, sealed, { ifNoneMatch: true, ...(into.retention ? { retention: into.retention } : {}) });
  return { path, sha256: sha256Hex(sealed), bytes: sealed.length, entities: result.entities };
}

/**
 * A finished range's result, read back and checked against its record (size, SHA-256, then
 * authenticated on opening). Throws IntegrityError when it does not match, NotFoundError when it is missing.
 */
export async function readRangeResult(repo: BackupStore, keys: KeyProvider, ref: RangeResultRef): Promise<RangeResult> {
  return readChecked(repo, ref.path, async (bytes) => {
    if (bytes.length !== ref.bytes || sha256Hex(bytes) !== ref.sha256) throw new IntegrityError(`${ref.path}: content does not match its range task's record (corrupted or replaced)`, { path: ref.path });
    return (await openJson(bytes, (id) => keys.byId(id))) as RangeResult;
  });
}

/** Why a queue runner should not run a fan-out's tasks (its waiting backup is gone), or null. */
async function backupGone(ports: RangePorts, fanout: string): Promise<string | null> {
  if (ports.orphanAfterMs === undefined) return null;
  const beat = await ports.jobs.fanoutBeat(fanout);
  if (beat !== null && nowOf(ports).getTime() - Date.parse(beat) <= ports.orphanAfterMs) return null;
  return `the backup that queued it is gone (${beat === null ? "no sign of it" : `no sign of it since ${beat}`}): its point will not be committed`;
}

/**
 * Writes the runner's count while its attempt is still the task's; false once it is not (a
 * stale runner's heartbeat changes nothing), or once its waiting backup is gone (then the task is abandoned).
 */
async function heartbeat(ports: RangePorts, mine: RangeTaskRecord, read: number): Promise<boolean> {
  const got = await ports.jobs.getRangeTask(mine.fanout, mine.id);
  if (!got || got.value.state !== "running" || got.value.attempts !== mine.attempts) return false;
  const gone = await backupGone(ports, mine.fanout);
  if (gone) {
    await settle(ports.jobs, mine, (t) => ({ ...t, state: "abandoned", error: gone, updatedAt: nowOf(ports).toISOString() }));
    return false;
  }
  await ports.jobs.updateRangeTask({ ...got.value, read, updatedAt: nowOf(ports).toISOString() }, got.etag);
  return true;
}

/** Applies `change` to the task unless it is settled (done, failed, abandoned); returns the task as written, or null. */
export async function settle(jobs: JobStore, task: Pick<RangeTaskRecord, "fanout" | "id">, change: (t: RangeTaskRecord) => RangeTaskRecord): Promise<RangeTaskRecord | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const got = await jobs.getRangeTask(task.fanout, task.id);
    if (!got || isSettled(got.value.state)) return null;
    const next = change(got.value);
    if (await jobs.updateRangeTask(next, got.etag)) return next;
  }
  throw new LifeboatError("STORE.FAILED", `range task ${task.fanout}/${task.id}: 20 conflicting updates in a row`);
}

/** Ends a range task `failed` with `reason` (the coordinator then fails the backup); a settled task is left as it is. */
export async function failRangeTask(jobs: JobStore, fanout: string, id: string, reason: unknown, now = new Date()): Promise<RangeTaskRecord | null> {
  return settle(jobs, { fanout, id }, (t) => ({ ...t, state: "failed", error: errorText(reason) ?? "unknown error", updatedAt: now.toISOString() }));
}

/**
 * A delivery that failed and will be retried: the task goes back to pending (the redelivery
 * claims it) with the error kept, the reason a poison message fails it with. Never throws.
 */
export async function noteRangeRetry(jobs: JobStore, fanout: string, id: string, reason: unknown, now = new Date()): Promise<void> {
  await settle(jobs, { fanout, id }, (t) => ({ ...t, state: "pending", lastError: errorText(reason) ?? "unknown error", updatedAt: now.toISOString() })).catch(() => undefined);
}

/** Scans the task's range into files of its attempt: every entity (full) or every key (keys). */
async function scanRange(ports: RangePorts, t: RangeTaskRecord, { kek, retention }: Destination, watch: ScanWatch): Promise<RangeResult> {
  const { repo, source } = ports;
  const file = (kind: "d" | "k" | "c") => (seq: number) => paths.rangeFile(t.pointId, t.table, t.id, t.attempts, kind, seq);
  const keys = new ChunkedWriter(repo, kek, file("k"), t.chunkEntities * 4, 3, retention);
  let start = nowOf(ports);
  const overlapMs = t.overlapSeconds * 1000;
  const recent = new RecentRows(tableTime(new Date(start.getTime() - overlapMs)), ports.recentLimits?.rows ?? MAX_RECENT);
  const onServiceTime = (service: Date): void => {
    start = serviceStart(service);
    recent.from = tableTime(new Date(start.getTime() - overlapMs));
  };
  const meter = new ProgressMeter(watch.progress, t.mode === "full" ? "full scan" : "key scan", t.table, { total: t.expected, everyMs: 1000 });
  const pages = whileMine(scanRanges(source, t.table, [t.range], { concurrency: 1, onServiceTime, ...(t.mode === "keys" ? { keysOnly: true } : {}) }), watch);

  if (t.mode === "keys") {
    const recentKeys = new KeyLog();
    const complete = await writeKeyPages(pages, keys, t.since, recentKeys, meter, ports.recentLimits?.keys ?? RESULT_RECENT_KEYS);
    meter.done();
    const keyFiles = await keys.close();
    return { data: [], keys: keyFiles, entities: keyFiles.reduce((n, f) => n + f.records, 0), scanStart: start.toISOString(), recentKeys: complete ? [...recentKeys].map((k) => ({ pk: k.pk, rk: k.rk })) : null };
  }
  const data = new ChunkedWriter(repo, kek, file("d"), t.chunkEntities, 3, retention);
  const csv = t.csv ? new CsvBackupWriter(repo, kek, file("c"), t.chunkEntities, retention) : undefined;
  const digest = new ContentDigest();
  const entities = await writeFullPages(pages, { data, keys, ...(csv ? { csv } : {}), digest }, recent, meter);
  meter.done();
  return {
    data: await data.close(),
    keys: await keys.close(),
    ...(csv ? { csv: await csv.close() } : {}),
    entities,
    digest: { hex: digest.hex(), count: digest.count },
    scanStart: start.toISOString(),
    recent: recent.overflow ? null : recent.rows,
  };
}
