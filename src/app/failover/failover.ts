import { performance } from "node:perf_hooks";
import { LifeboatError } from "../../core/errors";
import { audited } from "../audit";
import type { EndpointRecord, Publication } from "../ports/EndpointState";
import type { ProgressSink } from "../progress";
import { failoverSite, readEndpoint } from "./active-endpoint";
import type { FailoverContext } from "./ports";
import { restoreStandby } from "./restore-standby";
import { acquireSwitch, releaseQuietly, type HeldSwitch } from "./switch-mark";
import { checkReason, dropScratch, newFailoverId, scratchPrefix, switchEndpoint } from "./switch-endpoint";

/** A failover, as an operator, the HTTP API or the probe asks for it. */
export interface SwitchRequest {
  /** From operatorFromHttp / cliOperator / timerOperator. */
  operator: string;
  /** Why (an incident, a drill): kept in the audit log, the record and the secret. */
  reason: string;
  /** Everything but the switch, into scratch tables that are deleted afterwards. */
  dryRun?: boolean;
  /** The clock (tests drive it). */
  now?: () => Date;
  progress?: ProgressSink;
  /** Lines for the person waiting. */
  say?: (line: string) => void;
}

/** One restored table of a failover or failback. */
export interface SwitchedTable {
  table: string;
  target: string;
  entities: number;
  digest: string;
}

/** What a failover did and measured. */
export interface FailoverReport {
  failoverId: string;
  dryRun: boolean;
  pointId: string;
  pointTime: string;
  /** Why the newest point was passed over, when it was. */
  note?: string;
  /** The age of the point used when the standby was verified: writes to the primary after it are not in the standby. */
  dataLossWindowSeconds: number;
  /** From the start to a restored and verified standby. */
  timeToVerifiedStandbyMs: number;
  tables: SwitchedTable[];
  containers: string[];
  /** Containers of the point not restored (the failover account has no blob endpoint, or a dry run). */
  containersSkipped: string[];
  switched: boolean;
  /** The active endpoint afterwards. */
  endpoint: EndpointRecord;
  /** Where the switch was published (null for a dry run). */
  published: Publication | null;
}

const reportDetails = (r: FailoverReport): Record<string, unknown> => ({
  failoverId: r.failoverId,
  point: r.pointId,
  pointTime: r.pointTime,
  dataLossWindowSeconds: r.dataLossWindowSeconds,
  timeToVerifiedStandbyMs: Math.round(r.timeToVerifiedStandbyMs),
  tables: r.tables.map((t) => ({ table: t.table, target: t.target, entities: t.entities, digest: t.digest })),
  ...(r.containers.length > 0 ? { containers: r.containers } : {}),
  ...(r.containersSkipped.length > 0 ? { containersSkipped: r.containersSkipped } : {}),
  switched: r.switched,
  ...(r.published ? { published: r.published.written, ...(r.published.failed.length > 0 ? { publishFailed: r.published.failed } : {}), ...(r.published.note ? { publishNote: r.published.note } : {}) } : {}),
});

/**
 * Fails over to the failover account as one audited action (`failover`, or
 * `failover.dryRun`): marks a switch in progress (ETag'd, so a concurrent one gets
 * FAILOVER.IN_PROGRESS, 409), restores the newest restore point that opens into the
 * failover account's tables in place (a standby: no safety backup), verifies every table,
 * and only then switches the active endpoint (state record, then the Key Vault secret).
 * A dry run does everything but the switch, into `Drill<hex><Table>` scratch tables of
 * the failover account that are deleted afterwards; it takes no mark.
 * Throws ValidationError (reason), CONFIG.MISSING (no LIFEBOAT_FAILOVER),
 * FAILOVER.ALREADY_ACTIVE / FAILOVER.IN_PROGRESS (409), what the restore throws
 * (nothing is switched then), FAILOVER.PUBLISH_FAILED, or AuditWriteError.
 */
export async function failover(ctx: FailoverContext, req: SwitchRequest): Promise<FailoverReport> {
  const reason = checkReason(req.reason);
  const now = req.now ?? (() => new Date());
  const dryRun = req.dryRun === true;
  const failoverId = newFailoverId(now());
  return audited(
    ctx.audit,
    { operator: req.operator, action: dryRun ? "failover.dryRun" : "failover", target: { account: "failover", failoverId }, details: { reason } },
    async (): Promise<FailoverReport> => {
      const site = failoverSite(ctx);
      const started = performance.now();
      let held: HeldSwitch | null = null;
      let previous: Awaited<ReturnType<typeof readEndpoint>> | null = null;
      if (!dryRun) {
        previous = await readEndpoint(ctx);
        if (previous.value.account === "failover") {
          throw new LifeboatError("FAILOVER.ALREADY_ACTIVE", `the failover account is the active endpoint since ${previous.value.since ?? "?"} (${previous.value.failoverId ?? "?"}); fail back first (lifeboat failback)`);
        }
        held = await acquireSwitch(ctx.failover.state, { failoverId, kind: "failover", operator: req.operator, startedAt: now().toISOString() }, now());
      }
      const prefix = dryRun ? scratchPrefix() : "";
      try {
        req.say?.(`${dryRun ? "dry run: restoring into scratch tables " + prefix + "<Table>" : "restoring"} in the failover account (${site.endpoints.tableServiceUri})`);
        const standby = await restoreStandby(ctx, site, dryRun ? { kind: "prefix", prefix } : { kind: "inPlace" }, req.progress);
        const timeToVerifiedStandbyMs = performance.now() - started;
        const plan = standby.result.plan;
        req.say?.(`standby verified: point ${plan.pointId} (${plan.pointTime}), ${standby.result.tables.length} table(s), in ${(timeToVerifiedStandbyMs / 1000).toFixed(1)} s`);
        const base = {
          failoverId,
          dryRun,
          pointId: plan.pointId,
          pointTime: plan.pointTime,
          ...(standby.note ? { note: standby.note } : {}),
          timeToVerifiedStandbyMs,
          tables: standby.result.tables.map((t) => ({ table: t.table, target: t.target, entities: t.entities, digest: t.digest })),
          containers: standby.result.containers.map((c) => c.container),
          containersSkipped: standby.containersSkipped,
        };
        if (dryRun || !previous) {
          const endpoint = (await readEndpoint(ctx)).value;
          return { ...base, dataLossWindowSeconds: ageSeconds(plan.pointTime, now()), switched: false, endpoint, published: null };
        }
        const switchedAt = now();
        const record: EndpointRecord = { account: "failover", ...site.endpoints, since: switchedAt.toISOString(), reason, failoverId };
        const published = await switchEndpoint(ctx, record, previous);
        req.say?.(`switched: the active endpoint is ${record.tableServiceUri}${published.note ? ` (${published.note})` : published.written.length > 0 ? ` (published to ${published.written.join(", ")})` : ""}`);
        for (const f of published.failed) req.say?.(`warning: not published to ${f.where}: ${f.error}`);
        return { ...base, dataLossWindowSeconds: ageSeconds(plan.pointTime, switchedAt), switched: true, endpoint: record, published };
      } finally {
        if (dryRun) {
          // Listed rather than taken from the result: a restore that failed midway leaves scratch tables too.
          const failures = await dropScratch(site.tables, prefix);
          for (const f of failures) req.say?.(`warning: scratch table not deleted: ${f}`);
        }
        await releaseQuietly(held, req.say);
      }
    },
    { changesData: !dryRun, preflight: !dryRun, detailsOf: reportDetails, targetOf: (r) => ({ point: r.pointId }) },
  );
}

/** Whole seconds from a point's time to `at` (never negative). */
export function ageSeconds(pointTime: string, at: Date): number {
  return Math.max(0, Math.round((at.getTime() - Date.parse(pointTime)) / 1000));
}
