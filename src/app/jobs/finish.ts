import type { AppContext } from "../context";
import type { JobStore } from "../ports/JobStore";
import { noProgress } from "../progress";
import { checkRecordedDigest } from "../restore/restore-table";
import { MAX_NAMED_REJECTED } from "../restore/run-restore";
import { changedKeys, sweepStrays, tableChain } from "../restore/table-parts";
import { refusedOf, verifyTarget } from "../restore/verify-target";
import { ContentDigest } from "../../core/entity/content-digest";
import { describeRejected } from "../../core/entity/rejected";
import { errorText } from "../audit/audited";
import { isFinished, type JobRecord, type TablePrep, type TableVerification, type TaskRecord } from "../../core/jobs/job";
import { jobPorts, nowOf, updateJob, type JobDeps } from "./deps";
import { jobChain, manifestLoader } from "./start";

/**
 * When every task is done, moves the job to `verifying` (one instance wins the ETag race)
 * and queues its final step. With `redelivered` (a task message delivered again after its
 * task was done: the instance that finished it may have died between the move and the
 * send), a job already `verifying` gets its final step queued again; the final step is
 * safe to run twice.
 */
export async function maybeFinish(deps: JobDeps, jobId: string, redelivered = false): Promise<void> {
  const { jobs, queue } = jobPorts(deps, true);
  const tasks = await jobs.listTasks(jobId);
  if (tasks.some((t) => t.state !== "done")) return;
  const moved = await updateJob(jobs, jobId, (j) => (j.state === "running" && j.tasks === tasks.length ? { ...j, state: "verifying" } : null), () => nowOf(deps));
  if (moved || (redelivered && (await jobs.getJob(jobId))?.value.state === "verifying")) await queue!.send({ v: 1, job: jobId, step: "finish" });
}

const sum = (parts: readonly ({ hex: string; count: number } | undefined)[]): ContentDigest => {
  const d = new ContentDigest();
  for (const p of parts) if (p) d.merge(ContentDigest.fromHex(p.hex, p.count));
  return d;
};

/** Sweeps (a target that existed) and verifies one table against what its tasks wrote. Throws IntegrityError when it does not verify. */
async function verifyTable(ctx: AppContext, job: JobRecord, prep: TablePrep, tasks: readonly TaskRecord[], load: ReturnType<typeof manifestLoader>): Promise<TableVerification> {
  const mine = tasks.filter((t) => t.kind !== "container" && t.name === prep.table);
  const chain = tableChain(await jobChain(ctx, job.pointId, prep.table, load), prep.table);
  const expected = sum(mine.map((t) => t.digest));
  const upserts = sum(mine.map((t) => t.refusedUpserts));
  const deletes = mine.flatMap((t) => t.refusedDeletes ?? []);
  let deleted = 0;
  if (!prep.fresh) {
    const seen = await changedKeys(ctx.repo, ctx.keys, chain);
    const swept = await sweepStrays({ store: ctx.source, repo: ctx.repo, keys: ctx.keys, target: prep.target, seen, full: chain.full, concurrency: ctx.config.restoreConcurrency, scanConcurrency: ctx.config.scanConcurrency, progress: noProgress });
    deleted = swept.written;
    const more = refusedOf(swept.rejected);
    upserts.merge(more.upserts);
    deletes.push(...more.deletes);
  }
  // Split the scan where the full segment's files start (file order is the service's key order).
  const boundaries = mine.filter((t) => t.kind === "file" && t.firstPk !== undefined).sort((a, b) => (a.file ?? 0) - (b.file ?? 0)).map((t) => t.firstPk!);
  await verifyTarget({ store: ctx.source, table: prep.table, target: prep.target, expected, refused: { upserts, deletes }, progress: noProgress, boundaries, concurrency: ctx.config.scanConcurrency });
  checkRecordedDigest(prep.table, chain, expected);
  return { table: prep.table, target: prep.target, entities: expected.count, digest: expected.hex(), deleted };
}

/** What the audit log keeps of a finished job. */
function jobDetails(job: JobRecord, verification: TableVerification[], tasks: readonly TaskRecord[]): Record<string, unknown> {
  return {
    job: job.id,
    point: job.pointId,
    pointTime: job.pointTime,
    inPlace: job.request.target.kind === "inPlace",
    safetyPoint: job.safetyPointId ?? null,
    tasks: tasks.length,
    tables: verification.map((v) => ({ table: v.table, target: v.target, entities: v.entities, deleted: v.deleted, digest: v.digest })),
    containers: tasks.filter((t) => t.kind === "container").map((t) => ({ container: t.name, target: t.target, files: t.entities, bytes: t.bytes, deleted: t.deleted ?? 0 })),
  };
}

/**
 * The final step: sweeps and verifies every table not yet verified (each verification
 * is kept, so a redelivery resumes with the next table), then records the outcome in
 * the audit log (`restore`, by the job's operator) and on the job. Entities the service
 * refused end the job `failed` (RESTORE.INCOMPLETE), as the in-process restore does.
 */
export async function finishJob(deps: JobDeps, jobId: string, say: (line: string) => void): Promise<void> {
  const { jobs } = jobPorts(deps, false);
  const got = await jobs.getJob(jobId);
  if (!got || isFinished(got.value.state)) return say(`job ${jobId}: already finished (or gone); final step ignored`);
  const job = got.value;
  const ctx = deps.readingFrom(job.request.from);
  const tasks = await jobs.listTasks(jobId);
  if (tasks.some((t) => t.state !== "done")) return say(`job ${jobId}: tasks still open; final step ignored`);
  const load = manifestLoader(ctx);
  const verification: TableVerification[] = [];
  for (const prep of await jobs.listTables(jobId)) {
    if (!prep.verified) {
      prep.verified = await verifyTable(ctx, job, prep, tasks, load);
      await jobs.updateTable(jobId, prep);
      say(`job ${jobId}: ${prep.target} verified (${prep.verified.entities} entities)`);
    }
    verification.push(prep.verified);
  }
  const refused = tasks.reduce((n, t) => n + (t.refusedUpserts?.count ?? 0) + (t.refusedDeletes?.length ?? 0), 0);
  const error =
    refused > 0
      ? `RESTORE.INCOMPLETE: the table service refused ${refused} entit${refused === 1 ? "y" : "ies"}, not written; everything else is restored and verified: ` +
        tasks
          .flatMap((t) => t.rejected ?? [])
          .slice(0, MAX_NAMED_REJECTED)
          .map(describeRejected)
          .join("; ")
      : undefined;
  const details = jobDetails(job, verification, tasks);
  await ctx.audit.record({ operator: job.operator, action: "restore", target: { job: job.id, point: job.pointId }, details, outcome: error ? "failed" : "succeeded", error: error ?? null, durationMs: Date.parse(nowOf(deps).toISOString()) - Date.parse(job.startedAt ?? job.createdAt) });
  await ctx.audit.writeDigest();
  const containers = tasks.filter((t) => t.kind === "container").map((t) => ({ container: t.name, target: t.target, files: t.entities, bytes: t.bytes, deleted: t.deleted ?? 0 }));
  await updateJob(jobs, jobId, (j) => (isFinished(j.state) ? null : { ...j, state: error ? "failed" : "succeeded", finishedAt: nowOf(deps).toISOString(), verification, containers, ...(error ? { error } : {}) }), () => nowOf(deps));
  say(`job ${jobId}: ${error ? "failed" : "succeeded"}`);
}

/**
 * Ends a job as failed with `reason` (a task that cannot succeed however often it is
 * retried, or a poison message), once: the audit entry (`restore`, failed, by the job's
 * operator) is written only by the call that made the change.
 */
export async function failJob(deps: JobDeps, jobId: string, reason: unknown): Promise<JobRecord | null> {
  const { jobs } = jobPorts(deps, false);
  const error = errorText(reason) ?? "unknown error";
  const failed = await updateJob(jobs, jobId, (j) => (isFinished(j.state) ? null : { ...j, state: "failed", error, finishedAt: nowOf(deps).toISOString() }), () => nowOf(deps));
  if (!failed) return null;
  const ctx = deps.readingFrom(failed.request.from);
  await ctx.audit.record({
    operator: failed.operator,
    action: "restore",
    target: { job: failed.id, point: failed.pointId },
    details: { job: failed.id, point: failed.pointId, safetyPoint: failed.safetyPointId ?? null },
    outcome: "failed",
    error,
    durationMs: Date.parse(failed.finishedAt ?? failed.updatedAt) - Date.parse(failed.startedAt ?? failed.createdAt),
  });
  await ctx.audit.writeDigest();
  return failed;
}

/** Keeps the error of a delivery that will be retried on the job: the reason a poison message ends it with. Never throws. */
export async function noteRetry(jobs: JobStore, jobId: string, reason: unknown, now: () => Date): Promise<void> {
  await updateJob(jobs, jobId, (j) => (isFinished(j.state) ? null : { ...j, lastError: errorText(reason) ?? "unknown error", failedDeliveries: (j.failedDeliveries ?? 0) + 1 }), now).catch(() => undefined);
}
