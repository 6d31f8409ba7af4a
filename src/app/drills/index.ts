/** DR drills: the policy's scheduled tests, run and measured by Lifeboat, with their reports. */
export type { DrillDeps } from "./deps";
export { runDrill, RUNBOOK, type DrillRun } from "./run-drill";
export { drillsStatus, type DrillsStatus, type DrillKindStatus } from "./status";
export { isDrillId, listReports, loadReport, type DrillSummary } from "./reports";
