import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { audited } from "../audit";
import { listPoints, loadManifest } from "../repo/catalog";
import { judge, projectRtoMinutes, type DrillFigures, type DrillKind, type DrillReport, type DrillStep } from "../../core/drills/drill";
import { errorText } from "../audit/audited";
import type { DrillDeps, StepResult } from "./deps";
import { newDrillId, saveReport } from "./reports";
import { scratchPrefix } from "../failover/switch-endpoint";
import { configRestoreTest, csvRoundTrip, failoverSimulation, pointInTimeRestores, removeScratch, restoreTest } from "./steps";

/** The procedures every drill report links, for the review the policy asks for after each test. */
export const RUNBOOK = "docs/runbook.md";

/** The policy's steps that people do by hand: a full drill lists them for sign-off. */
export const MANUAL_STEPS = [
  "CSV import when automated restore fails: export a table (lifeboat export-csv) and import it with Azure Storage Explorer or lifeboat import-csv, on a scratch table",
  "Failback after a failover: lifeboat failback --reason … once the primary is healthy; check the application reads the primary again (GET /api/endpoint)",
  "Switching the application to restored tables after a point-in-time restore into new tables (compare, then switch)",
  "Review docs/runbook.md against what this drill did, and file what has to change",
];

export interface DrillRun {
  kind: DrillKind;
  operator: string;
  /** Lines for the person waiting. */
  say?: (line: string) => void;
}

async function step(steps: DrillStep[], name: string, fn: () => Promise<StepResult>): Promise<StepResult> {
  const started = performance.now();
  let r: StepResult;
  try {
    r = await fn();
  } catch (err) {
    r = { outcome: "failed", detail: errorText(err) ?? "failed" };
  }
  steps.push({ name, outcome: r.outcome, detail: r.detail, durationMs: Math.round(performance.now() - started), ...(r.figures ? { figures: r.figures } : {}) });
  return r;
}

/** Entities at the newest point (what a full restore of today's data restores) and its time. */
async function dataAtNewest(deps: DrillDeps): Promise<{ entities: number; pointTime: Date | null }> {
  const newest = (await listPoints(deps.repo)).at(-1);
  if (!newest) return { entities: 0, pointTime: null };
  // Each segment records the table's complete key count at the point, incremental or full.
  const m = await loadManifest(deps.repo, deps.keys, newest.id);
  return { entities: Object.values(m.tables).reduce((n, seg) => n + seg.keyCount, 0), pointTime: newest.time };
}

/**
 * Runs one drill as one audited `drill` action: its steps (each `passed`, `failed` or
 * `not available`, never skipped silently), the measured objectives, the outcome
 * (`passed`, `at risk`, `failed`, `not available`), a report (JSON and HTML) written to
 * the repository, and the scratch copies removed whatever happened. Resolves with the
 * report; the audit entry is `failed` when the drill failed. Throws AuditWriteError,
 * or the store's error when the report cannot be written.
 */
export async function runDrill(deps: DrillDeps, run: DrillRun): Promise<DrillReport> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const id = newDrillId(run.kind, startedAt, randomBytes(3).toString("hex"));
  return audited(
    deps.audit,
    { operator: run.operator, action: "drill", target: { kind: run.kind, report: id } },
    async (): Promise<DrillReport> => {
      const steps: DrillStep[] = [];
      const figures: DrillFigures = {};
      await deps.repo.ensure(); // the report is written there, whatever the drill finds
      const data = await dataAtNewest(deps);
      if (data.pointTime) figures.observedRpoMinutes = (startedAt.getTime() - data.pointTime.getTime()) / 60_000;
      const prefix = scratchPrefix();
      const cleanup: string[] = [];
      let restored: Awaited<ReturnType<typeof restoreTest>>["restored"] | null = null;
      try {
        if (run.kind === "restore-test" || run.kind === "full-drill") {
          run.say?.(`restore test: the newest point into scratch tables ${prefix}<Table>`);
          const r = (await step(steps, "restore test", () => restoreTest(deps, prefix, cleanup))) as Awaited<ReturnType<typeof restoreTest>>;
          restored = r.restored ?? null;
          if (r.measured) {
            figures.entitiesPerSecond = r.measured.entitiesPerSecond;
            if (r.measured.containerBytesPerSecond) figures.bytesPerSecond = r.measured.containerBytesPerSecond;
            figures.dataEntities = data.entities;
            figures.dataBytes = r.measured.bytes;
            const projected = projectRtoMinutes({ entities: data.entities, containerBytes: r.measured.bytes }, { entitiesPerSecond: r.measured.entitiesPerSecond, ...(r.measured.containerBytesPerSecond ? { containerBytesPerSecond: r.measured.containerBytesPerSecond } : {}) });
            if (projected !== undefined) figures.projectedRtoMinutes = projected;
          }
        }
        if (run.kind === "config-restore-test" || run.kind === "full-drill") {
          run.say?.("config restore test: the newest config export into scratch containers");
          await step(steps, "config restore test", () => configRestoreTest(deps, `${prefix}c`, cleanup));
        }
        if (run.kind === "failover-simulation" || run.kind === "full-drill") {
          run.say?.("failover simulation: a failover dry run from the secondary store");
          const r = (await step(steps, "failover simulation", () => failoverSimulation(deps, run.operator))) as Awaited<ReturnType<typeof failoverSimulation>>;
          if (r.timeToStandbyMinutes !== undefined) figures.timeToStandbyMinutes = r.timeToStandbyMinutes;
          if (r.dataLossMinutes !== undefined) figures.dataLossMinutes = r.dataLossMinutes;
        }
        if (run.kind === "full-drill") {
          run.say?.("point-in-time restores at random points across the retention window");
          await step(steps, "point-in-time restores", () => pointInTimeRestores(deps, 3, cleanup));
          await step(steps, "CSV export and import round trip", () => csvRoundTrip(deps, prefix, restored ?? null, run.operator));
        }
      } finally {
        const failures = await removeScratch(deps, prefix, cleanup);
        if (failures.length > 0) steps.push({ name: "remove scratch copies", outcome: "failed", detail: failures.join("; "), durationMs: 0 });
      }
      const objectives = { rpoMinutes: deps.config.rpoMinutes, rtoMinutes: deps.config.rtoMinutes };
      const { outcome, reasons } = judge(steps, figures, objectives);
      const report: DrillReport = {
        id,
        kind: run.kind,
        operator: run.operator,
        startedAt: startedAt.toISOString(),
        finishedAt: now().toISOString(),
        outcome,
        reasons,
        objectives,
        figures,
        steps,
        manualSteps: run.kind === "full-drill" ? MANUAL_STEPS : [],
        runbook: RUNBOOK,
      };
      await saveReport(deps.repo, deps.keys, report);
      return report;
    },
    {
      failureOf: (r) => (r.outcome === "failed" ? r.reasons.join("; ") : undefined),
      detailsOf: (r) => ({ outcome: r.outcome, reasons: r.reasons, figures: r.figures, steps: r.steps.map((s) => `${s.name}: ${s.outcome}`) }),
    },
  );
}
