import { DRILL_KINDS, isOverdue, schedule, type DrillKind } from "../../core/drills/drill";
import type { DrillDeps } from "./deps";
import { listPoints } from "../repo/catalog";
import { listReports, type DrillSummary } from "./reports";

/** One drill kind as the status page and `lifeboat drills` show it. */
export interface DrillKindStatus {
  kind: DrillKind;
  schedule: string;
  last: DrillSummary | null;
  /** The last run that did not fail, when the last one failed. */
  lastPassed: DrillSummary | null;
  nextDue: string | null;
  /** A scheduled run was missed (the host was down, or the timer never ran) since the oldest restore point. */
  overdue: boolean;
}

export interface DrillsStatus {
  kinds: DrillKindStatus[];
  /** The projected RTO from the newest restore test (or full drill) that measured one. */
  projectedRtoMinutes: number | null;
  projectedFrom: string | null;
  recent: DrillSummary[];
}

/** Each drill kind's last run, next due date and overdue flag; the projected RTO; the recent reports. Throws what listing throws. */
export async function drillsStatus(deps: Pick<DrillDeps, "repo" | "schedules" | "now">): Promise<DrillsStatus> {
  const now = (deps.now ?? (() => new Date()))();
  const reports = await listReports(deps.repo);
  const oldest = (await listPoints(deps.repo))[0]?.time ?? null;
  const kinds = DRILL_KINDS.map((kind): DrillKindStatus => {
    const mine = reports.filter((r) => r.kind === kind);
    const last = mine.at(-1) ?? null;
    const cron = deps.schedules[kind];
    return {
      kind,
      schedule: cron,
      last,
      lastPassed: [...mine].reverse().find((r) => r.outcome === "passed" || r.outcome === "at risk") ?? null,
      nextDue: schedule(cron, now).next?.toISOString() ?? null,
      overdue: oldest !== null && isOverdue(cron, last ? new Date(last.startedAt) : null, now, oldest),
    };
  });
  const measured = [...reports].reverse().find((r) => r.projectedRtoMinutes !== undefined);
  return { kinds, projectedRtoMinutes: measured?.projectedRtoMinutes ?? null, projectedFrom: measured?.id ?? null, recent: reports.slice(-20).reverse() };
}
