import { z } from "zod";
import type { RejectedEntity } from "../entity/rejected";

/**
 * Restore jobs: a restore split into tasks that Function instances run from a Storage
 * queue. This file holds the records kept of a job and its tasks, the queue messages,
 * and the pure rules over them (no I/O).
 */

export type JobState = "queued" | "running" | "verifying" | "succeeded" | "failed";
export const JOB_STATES: readonly JobState[] = ["queued", "running", "verifying", "succeeded", "failed"];
export const isFinished = (s: JobState): boolean => s === "succeeded" || s === "failed";

/** The restore a job carries out, as submitted (validated). */
export interface RestoreJobRequest {
  at?: string;
  pointId?: string;
  tables?: string[];
  containers?: string[];
  target: { kind: "prefix"; prefix: string } | { kind: "inPlace" };
  from: "primary" | "secondary" | "auto";
}

/** What is checked of each table once all its tasks are done. */
export interface TableVerification {
  table: string;
  target: string;
  entities: number;
  digest: string;
  deleted: number;
}

export interface JobRecord {
  id: string;
  kind: "restore";
  state: JobState;
  operator: string;
  request: RestoreJobRequest;
  /** The point chosen at submission: every delivery restores the same one. */
  pointId: string;
  pointTime: string;
  note?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The safety backup an in-place job took before writing (taken once). */
  safetyPointId?: string;
  /** Tasks the job fanned out into (0 until it started). */
  tasks: number;
  /** Why the job failed (a code and message; never a secret or an entity value). */
  error?: string;
  /** The last error of a delivery that will be retried: the reason a poison message ends the job with. */
  lastError?: string;
  /** Deliveries of the job's steps that failed and were left to the queue to retry. */
  failedDeliveries?: number;
  verification?: TableVerification[];
  containers?: { container: string; target: string; files: number; bytes: number; deleted: number }[];
}

export type TaskKind = "changes" | "file" | "container";

export interface TaskRecord {
  id: string;
  kind: TaskKind;
  /** The table (changes, file) or container the task restores, and where to. */
  name: string;
  target: string;
  /** The full segment's file index (kind file). */
  file?: number;
  state: "pending" | "running" | "done";
  /** Records the task reads (from the manifests): the basis of the percentage. */
  records: number;
  /** Records read so far (checkpointed every few seconds while running). */
  read: number;
  entities: number;
  bytes: number;
  attempts: number;
  /** The digest of what the task wrote, to add up the table's expected content. */
  digest?: { hex: string; count: number };
  /** The refused upserts' digest and the refused deletes' keys: the verification allows for them. */
  refusedUpserts?: { hex: string; count: number };
  refusedDeletes?: { pk: string; rk: string }[];
  rejected?: RejectedEntity[];
  /** A full-file task: the file's first PartitionKey (the final step's verification splits the table there). */
  firstPk?: string;
  /** A container task: blobs the target held that the point does not (removed). */
  deleted?: number;
  updatedAt: string;
}

/** A table's own record in a job: whether the target existed before (then it is swept), and its verification. */
export interface TablePrep {
  table: string;
  target: string;
  fresh: boolean;
  verified?: TableVerification;
}

/** Task ids sort by table, changes before files. */
export function taskId(kind: TaskKind, name: string, file?: number): string {
  return kind === "container" ? `c-${name}` : kind === "changes" ? `t-${name}-changes` : `t-${name}-f${String(file ?? 0).padStart(6, "0")}`;
}

export const jobMessage = z.discriminatedUnion("step", [
  z.strictObject({ v: z.literal(1), job: z.string().min(1).max(64), step: z.literal("start") }),
  z.strictObject({ v: z.literal(1), job: z.string().min(1).max(64), step: z.literal("task"), task: z.string().min(1).max(200) }),
  z.strictObject({ v: z.literal(1), job: z.string().min(1).max(64), step: z.literal("finish") }),
]);
export type JobMessage = z.infer<typeof jobMessage>;

const JOB_ID = /^r[0-9]{8}t[0-9]{6}-[0-9a-f]{6}$/;

/** A job id sorts by creation time: `r20261130t191800-a1b2c3`. */
export function newJobId(at: Date, random: string): string {
  const iso = at.toISOString();
  return `r${iso.slice(0, 10).replace(/-/g, "")}t${iso.slice(11, 19).replace(/:/g, "")}-${random.slice(0, 6)}`;
}

export function isJobId(s: string): boolean {
  return JOB_ID.test(s);
}

/** One table's (or container's) progress in a job, summed over its tasks. */
export interface ItemProgress {
  name: string;
  target: string;
  kind: "table" | "container";
  tasks: number;
  done: number;
  records: number;
  read: number;
  entities: number;
  bytes: number;
  percent: number;
  verified: boolean;
  rejected: number;
}

/** Each table's and container's progress, from the task records (and the table records' verifications). */
export function jobProgress(tasks: readonly TaskRecord[], preps: readonly TablePrep[]): ItemProgress[] {
  const items = new Map<string, ItemProgress>();
  for (const t of tasks) {
    const kind = t.kind === "container" ? "container" : "table";
    const key = `${kind}:${t.name}`;
    const it = items.get(key) ?? { name: t.name, target: t.target, kind, tasks: 0, done: 0, records: 0, read: 0, entities: 0, bytes: 0, percent: 0, verified: false, rejected: 0 };
    it.tasks++;
    if (t.state === "done") it.done++;
    it.records += t.records;
    it.read += t.state === "done" ? t.records : Math.min(t.read, t.records);
    it.entities += t.entities;
    it.bytes += t.bytes;
    it.rejected += (t.refusedUpserts?.count ?? 0) + (t.refusedDeletes?.length ?? 0);
    items.set(key, it);
  }
  for (const p of preps) {
    const key = `table:${p.table}`;
    const it = items.get(key) ?? { name: p.table, target: p.target, kind: "table" as const, tasks: 0, done: 0, records: 0, read: 0, entities: 0, bytes: 0, percent: 0, verified: false, rejected: 0 };
    it.verified = p.verified !== undefined;
    items.set(key, it);
  }
  for (const it of items.values()) {
    it.percent = it.records > 0 ? Math.floor((1000 * it.read) / it.records) / 10 : it.done === it.tasks ? 100 : 0;
    if (it.kind === "container") it.verified = it.done === it.tasks;
  }
  return [...items.values()].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "table" ? -1 : 1));
}
