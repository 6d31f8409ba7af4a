import type { AppContext } from "../context";
import type { JobStore } from "../ports/JobStore";
import { ProgressMeter, type ProgressSink } from "../progress";
import { readIndex } from "../containers/backup-container";
import { restoreContainer } from "../containers/restore-container";
import { changedKeys, replayFiles, tableChain } from "../restore/table-parts";
import { refusedOf, rejectedEntity } from "../restore/verify-target";
import { MAX_NAMED_REJECTED } from "../restore/run-restore";
import { TableWriter } from "../tables/table-writer";
import { ContentDigest } from "../../core/entity/content-digest";
import { IntegrityError } from "../../core/errors";
import { KeyStates } from "../../core/keys/key-states";
import { isFinished, type TaskRecord } from "../../core/jobs/job";
import { jobPorts, nowOf, type JobDeps } from "./deps";
import { maybeFinish } from "./finish";
import { jobChain, manifestLoader } from "./start";

/** How often a running task writes its progress to its record. */
const CHECKPOINT_MS = 5000;

/** A progress sink that writes the task's counts to its record every few seconds; `settle` waits for the last write. */
function checkpoints(jobs: JobStore, jobId: string, task: TaskRecord, now: () => Date): { sink: ProgressSink; settle(): Promise<void> } {
  let last = 0;
  let pending: Promise<unknown> = Promise.resolve();
  return {
    sink: (e) => {
      if (e.final || Date.now() - last < CHECKPOINT_MS) return;
      last = Date.now();
      const t: TaskRecord = { ...task, state: "running", read: e.done ?? 0, entities: e.entities, bytes: e.bytes, updatedAt: now().toISOString() };
      pending = pending.then(() => jobs.updateTask(jobId, t)).catch(() => undefined);
    },
    settle: async () => {
      await pending;
    },
  };
}

/** Restores what one task covers; resolves with the task as done. */
async function runTask(ctx: AppContext, pointId: string, task: TaskRecord, progress: ProgressSink): Promise<TaskRecord> {
  const done = { ...task, state: "done" as const, read: task.records };
  if (task.kind === "container") {
    const load = manifestLoader(ctx);
    const seg = (await load(pointId)).containers?.[task.name];
    if (!seg || !ctx.blobs) throw new IntegrityError(`point ${pointId} holds no container ${task.name}, or the source has no blob endpoint`);
    const blobs = ctx.blobs;
    const r = await restoreContainer({ blobs, repo: ctx.repo, keys: ctx.keys, container: task.name, target: task.target, entries: () => readIndex(ctx.repo, ctx.keys, seg), bytes: seg.bytes, progress });
    return { ...done, entities: r.files, bytes: r.bytes, deleted: r.deleted };
  }
  const chain = tableChain(await jobChain(ctx, pointId, task.name), task.name);
  const writer = new TableWriter(ctx.source, task.target, ctx.config.restoreConcurrency);
  const expected = new ContentDigest();
  const meter = new ProgressMeter(progress, "restore", task.target, { total: task.records });
  let firstPk: string | undefined;
  if (task.kind === "changes") {
    await replayFiles({ repo: ctx.repo, keys: ctx.keys, files: chain.changeFiles, seen: new KeyStates(chain.changes), writer, expected, meter });
  } else {
    const file = chain.fullFiles[task.file ?? -1];
    if (!file) throw new IntegrityError(`point ${pointId}: table ${task.name} has no full-segment file ${task.file}`);
    // The incrementals' keys are read (not written) so this file leaves their newer states alone.
    const seen = await changedKeys(ctx.repo, ctx.keys, chain);
    const firstKeys: string[] = [];
    await replayFiles({ repo: ctx.repo, keys: ctx.keys, files: [file], seen, writer, expected, meter, firstKeys });
    if (firstKeys[0] !== undefined) firstPk = firstKeys[0];
  }
  await writer.flush();
  meter.done();
  const refused = refusedOf(writer.rejected);
  return {
    ...done,
    entities: writer.written,
    bytes: meter.bytes,
    digest: { hex: expected.hex(), count: expected.count },
    ...(firstPk !== undefined ? { firstPk } : {}),
    refusedUpserts: { hex: refused.upserts.hex(), count: refused.upserts.count },
    refusedDeletes: refused.deletes,
    rejected: writer.rejected.slice(0, MAX_NAMED_REJECTED).map((r) => rejectedEntity(task.name, task.target, r)),
  };
}

/**
 * One task step: skips a task already done (a redelivery), otherwise restores its part
 * (idempotent upserts: a retried task rewrites the same values), records the result,
 * and, when it was the last open task, moves the job on to its final step.
 */
export async function runJobTask(deps: JobDeps, jobId: string, id: string, say: (line: string) => void): Promise<void> {
  const { jobs } = jobPorts(deps, false);
  const now = (): Date => nowOf(deps);
  const job = await jobs.getJob(jobId);
  if (!job || isFinished(job.value.state)) return say(`job ${jobId}: already finished (or gone); task ${id} ignored`);
  const got = await jobs.getTask(jobId, id);
  if (!got) throw new IntegrityError(`job ${jobId} has no task ${id}`);
  if (got.value.state === "done") {
    say(`job ${jobId}: task ${id} is already done (a redelivery)`);
    return maybeFinish(deps, jobId, true);
  }
  const task: TaskRecord = { ...got.value, state: "running", attempts: got.value.attempts + 1, updatedAt: now().toISOString() };
  await jobs.updateTask(jobId, task);
  say(`job ${jobId}: task ${id} started (attempt ${task.attempts})`);
  const cp = checkpoints(jobs, jobId, task, now);
  const ctx = deps.readingFrom(job.value.request.from);
  const result = await runTask(ctx, job.value.pointId, task, cp.sink);
  await cp.settle();
  await jobs.updateTask(jobId, { ...result, updatedAt: now().toISOString() });
  say(`job ${jobId}: task ${id} done (${result.entities} ${result.kind === "container" ? "blobs" : "entities"} written)`);
  await maybeFinish(deps, jobId);
}
