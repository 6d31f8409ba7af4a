import { activeEndpoint } from "../failover/active-endpoint";
import { followActiveEndpoint } from "../failover/follow-endpoint";
import type { EndpointRecord } from "../ports/EndpointState";
import { drillsStatus } from "../drills/status";
import type { DrillDeps } from "../drills/deps";
import type { DrillOutcome, DrillKind } from "../../core/drills/drill";
import { ensureErrorType } from "../../core/errors";
import { getFullStatus, type StatusResult } from "./get-status";

/** What the on-call status adds to the RPO status: the measured RTO, the drills, the active endpoint. */
export interface OnCallStatus extends StatusResult {
  /** The projected RTO from the newest restore test, against RTO_MINUTES (null: never measured). */
  rto: { projectedMinutes: number | null; from: string | null; withinObjective: boolean | null } | { error: string };
  /** Each drill kind's last outcome and whether a scheduled run was missed. */
  drills: { kind: DrillKind; outcome: DrillOutcome | null; at: string | null; overdue: boolean }[] | { error: string };
  /** The active endpoint record (what applications use). */
  activeEndpoint: EndpointRecord | { error: string };
}

/**
 * The status for people (`lifeboat status`, GET /api/status): each table's newest point
 * against the RPO, degraded stores, what "*" covers, plus the projected RTO, the drills'
 * last outcomes and the active endpoint. A part that cannot be read says why in its
 * place; only the RPO part throws (what getFullStatus throws).
 */
export async function getOnCallStatus(ctx: DrillDeps): Promise<OnCallStatus> {
  const why = (err: unknown): { error: string } => ({ error: ensureErrorType(err).message });
  const endpoint = await activeEndpoint(ctx).catch(why);
  // After a failover the failover account is the source: what "*" covers is read there.
  const st = await getFullStatus("error" in endpoint ? ctx : (await followActiveEndpoint(ctx, endpoint)).ctx);
  const drills = await drillsStatus(ctx).catch(why);
  return {
    ...st,
    rto:
      "error" in drills
        ? drills
        : { projectedMinutes: drills.projectedRtoMinutes, from: drills.projectedFrom, withinObjective: drills.projectedRtoMinutes === null ? null : drills.projectedRtoMinutes <= st.rtoMinutes },
    drills: "error" in drills ? drills : drills.kinds.map((k) => ({ kind: k.kind, outcome: k.last?.outcome ?? null, at: k.last?.startedAt ?? null, overdue: k.overdue })),
    activeEndpoint: endpoint,
  };
}
