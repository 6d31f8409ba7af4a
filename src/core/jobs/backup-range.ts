import { z } from "zod";
import { jobMessage } from "./job";

/**
 * Backup fan-out: a full scan or an incremental's key scan of a big table split into
 * PartitionKey-range tasks that Function instances run from the jobs queue, while the
 * backup that asked for them (the coordinator: it holds the repository's backup lock)
 * waits, runs tasks nobody took, and commits the point once every range is written.
 * This file holds the task record, the queue message and the pure rules over them.
 */

/** What a range task reads: every entity (a full), or the keys only (an incremental's key scan). */
export type RangeMode = "full" | "keys";

/** What a finished range task wrote; file lists are in key order. */
export interface RangeResult {
  data: FileRefRecord[];
  keys: FileRefRecord[];
  csv?: FileRefRecord[];
  entities: number;
  /** The content digest of the range's entities (full). */
  digest?: { hex: string; count: number };
  /** The scan's start on the service's clock (the point's watermark is the earliest range's). */
  scanStart: string;
  /** Full: entities near the watermark, [key hash, ETag]; null when there were too many to keep. */
  recent?: [string, string][] | null;
  /** Keys: the keys written at or after `since`; null when there were too many (the coordinator reads them itself). */
  recentKeys?: { pk: string; rk: string }[] | null;
}

/**
 * Where a finished task's result is: a sealed JSON file in the repository next to the files
 * it lists (it names customer keys, so it is encrypted like them, not kept in the job table).
 */
export interface RangeResultRef {
  path: string;
  sha256: string;
  bytes: number;
  /** Entities (a full) or keys (a key scan) the range held. */
  entities: number;
}

/** A manifest file reference, as the task record carries it (the manifest's FileRef). */
export interface FileRefRecord {
  path: string;
  sha256: string;
  bytes: number;
  records: number;
  firstPk?: string;
}

export type RangeState = "pending" | "running" | "done" | "failed" | "abandoned";

export interface RangeTaskRecord {
  /** The fan-out (one table of one point): `b-<point id>-<table>-<mode>`. */
  fanout: string;
  /** The range's position, zero-padded: the order its files take in the segment. */
  id: string;
  pointId: string;
  table: string;
  mode: RangeMode;
  range: { from?: string; before?: string };
  /** The source account the coordinator reads (primary or failover): a task finding another active refuses. */
  account: string;
  /** Keys mode: the change scan's filter time (recent keys are those at or after it). */
  since: string | null;
  overlapSeconds: number;
  kekId: string;
  retention?: { until: string; tier: string };
  chunkEntities: number;
  csv: boolean;
  state: RangeState;
  /** Claims so far; each writes its files under its own attempt's names (the repository is append-only). */
  attempts: number;
  /** Entities the range held at the last point (the basis of the percentage), and read so far. */
  expected: number;
  read: number;
  /** Who runs it: "coordinator" or "queue". */
  runner?: string;
  result?: RangeResultRef;
  error?: string;
  /** The last error of a delivery that will be retried (the reason a poison message fails the task with). */
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export const rangeMessage = z.strictObject({ v: z.literal(1), step: z.literal("backup-range"), fanout: z.string().min(1).max(200), range: z.string().min(1).max(20) });
export type RangeMessage = z.infer<typeof rangeMessage>;

/** Every message on the jobs queue: a restore job's steps and backup range tasks. */
export const queueMessage = z.union([jobMessage, rangeMessage]);
export type QueueMessage = z.infer<typeof queueMessage>;

export function fanoutId(pointId: string, table: string, mode: RangeMode): string {
  return `b-${pointId}-${table}-${mode}`;
}

export function rangeTaskId(index: number): string {
  return String(index).padStart(6, "0");
}

/**
 * Boundaries that split a table into range tasks of about `taskEntities` each, from the
 * latest point's key files (their first PartitionKeys and record counts, in key order): a
 * new range starts at the first file whose PartitionKey differs from the range's start once
 * the range holds `taskEntities`. Files without a first key are counted, never split at.
 * Returns the boundaries and each range's expected entities (one more count than boundaries).
 */
export function taskBoundaries(files: readonly { firstPk?: string | undefined; records: number }[], taskEntities: number): { boundaries: string[]; expected: number[] } {
  const boundaries: string[] = [];
  const expected: number[] = [0];
  for (const f of files) {
    const last = boundaries.at(-1);
    if (f.firstPk !== undefined && f.firstPk !== "" && expected.at(-1)! >= taskEntities && (last === undefined || f.firstPk > last)) {
      boundaries.push(f.firstPk);
      expected.push(0);
    }
    expected[expected.length - 1]! += f.records;
  }
  return { boundaries, expected };
}

/** A state no delivery changes any more. */
export const isSettled = (s: RangeState): boolean => s === "done" || s === "failed" || s === "abandoned";

/**
 * Whether a runner may claim the task now: pending, or running without a checkpoint for
 * `staleMs` (its instance died or lost the task). A task running elsewhere and alive is left alone.
 */
export function claimable(t: RangeTaskRecord, now: Date, staleMs: number): boolean {
  if (t.state === "pending") return true;
  return t.state === "running" && now.getTime() - Date.parse(t.updatedAt) >= staleMs;
}
