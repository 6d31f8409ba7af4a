import { classify, ensureErrorType } from "../../core/errors";
import { queueMessage, type QueueMessage, type RangeMessage } from "../../core/jobs/backup-range";
import { failRangeTask, noteRangeRetry, ORPHAN_MS, runRangeTask } from "../backup/range-task";
import { jobPorts, nowOf, type JobDeps } from "./deps";
import { failJob, finishJob, noteRetry } from "./finish";
import { startJob } from "./start";
import { runJobTask } from "./task";

/** How a delivery of a job message went. */
export type StepOutcome = "done" | "job failed" | "ignored";

/**
 * Whether a failure may pass on a later delivery: storage busy or unreachable, a lost
 * lock, an unknown error. Bad data, a refused write or bad settings fail the same way
 * every time: the job ends at once instead of after every retry.
 */
export function isTransient(err: unknown): boolean {
  const c = classify(err);
  if (c.code === null) return true;
  return c.status === 503 || c.status === 502 || c.code === "AUDIT.WRITE_FAILED";
}

/** A message as read from the queue: the validated step, or null when it is not one of ours. */
export function parseJobMessage(body: unknown): QueueMessage | null {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return null;
    }
  }
  const r = queueMessage.safeParse(value);
  return r.success ? r.data : null;
}

/**
 * Runs one delivered step of a job (start, a task, or the final step). A failure that
 * cannot pass ends the job `failed` with its reason; a transient one is noted on the job
 * and rethrown, so the queue delivers the message again (and after maxDequeueCount moves
 * it to the poison queue, whose function ends the job with the noted reason).
 */
export async function runJobStep(deps: JobDeps, body: unknown, say: (line: string) => void): Promise<StepOutcome> {
  const msg = parseJobMessage(body);
  if (!msg) {
    say("not a restore-job message; dropped");
    return "ignored";
  }
  if (msg.step === "backup-range") return runRangeStep(deps, msg, say);
  try {
    if (msg.step === "start") await startJob(deps, msg.job, say);
    else if (msg.step === "task") await runJobTask(deps, msg.job, msg.task, say);
    else await finishJob(deps, msg.job, say);
    return "done";
  } catch (err) {
    if (isTransient(err)) {
      await noteRetry(jobPorts(deps, false).jobs, msg.job, err, () => nowOf(deps));
      throw err;
    }
    say(`job ${msg.job}: ${msg.step} step failed for good: ${ensureErrorType(err).message}`);
    await failJob(deps, msg.job, err);
    return "job failed";
  }
}

/** A message the queue gave up on (moved to the poison queue): ends its job `failed` with the last error seen. */
export async function failPoisoned(deps: JobDeps, body: unknown, say: (line: string) => void): Promise<StepOutcome> {
  const msg = parseJobMessage(body);
  if (!msg) {
    say("poison message that is not a restore-job message; dropped");
    return "ignored";
  }
  const { jobs } = jobPorts(deps, false);
  if (msg.step === "backup-range") {
    const task = await jobs.getRangeTask(msg.fanout, msg.range);
    const failed = await failRangeTask(jobs, msg.fanout, msg.range, `backup range task ${msg.range} failed on every delivery; last error: ${task?.value.lastError ?? "no error was recorded"}`, nowOf(deps));
    say(failed ? `backup ${msg.fanout}: range ${msg.range} failed (poison message)` : `backup ${msg.fanout}: range ${msg.range} already settled; poison message dropped`);
    return failed ? "job failed" : "ignored";
  }
  const job = await jobs.getJob(msg.job);
  const last = job?.value.lastError ?? "no error was recorded";
  const tries = job?.value.failedDeliveries ? `${job.value.failedDeliveries} failed deliveries of the job's steps` : "every delivery";
  const failed = await failJob(deps, msg.job, `the ${msg.step} step${msg.step === "task" ? ` ${msg.task}` : ""} failed on every delivery (${tries}); last error: ${last}`);
  say(failed ? `job ${msg.job}: failed (poison message)` : `job ${msg.job}: already finished; poison message dropped`);
  return failed ? "job failed" : "ignored";
}

/**
 * Runs one range task of a fanned-out backup (the backup that queued it waits for it), from
 * the source account active now. A failure that cannot pass fails the range (and so the
 * backup); a transient one puts it back to pending and is rethrown for the queue to redeliver.
 */
async function runRangeStep(deps: JobDeps, msg: RangeMessage, say: (line: string) => void): Promise<StepOutcome> {
  const { jobs } = jobPorts(deps, false);
  const now = (): Date => nowOf(deps);
  try {
    const { source, account } = deps.backupSource ? await deps.backupSource() : { source: deps.source, account: "primary" };
    const r = await runRangeTask({ jobs, source, repo: deps.repo, keys: deps.keys, account, now, orphanAfterMs: ORPHAN_MS }, msg.fanout, msg.range, "queue");
    say(r.ran ? `backup ${msg.fanout}: range ${msg.range} written (${r.task.result?.entities ?? 0} ${r.task.mode === "full" ? "entities" : "keys"})` : `backup ${msg.fanout}: range ${msg.range} left alone: ${r.why}`);
    return r.ran ? "done" : "ignored";
  } catch (err) {
    if (isTransient(err)) {
      await noteRangeRetry(jobs, msg.fanout, msg.range, err, now());
      throw err;
    }
    say(`backup ${msg.fanout}: range ${msg.range} failed for good: ${ensureErrorType(err).message}`);
    await failRangeTask(jobs, msg.fanout, msg.range, err, now());
    return "job failed";
  }
}
