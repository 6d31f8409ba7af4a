import { audited } from "../audit";
import type { AppContext } from "../context";
import type { ProgressSink } from "../progress";
import { ensureErrorType, LifeboatError } from "../../core/errors";
import { replicate } from "../secondary/replicate";
import { runBackup, type BackupResult } from "./run-backup";
import type { FanoutPorts } from "./fanout";

/** One audited backup: what a timer, the CLI or a safety backup asks for. */
export interface TakeBackupRequest {
  /** From timerOperator / cliOperator / operatorFromHttp. */
  operator: string;
  /** "incremental" takes a full point when the repository has none yet. */
  kind: "full" | "incremental";
  /** Only these tables (a safety backup); default: the configured tables. */
  tables?: string[];
  /** Only these containers (a safety backup); default: the configured containers. */
  containers?: string[];
  /** How long to wait for another backup of the same repository to finish. */
  waitForLockSeconds: number;
  /** Why it runs, when not on schedule (kept in the audit entry). */
  reason?: string;
  progress?: ProgressSink;
  /** Fan big tables' scans out over instances (the timer functions; fanoutPorts). A point taken into the secondary alone is scanned here. */
  fanout?: FanoutPorts;
}

/** How the copy to the secondary store went after a commit: what it copied, or why it could not (it catches up next time). */
export type SecondaryCopy = { points: string[]; files: number; bytes: number } | { error: string };

/** A backup's result, with the secondary copy that followed it (when a secondary is configured). */
export type TakenBackup = BackupResult & {
  secondary?: SecondaryCopy;
  /** The primary store could not be reached: the point was written to the secondary alone (why). */
  degraded?: string;
  /** Points the secondary held that the primary lacked, copied back before this backup (after an outage). */
  backfilled?: string[];
};

/** What the audit log keeps of a backup: the point, counts, bytes; a skipped run is a failure with its reason. */
const backupAudit = {
  changesData: (r: TakenBackup) => r.status === "committed",
  detailsOf: (r: TakenBackup) =>
    r.status === "committed"
      ? {
          point: r.pointId,
          kind: r.kind,
          parent: r.parent,
          entities: r.entities,
          tombstones: r.tombstones,
          bytes: r.bytes,
          ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
          ...(r.secondary ? { secondary: r.secondary } : {}),
          ...(r.degraded ? { degraded: r.degraded } : {}),
          ...(r.backfilled && r.backfilled.length > 0 ? { backfilled: r.backfilled } : {}),
        }
      : { status: r.status },
  targetOf: (r: TakenBackup) => (r.status === "committed" ? { point: r.pointId } : {}),
  failureOf: (r: TakenBackup) => (r.status === "skipped" ? `skipped: ${r.reason}` : undefined),
};

/**
 * Takes a restore point as one audited action (`backup.full` / `backup.incremental`):
 * Lifeboat's audit table left out of "*", the settings summary recorded in the manifest,
 * and a `settings.change` entry when the settings differ from the previous point's.
 * With a secondary store, the new point (and any the secondary missed) is then copied
 * there and verified; a failed copy is reported in the result and caught up next time.
 * When the primary store cannot be reached, the point is taken into the secondary alone
 * (`degraded`), and the primary is back-filled by the first backup after it returns.
 * Returns the result; a run that found the lock held returns "skipped" (audited as
 * failed). Throws what the backup throws, or AuditWriteError when its entry could not be written.
 */
export async function takeBackup(ctx: AppContext, req: TakeBackupRequest): Promise<TakenBackup> {
  const s = ctx.config;
  const tables = req.tables ?? s.tables;
  const containers = req.containers ?? s.containers;
  const result = await audited(
    ctx.audit,
    {
      operator: req.operator,
      action: `backup.${req.kind}`,
      target: { tables: tables === "*" ? "*" : tables, ...(containers.length > 0 ? { containers } : {}) },
      ...(req.reason ? { details: { reason: req.reason } } : {}),
    },
    async (): Promise<TakenBackup> => {
      const run = (repo: AppContext["repo"]) =>
        runBackup(
          {
            source: ctx.source,
            ...(ctx.blobs ? { blobs: ctx.blobs } : {}),
            repo,
            keys: ctx.keys,
            ...(req.progress ? { progress: req.progress } : {}),
            // Range tasks write into the primary store: a degraded point is scanned here.
            ...(req.fanout && repo === ctx.repo ? { fanout: req.fanout } : {}),
          },
          {
            tables,
            exclude: [s.auditTable, ...(s.stateTable ? [s.stateTable] : [])],
            excludePatterns: s.excludeTables,
            containers,
            full: req.kind === "full",
            overlapSeconds: s.overlapSeconds,
            chunkEntities: s.chunkEntities,
            waitForLockSeconds: req.waitForLockSeconds,
            settings: ctx.settingsSummary,
            retention: s.retention,
            csvBackups: s.csvBackups !== "off",
            scanConcurrency: s.scanConcurrency,
          },
        );
      if (!ctx.secondary) return run(ctx.repo);
      try {
        await ctx.repo.ensure();
      } catch (err) {
        if (!isUnreachable(err)) throw err;
        // The primary is down: the RPO holds by backing up into the secondary alone.
        const r = await run(ctx.secondary);
        return { ...r, degraded: `the primary store is unreachable (${ensureErrorType(err).message}); this point is in ${ctx.secondary.description} only, and goes to the primary when it is back` };
      }
      // Back from an outage: points taken into the secondary alone go to the primary first,
      // so this point's parent is the newest point, wherever it was taken.
      let backfilled: string[] = [];
      let backfillError: string | undefined;
      try {
        backfilled = (await replicate(ctx.secondaryCopy ?? ctx.secondary, ctx.repo, ctx.keys, req.progress, { newerOnly: true })).points;
      } catch (err) {
        backfillError = ensureErrorType(err).message;
      }
      const r = await run(ctx.repo);
      if (r.status !== "committed") return r;
      const copied = await copyToSecondary(ctx, req.progress);
      return {
        ...r,
        ...(backfillError ? { warnings: [...r.warnings, `points the secondary holds could not be copied back to the primary (next backup retries): ${backfillError}`] } : {}),
        secondary: copied,
        ...(backfilled.length > 0 ? { backfilled } : {}),
      };
    },
    backupAudit,
  );
  await recordSettingsChange(ctx, req.operator, result);
  return result;
}

/**
 * Records a `settings.change` entry when a committed backup found settings different
 * from those the previous point recorded (names, before and after; no secret is ever in
 * a summary). Throws what the audit write throws: a change must not go unrecorded.
 */
async function recordSettingsChange(ctx: AppContext, operator: string, r: TakenBackup): Promise<void> {
  if (r.status !== "committed" || r.settingsChanged.length === 0) return;
  await ctx.audit.record({
    operator,
    action: "settings.change",
    target: { settings: r.settingsChanged.map((c) => c.setting) },
    outcome: "succeeded",
    durationMs: 0,
    details: { detectedBy: r.pointId, changes: r.settingsChanged },
  });
}

/** Copies what the secondary lacks; never throws (a failure is the result's `error`). */
async function copyToSecondary(ctx: AppContext, progress?: ProgressSink): Promise<SecondaryCopy> {
  try {
    const r = await replicate(ctx.repo, ctx.secondaryCopy ?? ctx.secondary!, ctx.keys, progress);
    return { points: r.points, files: r.files, bytes: r.bytes };
  } catch (err) {
    return { error: ensureErrorType(err).message };
  }
}

/** The store could not be reached (as opposed to refusing or failing a request). */
function isUnreachable(err: unknown): boolean {
  return err instanceof LifeboatError && err.code === "STORE.UNAVAILABLE";
}
