import { LifeboatError } from "../../core/errors";
import { audited } from "../audit";
import { takeBackup } from "../backup/take-backup";
import type { AppContext } from "../context";
import type { ProgressSink } from "../progress";
import { runRestore, type RestoreDeps, type RestoreRequest, type RestoreResult } from "./run-restore";

/** One audited restore, as the CLI (and later the HTTP API) asks for it. */
export interface RestorePointRequest extends Omit<RestoreRequest, "concurrency"> {
  operator: string;
  progress?: ProgressSink;
  /** Lines for the person waiting (the safety backup being taken, its id). */
  say?: (line: string) => void;
}

/** What the audit log keeps of a restore: the point, per-table counts and digests, the safety point. */
function restoreDetails(r: RestoreResult): Record<string, unknown> {
  return {
    point: r.plan.pointId,
    pointTime: r.plan.pointTime,
    ...(r.plan.note ? { note: r.plan.note } : {}),
    inPlace: r.plan.inPlace,
    safetyPoint: r.safetyPointId,
    tables: r.dryRun
      ? r.plan.tables.map((t) => ({ table: t.table, target: t.target, chain: t.chain.length, maxEntities: t.maxEntities }))
      : r.tables.map((t) => ({ table: t.table, target: t.target, entities: t.entities, deleted: t.deleted, digest: t.digest, rejected: t.rejected.length })),
    containers: r.dryRun ? r.plan.containers : r.containers,
    durationMs: r.durationMs,
  };
}

/** What an audit entry says a restore was asked for: the time or point, tables, containers, where to. */
export function restoreAuditTarget(r: Pick<RestoreRequest, "at" | "pointId" | "tables" | "containers" | "target">): Record<string, string | string[]> {
  return {
    ...(r.at ? { at: r.at.toISOString() } : {}),
    ...(r.pointId ? { point: r.pointId } : {}),
    ...(r.tables ? { tables: r.tables } : {}),
    ...(r.containers ? { containers: r.containers } : {}),
    into: r.target.kind === "inPlace" ? "in place" : `prefix ${r.target.prefix}`,
  };
}

/**
 * The safety backup an in-place restore takes of the live tables and containers first:
 * an audited incremental, waiting up to 10 minutes for a running backup's lock. Returns
 * its point id; throws RESTORE.SAFETY_BACKUP_SKIPPED when it was not taken.
 */
export function safetyBackupFor(ctx: AppContext, operator: string, progress?: ProgressSink, say?: (line: string) => void): NonNullable<RestoreDeps["safetyBackup"]> {
  return async ({ tables, containers }: { tables: string[]; containers: string[] }): Promise<string> => {
    say?.(`taking a safety backup of ${[...tables, ...containers.map((c) => `container ${c}`)].join(", ")} before restoring in place`);
    const r = await takeBackup(ctx, {
      operator,
      kind: "incremental",
      tables,
      containers,
      waitForLockSeconds: 600,
      reason: "safety backup before an in-place restore",
      ...(progress ? { progress } : {}),
    });
    if (r.status !== "committed") throw new LifeboatError("RESTORE.SAFETY_BACKUP_SKIPPED", `safety backup not taken (${r.reason}); nothing was restored`);
    say?.(`safety backup: ${r.pointId}`);
    return r.pointId;
  };
}

/**
 * Restores a point as one audited action (`restore`, or `restore.dryRun` which writes
 * nothing). A real restore first checks the audit log is writable, and an in-place one
 * takes an audited safety backup of the live tables (its id is in the result).
 * Throws what runRestore throws (ValidationError, RESTORE.POINT_NOT_FOUND, DATA.INTEGRITY),
 * RESTORE.SAFETY_BACKUP_SKIPPED when another backup kept the lock, or AuditWriteError.
 */
export async function restorePoint(ctx: AppContext, req: RestorePointRequest): Promise<RestoreResult> {
  const { operator, progress, say, ...request } = req;
  const target = restoreAuditTarget(request);
  const safetyBackup = safetyBackupFor(ctx, operator, progress, say);
  return audited(
    ctx.audit,
    { operator, action: request.dryRun ? "restore.dryRun" : "restore", target },
    () =>
      runRestore(
        { source: ctx.source, ...(ctx.blobs ? { blobs: ctx.blobs } : {}), repo: ctx.repo, keys: ctx.keys, safetyBackup, ...(progress ? { progress } : {}) },
        { ...request, concurrency: ctx.config.restoreConcurrency, scanConcurrency: ctx.config.scanConcurrency },
      ),
    { changesData: !request.dryRun, preflight: !request.dryRun, detailsOf: restoreDetails, targetOf: (r) => ({ point: r.plan.pointId }) },
  );
}
