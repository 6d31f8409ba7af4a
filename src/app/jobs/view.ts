import { NotFoundError } from "../../core/errors";
import { jobProgress, type ItemProgress, type JobRecord } from "../../core/jobs/job";
import { jobPorts, nowOf, type JobDeps } from "./deps";

/** A job as the API and the CLI show it: its record and each table's and container's progress. */
export interface JobView extends Omit<JobRecord, "lastError"> {
  /** Percent of the records to read, over every task. */
  percent: number;
  progress: ItemProgress[];
  /** The error of the last failed delivery, while the job is being retried. */
  retrying?: string;
}

/** One job with its progress. Throws JOB.NOT_FOUND (404) for an unknown id. */
export async function getRestoreJob(deps: JobDeps, id: string): Promise<JobView> {
  const { jobs } = jobPorts(deps, false);
  const got = await jobs.getJob(id);
  if (!got) throw new NotFoundError("JOB.NOT_FOUND", `restore job ${id} does not exist (see GET /api/restores)`);
  const [tasks, tables] = await Promise.all([jobs.listTasks(id), jobs.listTables(id)]);
  const progress = jobProgress(tasks, tables);
  const records = progress.reduce((n, p) => n + p.records, 0);
  const read = progress.reduce((n, p) => n + p.read, 0);
  const { lastError, ...job } = got.value;
  const percent = job.state === "succeeded" ? 100 : records > 0 ? Math.floor((1000 * read) / records) / 10 : 0;
  return { ...job, percent, progress, ...(lastError && job.state !== "succeeded" && job.state !== "failed" ? { retrying: lastError } : {}) };
}

/** Jobs of the last `days` days, newest first. */
export async function listRestoreJobs(deps: JobDeps, limit: number, days = 7): Promise<JobRecord[]> {
  const { jobs } = jobPorts(deps, false);
  const since = new Date(nowOf(deps).getTime() - days * 86_400_000);
  return (await jobs.listJobs(since, limit)).map(({ lastError: _, ...j }) => j);
}
