import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from "@azure/functions";
import { operatorFromHttp, refused, timerOperator } from "../app/audit";
import { drillsStatus, loadReport, runDrill } from "../app/drills";
import { drillSchedules } from "../config";
import { classify } from "../core/errors";
import type { DrillKind, DrillReport } from "../core/drills/drill";
import { drillKindParam, drillReportParam, drillReportQuery, drillRunQuery, parseParam, parseQuery } from "./shared/api";
import { answer } from "./shared/http";
import { drillServices, services, warnIfLate } from "./shared/runtime";

/** The log line the Bicep alerts key on: drill_passed, drill_at_risk, drill_failed (error level), drill_not_available. */
function logOutcome(r: DrillReport, context: InvocationContext): void {
  const line = `lifeboat.event=drill_${r.outcome.replace(" ", "_")} kind=${r.kind} report=${r.id}${r.reasons.length > 0 ? ` ${r.reasons.join("; ")}` : ""}`;
  if (r.outcome === "failed") context.error(line);
  else if (r.outcome === "passed") context.log(line);
  else context.warn(line);
}

async function drill(kind: DrillKind, timer: Timer, context: InvocationContext): Promise<DrillReport> {
  warnIfLate(timer, context);
  const r = await runDrill(drillServices(), { kind, operator: timerOperator(context.functionName), say: (l) => context.log(l) });
  logOutcome(r, context);
  return r;
}

/** Timers: the policy's drill schedule (LIFEBOAT_DRILL_*_SCHEDULE). */
export const restoreTestDrill = (t: Timer, c: InvocationContext): Promise<DrillReport> => drill("restore-test", t, c);
export const configRestoreTestDrill = (t: Timer, c: InvocationContext): Promise<DrillReport> => drill("config-restore-test", t, c);
export const failoverSimulationDrill = (t: Timer, c: InvocationContext): Promise<DrillReport> => drill("failover-simulation", t, c);
export const fullDrill = (t: Timer, c: InvocationContext): Promise<DrillReport> => drill("full-drill", t, c);

/** POST /api/drills/{kind}?operator: runs a drill now; 200 with its report (whatever its outcome). */
export async function runDrillNow(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let operator = "asserted:unknown (the request named nobody)";
  return answer(context, async () => {
    try {
      const kind = parseParam(request, "kind", drillKindParam);
      operator = operatorFromHttp(request.headers, parseQuery(request, drillRunQuery).operator);
      const r = await runDrill(drillServices(), { kind, operator });
      logOutcome(r, context);
      return { status: 200, jsonBody: r };
    } catch (err) {
      if (classify(err).fault === "user") await refused(services().audit, { operator, action: "drill" }, err).catch((e: unknown) => context.warn(`the refusal could not be audited: ${String(e)}`));
      throw err;
    }
  });
}

/** GET /api/drills: each kind's last run, outcome, figures, next due date and overdue flag; the projected RTO. */
export async function drills(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => ({ status: 200, jsonBody: await drillsStatus(drillServices()) }));
}

/** GET /api/drills/reports/{id}?format=json|html: one report. */
export async function drillReport(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const id = parseParam(request, "id", drillReportParam);
    const { format } = parseQuery(request, drillReportQuery);
    const s = services();
    const r = await loadReport(s.repo, s.keys, id, format);
    return typeof r === "string" ? { status: 200, headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'" }, body: r } : { status: 200, jsonBody: r };
  });
}

const schedules = drillSchedules(process.env);
app.timer("restoreTestDrill", { schedule: schedules["restore-test"], handler: restoreTestDrill });
app.timer("configRestoreTestDrill", { schedule: schedules["config-restore-test"], handler: configRestoreTestDrill });
app.timer("failoverSimulationDrill", { schedule: schedules["failover-simulation"], handler: failoverSimulationDrill });
app.timer("fullDrill", { schedule: schedules["full-drill"], handler: fullDrill });
app.http("runDrill", { route: "drills/{kind}", methods: ["POST"], authLevel: "function", handler: runDrillNow });
app.http("drills", { route: "drills", methods: ["GET"], authLevel: "function", handler: drills });
app.http("drillReport", { route: "drills/reports/{id}", methods: ["GET"], authLevel: "function", handler: drillReport });
