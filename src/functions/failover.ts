import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from "@azure/functions";
import { operatorFromHttp, refused, timerOperator } from "../app/audit";
import { activeEndpoint } from "../app/failover/active-endpoint";
import { failback } from "../app/failover/failback";
import { failover } from "../app/failover/failover";
import { runPrimaryProbe, type ProbeResult } from "../app/failover/probe";
import { probeSchedule } from "../config";
import type { AuditAction } from "../core/audit/chain";
import { ensureErrorType, LifeboatError } from "../core/errors";
import { servicesReadingFrom, type Services } from "../services";
import { noParameters, parseBody, parseQuery, readJsonBody, switchBody } from "./shared/api";
import { answer } from "./shared/http";
import { logProgress, services, warnIfLate } from "./shared/runtime";

/** The services with the repository falling back to the secondary store when the primary is unreachable (as `--from auto`). */
function readingAuto(context: InvocationContext): Services {
  return servicesReadingFrom(services(), "auto", (note) => context.warn(`lifeboat.event=store_fallback ${note}`));
}

/**
 * Parses and validates a failover/failback body and its operator. A refusal is audited
 * (as `action`, or its dry run) before the 400 goes out; when even that record cannot be
 * written the 400 still goes out, and the log says so.
 */
async function switchInput(request: HttpRequest, context: InvocationContext, action: "failover" | "failback") {
  let raw: Record<string, unknown> = {};
  try {
    raw = await readJsonBody(request);
    const body = parseBody(raw, switchBody);
    return { body, operator: operatorFromHttp(request.headers, body.operator) };
  } catch (err) {
    if (err instanceof LifeboatError && err.fault === "user") {
      let operator = "unknown (refused before naming an operator)";
      try {
        operator = operatorFromHttp(request.headers, typeof raw.operator === "string" ? raw.operator : undefined);
      } catch {
        // no usable operator: recorded as unknown
      }
      const audited: AuditAction = raw.dryRun === true ? `${action}.dryRun` : action;
      try {
        await refused(services().audit, { operator, action: audited }, err.message);
      } catch (auditErr) {
        context.warn(`${context.functionName}: the refusal could not be audited: ${ensureErrorType(auditErr).message}`);
      }
    }
    throw err;
  }
}

/** POST /api/failover { reason, dryRun?, operator? }: restore the newest valid point into the failover account, verify it, switch the active endpoint (409 when one is running). */
export async function failoverHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const { body, operator } = await switchInput(request, context, "failover");
    const report = await failover(readingAuto(context), { operator, reason: body.reason, dryRun: body.dryRun === true, progress: logProgress(context), say: (l) => context.log(l) });
    if (report.switched) context.warn(`lifeboat.event=failover_done failover_id=${report.failoverId} point=${report.pointId} data_loss_seconds=${report.dataLossWindowSeconds} ms=${Math.round(report.timeToVerifiedStandbyMs)}`);
    return { status: 200, jsonBody: report };
  });
}

/** POST /api/failback { reason, dryRun?, operator? }: back up the failover account, restore it into the primary, verify, switch back. */
export async function failbackHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const { body, operator } = await switchInput(request, context, "failback");
    const report = await failback(readingAuto(context), { operator, reason: body.reason, dryRun: body.dryRun === true, progress: logProgress(context), say: (l) => context.log(l) });
    if (report.switched) context.warn(`lifeboat.event=failback_done failover_id=${report.failoverId} point=${report.pointId}`);
    return { status: 200, jsonBody: report };
  });
}

/** GET /api/endpoint: the active endpoint record (what applications should use; no secret in it). */
export async function endpoint(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    parseQuery(request, noParameters);
    return { status: 200, jsonBody: await activeEndpoint(services()) };
  });
}

/** The log line of a probe: the alert keys on `lifeboat.event=primary_down` (error level). */
function logProbe(r: ProbeResult, context: InvocationContext, afterMinutes: number): void {
  const down = `down_minutes=${Math.floor(r.downMinutes)} after_minutes=${afterMinutes}`;
  switch (r.action) {
    case "ok":
      context.log("lifeboat.event=primary_ok");
      return;
    case "skipped":
      context.log("lifeboat.event=probe_skipped another instance probed at the same moment");
      return;
    case "waiting":
      context.warn(`lifeboat.event=primary_failing ${down} ${r.error ?? ""}`);
      return;
    case "alert":
      context.error(`lifeboat.event=primary_down ${down} auto_failover=${r.auto ? "on" : "off"} ${r.error ?? ""}`);
      return;
    case "failover":
      context.error(`lifeboat.event=primary_down ${down} auto_failover=on: failing over ${r.error ?? ""}`);
      if (r.failover) context.warn(`lifeboat.event=failover_done failover_id=${r.failover.failoverId} point=${r.failover.pointId} data_loss_seconds=${r.failover.dataLossWindowSeconds} ms=${Math.round(r.failover.timeToVerifiedStandbyMs)}`);
      if (r.failoverError) context.error(`lifeboat.event=failover_failed ${r.failoverError} (not retried for this outage: run lifeboat failover)`);
      return;
    case "already_triggered":
    case "in_progress":
    case "failed_over":
      context.warn(`lifeboat.event=primary_down ${down} ${r.action.replace("_", " ")}: not failing over again ${r.error ?? ""}`);
      return;
  }
}

/** Timer: probes the primary source account; after LIFEBOAT_FAILOVER_AFTER_MINUTES of continuous failure fails over (LIFEBOAT_AUTO_FAILOVER=on) or logs primary_down. */
export async function primaryProbe(timer: Timer, context: InvocationContext): Promise<ProbeResult> {
  warnIfLate(timer, context);
  const s = readingAuto(context);
  const r = await runPrimaryProbe(s, { operator: timerOperator(context.functionName) });
  logProbe(r, context, s.failover.afterMinutes);
  return r;
}

app.http("failover", { route: "failover", methods: ["POST"], authLevel: "admin", handler: failoverHttp });
app.http("failback", { route: "failback", methods: ["POST"], authLevel: "admin", handler: failbackHttp });
app.http("endpoint", { route: "endpoint", methods: ["GET"], authLevel: "function", handler: endpoint });
app.timer("primaryProbe", { schedule: probeSchedule(process.env), handler: primaryProbe });
