import type { AppContext } from "../context";
import { chainFor, loadManifest } from "../repo/catalog";
import { recordCreatedTable } from "../repo/created-tables";
import { safetyBackupFor } from "../restore/restore-point";
import { planRestore } from "../restore/run-restore";
import { tableChain } from "../restore/table-parts";
import { isFinished, taskId, type JobRecord, type TaskRecord } from "../../core/jobs/job";
import type { Manifest } from "../../format/manifest";
import { jobPorts, nowOf, restoreDepsOf, restoreRequestOf, updateJob, type JobDeps } from "./deps";
import { maybeFinish } from "./finish";

/** Loads a point's manifests once each, without the overlap lists only a backup needs. */
export function manifestLoader(ctx: AppContext): (id: string) => Promise<Manifest> {
  const cache = new Map<string, Promise<Manifest>>();
  return (id) => {
    let m = cache.get(id);
    if (!m) {
      m = loadManifest(ctx.repo, ctx.keys, id).then((x) => {
        for (const seg of Object.values(x.tables)) seg.recent = [];
        return x;
      });
      cache.set(id, m);
    }
    return m;
  };
}

/** A table's chain at a job's point, newest first. */
export async function jobChain(ctx: AppContext, pointId: string, table: string, load = manifestLoader(ctx)): Promise<Manifest[]> {
  return chainFor(await load(pointId), table, load);
}

/**
 * The start step of a job: marks it running, takes the safety backup of an in-place
 * restore (once: its id is kept on the job), prepares each target table (whether it
 * existed is recorded before it is created, so a target that existed is swept at the
 * end), records one task per table's incremental changes, per full-segment data file
 * and per container, and puts every unfinished task on the queue. A redelivery redoes
 * only what is not recorded as done.
 */
export async function startJob(deps: JobDeps, jobId: string, say: (line: string) => void): Promise<void> {
  const { jobs, queue } = jobPorts(deps, true);
  const now = (): Date => nowOf(deps);
  const begun = await updateJob(jobs, jobId, (j) => (isFinished(j.state) ? null : j.state === "queued" ? { ...j, state: "running", startedAt: now().toISOString() } : j), now);
  if (!begun) return say(`job ${jobId}: already finished (or gone); start step ignored`);
  let job: JobRecord = begun;
  const ctx = deps.readingFrom(job.request.from);
  const { plan, chains, head } = await planRestore(restoreDepsOf(ctx), restoreRequestOf(job, ctx.config.restoreConcurrency));
  if (plan.inPlace && !job.safetyPointId) {
    const safetyPointId = await safetyBackupFor(ctx, job.operator, undefined, say)({ tables: plan.tables.map((t) => t.table), containers: plan.containers.map((c) => c.container) });
    if (safetyPointId) job = (await updateJob(jobs, jobId, (j) => ({ ...j, safetyPointId }), now)) ?? job;
  }
  const tasks: TaskRecord[] = [];
  const at = now().toISOString();
  const task = (t: Omit<TaskRecord, "state" | "read" | "entities" | "bytes" | "attempts" | "updatedAt">): TaskRecord => ({ ...t, state: "pending", read: 0, entities: 0, bytes: 0, attempts: 0, updatedAt: at });
  for (const t of plan.tables) {
    const prep = await jobs.addTable(job.id, { table: t.table, target: t.target, fresh: !(await ctx.source.tableExists(t.target)) });
    // A table the restore creates is Lifeboat's: recorded first, so "*" backups leave it out.
    if (prep.fresh && !plan.inPlace) await recordCreatedTable(ctx.repo, ctx.keys, { table: t.target, by: "restore", point: plan.pointId });
    await ctx.source.createTable(t.target);
    const chain = tableChain(chains.get(t.table) ?? [], t.table);
    if (chain.changeFiles.length > 0) {
      tasks.push(task({ id: taskId("changes", t.table), kind: "changes", name: t.table, target: t.target, records: chain.changeFiles.reduce((n, x) => n + x.f.records, 0) }));
    }
    chain.fullFiles.forEach((x, i) => tasks.push(task({ id: taskId("file", t.table, i), kind: "file", name: t.table, target: t.target, file: i, records: x.f.records })));
  }
  for (const c of plan.containers) {
    tasks.push(task({ id: taskId("container", c.container), kind: "container", name: c.container, target: c.target, records: head.containers?.[c.container]?.files ?? c.files }));
  }
  for (const t of tasks) await jobs.addTask(job.id, t);
  await updateJob(jobs, jobId, (j) => (j.tasks === tasks.length ? null : { ...j, tasks: tasks.length }), now);
  const stored = await jobs.listTasks(job.id);
  const open = stored.filter((t) => t.state !== "done");
  for (const t of open) await queue!.send({ v: 1, job: job.id, step: "task", task: t.id });
  say(`job ${job.id}: point ${plan.pointId}, ${tasks.length} task(s) (${open.length} queued) over ${plan.tables.length} table(s) and ${plan.containers.length} container(s)`);
  if (open.length === 0) await maybeFinish(deps, job.id);
}
