import type { ProgressSink } from "../progress";
import { planRestore, runRestore, type RestoreResult, type RestoreTarget } from "../restore/run-restore";
import type { FailoverContext, FailoverSite } from "./ports";

/** What a standby restore did: the restore, and the containers left out (the failover account has no blob endpoint, or a dry run). */
export interface StandbyRestore {
  result: RestoreResult;
  /** Why the newest point was passed over, when it was. */
  note?: string;
  containersSkipped: string[];
}

/**
 * Restores the newest restore point that opens (read from `ctx.repo`: the caller decides
 * whether it falls back to the secondary store) into the failover account: in place, or
 * into `<prefix><Table>` scratch tables. In place means overwriting the standby tables
 * WITHOUT a safety backup: the failover account is a standby that every failover and
 * drill rewrites, never live data while the primary is active. Containers are restored
 * in place only, and only when the failover account has a blob endpoint. Every table is
 * verified against the backup's digest (restoreTable). Throws what runRestore throws.
 */
export async function restoreStandby(ctx: FailoverContext, site: FailoverSite, target: RestoreTarget, progress?: ProgressSink): Promise<StandbyRestore> {
  const concurrency = ctx.config.restoreConcurrency;
  const noSafetyBackup = (): Promise<null> => Promise.resolve(null); // a standby: see above
  const deps = { source: site.tables, repo: ctx.repo, keys: ctx.keys, safetyBackup: noSafetyBackup, ...(progress ? { progress } : {}) };
  // Choose the point first (the newest that opens). Planning without a dry run reads no
  // blob; it only needs to know that some blob endpoint exists when the point has containers.
  const blobsForPlan = site.blobs ?? ctx.blobs;
  const { plan } = await planRestore({ ...deps, ...(blobsForPlan ? { blobs: blobsForPlan } : {}) }, { target, concurrency });
  const withContainers = site.blobs !== undefined && target.kind === "inPlace" && plan.containers.length > 0;
  const containersSkipped = withContainers ? [] : plan.containers.map((c) => c.container);
  const result = await runRestore(
    { ...deps, ...(withContainers && site.blobs ? { blobs: site.blobs } : {}) },
    {
      pointId: plan.pointId,
      tables: plan.tables.map((t) => t.table),
      ...(withContainers ? { containers: plan.containers.map((c) => c.container) } : {}),
      target,
      concurrency,
    },
  );
  return { result, ...(plan.note ? { note: plan.note } : {}), containersSkipped };
}
