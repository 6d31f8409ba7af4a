import type { JobRecord, TablePrep, TaskRecord } from "../../core/jobs/job";
import type { RangeTaskRecord } from "../../core/jobs/backup-range";

/** A record with the ETag it was read at: an update with that ETag fails when someone else wrote in between. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/**
 * Where restore jobs keep their state (LIFEBOAT_JOBS_TABLE in the backup account): the
 * job, its tasks and its tables; and a fanned-out backup's range tasks. Updates are conditional on an ETag, so two instances
 * never both move a job on (only one of them finishes it).
 * Errors: storage failures as the store's labelled errors.
 */
export interface JobStore {
  readonly description: string;
  /** Inserts a new job; throws when the id exists. */
  createJob(job: JobRecord): Promise<void>;
  getJob(id: string): Promise<Versioned<JobRecord> | null>;
  /** Writes the job if it is still at `etag`; false when another writer changed it first. */
  updateJob(job: JobRecord, etag: string): Promise<boolean>;
  /** Jobs created at or after `since`, newest first, at most `limit`. */
  listJobs(since: Date, limit: number): Promise<JobRecord[]>;
  /** Inserts the task unless it exists (a redelivered start step keeps the tasks' progress). */
  addTask(jobId: string, task: TaskRecord): Promise<void>;
  getTask(jobId: string, taskId: string): Promise<Versioned<TaskRecord> | null>;
  /** Writes the task if it is still at `etag` (or unconditionally without one); false when it changed. */
  updateTask(jobId: string, task: TaskRecord, etag?: string): Promise<boolean>;
  listTasks(jobId: string): Promise<TaskRecord[]>;
  /** Inserts the table's record unless it exists; returns the stored one. */
  addTable(jobId: string, prep: TablePrep): Promise<TablePrep>;
  updateTable(jobId: string, prep: TablePrep): Promise<void>;
  listTables(jobId: string): Promise<TablePrep[]>;
  /** Inserts a backup range task unless it exists. */
  addRangeTask(task: RangeTaskRecord): Promise<void>;
  getRangeTask(fanout: string, id: string): Promise<Versioned<RangeTaskRecord> | null>;
  /** Writes the range task if it is still at `etag`; false when another writer changed it first. */
  updateRangeTask(task: RangeTaskRecord, etag: string): Promise<boolean>;
  /** A fan-out's range tasks, in range order. */
  listRangeTasks(fanout: string): Promise<RangeTaskRecord[]>;
  /** Removes a fan-out's range tasks and its beat (once its point is committed, or given up). */
  deleteRangeTasks(fanout: string): Promise<void>;
  /** Records that the backup waiting for a fan-out is alive, at `at` (ISO). */
  beatFanout(fanout: string, at: string): Promise<void>;
  /** When the backup waiting for a fan-out last said it was alive; null when it never did (or its records are gone). */
  fanoutBeat(fanout: string): Promise<string | null>;
  /** Every fan-out with records, and its last beat. */
  listFanouts(): Promise<{ fanout: string; beat: string }[]>;
}
