import { randomBytes } from "node:crypto";
import type { AppContext } from "../context";
import type { JobQueue } from "../ports/JobQueue";
import type { JobStore } from "../ports/JobStore";
import type { TableStore } from "../ports/TableStore";
import type { RestoreDeps, RestoreRequest } from "../restore/run-restore";
import { LifeboatError } from "../../core/errors";
import type { JobRecord, RestoreJobRequest } from "../../core/jobs/job";
import { newJobId } from "../../core/jobs/job";

/** What restore jobs run on: the app's ports, the job table and queue, and the repository as a job asked to read it. */
export interface JobDeps extends AppContext {
  jobs?: JobStore;
  jobQueue?: JobQueue;
  /** The context reading the repository from the copy a job asked for (primary, secondary, or auto). */
  readingFrom(from: RestoreJobRequest["from"]): AppContext;
  /** The source backups read now (the active endpoint) and which account it is: backup range tasks read it. Default: `source`, "primary". */
  backupSource?: () => Promise<{ source: TableStore; account: string }>;
  now?: () => Date;
}

/** The job table and queue, or CONFIG.MISSING naming the setting that lacks. */
export function jobPorts(deps: JobDeps, needQueue: boolean): { jobs: JobStore; queue: JobQueue | undefined } {
  if (!deps.jobs) throw new LifeboatError("CONFIG.MISSING", "restore jobs keep their state in the backup account's tables: set LIFEBOAT_BACKUP__tableServiceUri (or a connection string with a TableEndpoint)");
  if (needQueue && !deps.jobQueue) {
    throw new LifeboatError("CONFIG.MISSING", "restore jobs travel on the Functions host's storage queue: set AzureWebJobsStorage (or AzureWebJobsStorage__accountName with a managed identity)");
  }
  return { jobs: deps.jobs, queue: deps.jobQueue };
}

export const nowOf = (deps: Pick<JobDeps, "now">): Date => (deps.now ?? (() => new Date()))();

export function makeJobId(at: Date): string {
  return newJobId(at, randomBytes(3).toString("hex"));
}

/** The engine's view of an app context: what a restore reads and writes. */
export function restoreDepsOf(ctx: AppContext): RestoreDeps {
  return { source: ctx.source, ...(ctx.blobs ? { blobs: ctx.blobs } : {}), repo: ctx.repo, keys: ctx.keys };
}

/** The engine request of a job: always its chosen point, so every delivery restores the same one. */
export function restoreRequestOf(job: JobRecord, concurrency: number): RestoreRequest {
  return {
    pointId: job.pointId,
    ...(job.request.tables ? { tables: job.request.tables } : {}),
    ...(job.request.containers ? { containers: job.request.containers } : {}),
    target: job.request.target,
    concurrency,
  };
}

/**
 * Re-reads a job and applies `change` until the write lands (another instance may write
 * the job in between). Returns the job as written, or null when `change` declines
 * (returns null) or the job is gone.
 */
export async function updateJob(jobs: JobStore, id: string, change: (job: JobRecord) => JobRecord | null, now: () => Date): Promise<JobRecord | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const got = await jobs.getJob(id);
    if (!got) return null;
    const next = change(got.value);
    if (!next) return null;
    const written = { ...next, updatedAt: now().toISOString() };
    if (await jobs.updateJob(written, got.etag)) return written;
  }
  throw new LifeboatError("STORE.FAILED", `job ${id}: 20 conflicting updates in a row`);
}
