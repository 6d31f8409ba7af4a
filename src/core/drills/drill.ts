import { Cron } from "croner";

/**
 * DR drills: the policy's scheduled tests, run by Lifeboat itself. This file holds what a
 * drill reports and the pure rules over it: the outcome, the projected RTO, when the next
 * run is due and whether one was missed.
 */

export const DRILL_KINDS = ["restore-test", "config-restore-test", "failover-simulation", "full-drill"] as const;
export type DrillKind = (typeof DRILL_KINDS)[number];

/** A step's result. `not available`: the feature it tests has not been built or configured; never counted as passed. */
export type StepOutcome = "passed" | "failed" | "not available";

/**
 * A drill's result: `passed`; `at risk` (passed, but a measured objective is missed: the
 * projected RTO, or the observed RPO); `failed` (a step failed); `not available` (no step
 * could run: nothing was tested).
 */
export type DrillOutcome = "passed" | "at risk" | "failed" | "not available";

export interface DrillStep {
  name: string;
  outcome: StepOutcome;
  /** What happened, in words (the reason when it failed or was not available). */
  detail: string;
  durationMs: number;
  /** Measured figures (entities, bytes, rates, seconds). */
  figures?: Record<string, number | string>;
}

export interface DrillFigures {
  /** Restore throughput measured by the drill's restore. */
  entitiesPerSecond?: number;
  bytesPerSecond?: number;
  /** What a full restore of today's data would restore: every table's entities and every container's bytes at the newest point. */
  dataEntities?: number;
  dataBytes?: number;
  /** Minutes a full restore of today's data would take at the measured rates. */
  projectedRtoMinutes?: number;
  /** Age of the newest point when the drill started: the data a failure then would have lost. */
  observedRpoMinutes?: number;
  /** Failover simulation: the time to a verified standby, and the data-loss window. */
  timeToStandbyMinutes?: number;
  dataLossMinutes?: number;
}

export interface DrillReport {
  id: string;
  kind: DrillKind;
  operator: string;
  startedAt: string;
  finishedAt: string;
  outcome: DrillOutcome;
  /** Why the outcome is not `passed`, in words. */
  reasons: string[];
  objectives: { rpoMinutes: number; rtoMinutes: number };
  figures: DrillFigures;
  steps: DrillStep[];
  /** Steps of the policy that people do by hand (CSV import, failback): listed to be signed off. */
  manualSteps: string[];
  /** The procedures to review after the drill, as the policy asks. */
  runbook: string;
}

/** The outcome of a drill from its steps and figures against the objectives, with the reasons. */
export function judge(steps: readonly DrillStep[], figures: DrillFigures, objectives: { rpoMinutes: number; rtoMinutes: number }): { outcome: DrillOutcome; reasons: string[] } {
  const failed = steps.filter((s) => s.outcome === "failed");
  if (failed.length > 0) return { outcome: "failed", reasons: failed.map((s) => `${s.name}: ${s.detail}`) };
  if (!steps.some((s) => s.outcome === "passed")) return { outcome: "not available", reasons: steps.map((s) => `${s.name}: ${s.detail}`) };
  const reasons: string[] = [];
  if (figures.projectedRtoMinutes !== undefined && figures.projectedRtoMinutes > objectives.rtoMinutes) {
    reasons.push(`a full restore of today's data would take ${round(figures.projectedRtoMinutes)} min at the measured rate, over the RTO of ${objectives.rtoMinutes} min`);
  }
  if (figures.timeToStandbyMinutes !== undefined && figures.timeToStandbyMinutes > objectives.rtoMinutes) {
    reasons.push(`the failover took ${round(figures.timeToStandbyMinutes)} min to a verified standby, over the RTO of ${objectives.rtoMinutes} min`);
  }
  if (figures.observedRpoMinutes !== undefined && figures.observedRpoMinutes > objectives.rpoMinutes) {
    reasons.push(`the newest point was ${round(figures.observedRpoMinutes)} min old, over the RPO of ${objectives.rpoMinutes} min`);
  }
  return { outcome: reasons.length > 0 ? "at risk" : "passed", reasons };
}

const round = (x: number): number => Math.round(x * 10) / 10;

/**
 * Minutes a full restore of `entities` and `bytes` would take at the measured rates (the
 * slower of the two decides each part: tables by entities, containers by bytes).
 * Undefined when nothing was measured.
 */
export function projectRtoMinutes(data: { entities: number; containerBytes: number }, rates: { entitiesPerSecond?: number; containerBytesPerSecond?: number }): number | undefined {
  let seconds = 0;
  let measured = false;
  if (data.entities > 0) {
    if (!rates.entitiesPerSecond || rates.entitiesPerSecond <= 0) return undefined;
    seconds += data.entities / rates.entitiesPerSecond;
    measured = true;
  }
  if (data.containerBytes > 0 && rates.containerBytesPerSecond && rates.containerBytesPerSecond > 0) {
    seconds += data.containerBytes / rates.containerBytesPerSecond;
    measured = true;
  }
  return measured ? seconds / 60 : undefined;
}

/** A drill kind's schedule: when it was last due before `now` and when it is next due. */
export function schedule(cron: string, now: Date): { previous: Date | null; next: Date | null } {
  const c = new Cron(cron, { timezone: "UTC", paused: true });
  const next = c.nextRun(now);
  // croner has no previous-run query: step back from a year before now.
  let previous: Date | null = null;
  let t = c.nextRun(new Date(now.getTime() - 366 * 86_400_000));
  while (t && t <= now) {
    previous = t;
    t = c.nextRun(t);
  }
  return { previous, next };
}

/**
 * A scheduled run was missed: the last scheduled time before `now` (plus `graceMinutes`
 * for the run itself) passed and no run of this kind started at or after it. A time
 * before `since` (when Lifeboat started protecting the data: its oldest point) was not
 * a run anyone could miss.
 */
export function isOverdue(cron: string, lastStartedAt: Date | null, now: Date, since: Date | null = null, graceMinutes = 120): boolean {
  const { previous } = schedule(cron, now);
  if (!previous || (since && previous.getTime() < since.getTime())) return false;
  if (now.getTime() - previous.getTime() < graceMinutes * 60_000) return false;
  return !lastStartedAt || lastStartedAt.getTime() < previous.getTime() - 60_000;
}
