import { performance } from "node:perf_hooks";
import { LifeboatError } from "../../core/errors";
import { audited } from "../audit";
import { takeBackup } from "../backup/take-backup";
import type { AppContext } from "../context";
import type { EndpointRecord, Publication } from "../ports/EndpointState";
import { restorePoint } from "../restore/restore-point";
import { failoverSite, readEndpoint } from "./active-endpoint";
import type { SwitchedTable, SwitchRequest } from "./failover";
import type { FailoverContext, FailoverSite } from "./ports";
import { acquireSwitch, releaseQuietly, type HeldSwitch } from "./switch-mark";
import { checkReason, dropScratch, newFailoverId, scratchPrefix, switchEndpoint } from "./switch-endpoint";

/** What a failback did. */
export interface FailbackReport {
  failoverId: string;
  dryRun: boolean;
  /** The full backup of the failover account that was restored into the primary. */
  pointId: string;
  pointTime: string;
  /** The primary's safety backup before it was overwritten (null for a dry run). */
  safetyPointId: string | null;
  /** From the start to a restored and verified primary. */
  timeToVerifiedPrimaryMs: number;
  tables: SwitchedTable[];
  containers: string[];
  switched: boolean;
  endpoint: EndpointRecord;
  published: Publication | null;
}

/** The context reading the failover account as its source (for the backup of it). */
function standbyAsSource(ctx: FailoverContext, site: FailoverSite): AppContext {
  const { blobs: _primaryBlobs, ...rest } = ctx;
  return { ...rest, source: site.tables, ...(site.blobs ? { blobs: site.blobs } : {}), settingsSummary: site.settingsSummary };
}

/**
 * Fails back to the primary as one audited action (`failback`, or `failback.dryRun`):
 * marks a switch in progress (409 FAILOVER.IN_PROGRESS for a concurrent one), takes a
 * full backup of the failover account (so every write made there since the failover is
 * in a restore point), restores that point into the primary source account in place
 * (after the usual safety backup of the primary; audited as a `restore` of its own),
 * verifies every table, then switches the active endpoint back to the primary. Writes
 * made to the failover account after its backup started are not carried back: stop
 * writers first. A dry run takes the backup and restores it into `Drill<hex><Table>`
 * scratch tables of the primary, which are deleted afterwards; nothing is switched.
 * Throws ValidationError (reason), CONFIG.MISSING (no LIFEBOAT_FAILOVER),
 * FAILBACK.NOT_FAILED_OVER / FAILOVER.IN_PROGRESS (409), RESTORE.SAFETY_BACKUP_SKIPPED
 * when a backup could not take the lock, what the restore throws, FAILOVER.PUBLISH_FAILED,
 * or AuditWriteError.
 */
export async function failback(ctx: FailoverContext, req: SwitchRequest): Promise<FailbackReport> {
  const reason = checkReason(req.reason);
  const now = req.now ?? (() => new Date());
  const dryRun = req.dryRun === true;
  const failoverId = newFailoverId(now(), "fb");
  return audited(
    ctx.audit,
    { operator: req.operator, action: dryRun ? "failback.dryRun" : "failback", target: { account: "primary", failoverId }, details: { reason } },
    async (): Promise<FailbackReport> => {
      const site = failoverSite(ctx);
      const started = performance.now();
      const previous = await readEndpoint(ctx);
      let held: HeldSwitch | null = null;
      if (!dryRun) {
        if (previous.value.account !== "failover") throw new LifeboatError("FAILBACK.NOT_FAILED_OVER", "the primary is the active endpoint already: there is nothing to fail back");
        held = await acquireSwitch(ctx.failover.state, { failoverId, kind: "failback", operator: req.operator, startedAt: now().toISOString() }, now());
      }
      const prefix = dryRun ? scratchPrefix() : "";
      try {
        req.say?.(`taking a full backup of the failover account (${site.endpoints.tableServiceUri})`);
        const backup = await takeBackup(standbyAsSource(ctx, site), {
          operator: req.operator,
          kind: "full",
          waitForLockSeconds: 600,
          reason: `${dryRun ? "failback dry run" : "failback"} ${failoverId}: ${reason}`,
          ...(site.blobs ? {} : { containers: [] }),
          ...(req.progress ? { progress: req.progress } : {}),
        });
        if (backup.status !== "committed") throw new LifeboatError("RESTORE.SAFETY_BACKUP_SKIPPED", `the backup of the failover account was not taken (${backup.reason}); nothing was restored`);
        req.say?.(`backup of the failover account: ${backup.pointId}; restoring it into the primary ${dryRun ? `(scratch tables ${prefix}<Table>)` : "in place"}`);
        const restored = await restorePoint(ctx, {
          operator: req.operator,
          pointId: backup.pointId,
          // A dry run writes scratch tables only: no container lands in the primary.
          ...(dryRun ? { tables: backup.tables.map((t) => t.table) } : {}),
          target: dryRun ? { kind: "prefix", prefix } : { kind: "inPlace" },
          ...(req.progress ? { progress: req.progress } : {}),
          ...(req.say ? { say: req.say } : {}),
        });
        const timeToVerifiedPrimaryMs = performance.now() - started;
        const base = {
          failoverId,
          dryRun,
          pointId: restored.plan.pointId,
          pointTime: restored.plan.pointTime,
          safetyPointId: restored.safetyPointId,
          timeToVerifiedPrimaryMs,
          tables: restored.tables.map((t) => ({ table: t.table, target: t.target, entities: t.entities, digest: t.digest })),
          containers: restored.containers.map((c) => c.container),
        };
        if (dryRun) return { ...base, switched: false, endpoint: previous.value, published: null };
        const record: EndpointRecord = { account: "primary", ...ctx.failover.primary, since: now().toISOString(), reason, failoverId };
        const published = await switchEndpoint(ctx, record, previous);
        req.say?.(`switched back: the active endpoint is ${record.tableServiceUri}${published.note ? ` (${published.note})` : ""}`);
        for (const f of published.failed) req.say?.(`warning: not published to ${f.where}: ${f.error}`);
        return { ...base, switched: true, endpoint: record, published };
      } finally {
        if (dryRun) for (const f of await dropScratch(ctx.source, prefix)) req.say?.(`warning: scratch table not deleted: ${f}`);
        await releaseQuietly(held, req.say);
      }
    },
    {
      changesData: !dryRun,
      preflight: !dryRun,
      detailsOf: (r) => ({
        failoverId: r.failoverId,
        point: r.pointId,
        safetyPoint: r.safetyPointId,
        timeToVerifiedPrimaryMs: Math.round(r.timeToVerifiedPrimaryMs),
        tables: r.tables,
        ...(r.containers.length > 0 ? { containers: r.containers } : {}),
        switched: r.switched,
        ...(r.published ? { published: r.published.written, ...(r.published.failed.length > 0 ? { publishFailed: r.published.failed } : {}), ...(r.published.note ? { publishNote: r.published.note } : {}) } : {}),
      }),
      targetOf: (r) => ({ point: r.pointId }),
    },
  );
}
