import { audited } from "../audit";
import { restoreAuditTarget, restorePoint } from "../restore/restore-point";
import { checkRestoreRequest, planRestore, type RestorePlan, type RestoreResult, type RestoreTarget } from "../restore/run-restore";
import type { JobRecord, RestoreJobRequest } from "../../core/jobs/job";
import { jobPorts, makeJobId, nowOf, restoreDepsOf, type JobDeps } from "./deps";

/** A restore to run as a job (or to plan, with dryRun). */
export interface SubmitRestoreRequest {
  operator: string;
  at?: Date;
  pointId?: string;
  tables?: string[];
  containers?: string[];
  target: RestoreTarget;
  from: RestoreJobRequest["from"];
  dryRun?: boolean;
}

export type SubmitResult = { kind: "job"; job: JobRecord; plan: RestorePlan } | { kind: "dryRun"; result: RestoreResult };

/**
 * Submits a restore job as one audited `restore.submit` action: checks the request,
 * picks the point (so every delivery restores the same one), records the job as
 * `queued` and puts its start step on the queue. A dry run writes nothing: it plans the
 * restore in-process (audited `restore.dryRun`) and returns the plan.
 * Throws ValidationError / RESTORE.POINT_NOT_FOUND for bad input (nothing written),
 * CONFIG.MISSING without a job table or queue, or the store's error.
 */
export async function submitRestoreJob(deps: JobDeps, req: SubmitRestoreRequest): Promise<SubmitResult> {
  const ctx = deps.readingFrom(req.from);
  const { operator, from, dryRun, ...restore } = req;
  checkRestoreRequest(restore);
  if (dryRun) return { kind: "dryRun", result: await restorePoint(ctx, { ...restore, operator, dryRun: true }) };
  const { jobs, queue } = jobPorts(deps, true);
  const target = restoreAuditTarget(restore);
  return audited(
    ctx.audit,
    { operator, action: "restore.submit", target },
    async (): Promise<SubmitResult> => {
      const { plan } = await planRestore(restoreDepsOf(ctx), { ...restore, concurrency: 1 });
      const now = nowOf(deps).toISOString();
      const job: JobRecord = {
        id: makeJobId(nowOf(deps)),
        kind: "restore",
        state: "queued",
        operator,
        request: {
          ...(req.at ? { at: req.at.toISOString() } : {}),
          ...(req.pointId ? { pointId: req.pointId } : {}),
          ...(req.tables ? { tables: req.tables } : {}),
          ...(req.containers ? { containers: req.containers } : {}),
          target: req.target,
          from,
        },
        pointId: plan.pointId,
        pointTime: plan.pointTime,
        ...(plan.note ? { note: plan.note } : {}),
        createdAt: now,
        updatedAt: now,
        tasks: 0,
      };
      await jobs.createJob(job);
      await queue!.send({ v: 1, job: job.id, step: "start" });
      return { kind: "job", job, plan };
    },
    {
      preflight: true,
      targetOf: (r) => (r.kind === "job" ? { job: r.job.id, point: r.job.pointId } : {}),
      detailsOf: (r) => (r.kind === "job" ? { tables: r.plan.tables.map((t) => t.target), containers: r.plan.containers.map((c) => c.target) } : {}),
    },
  );
}
