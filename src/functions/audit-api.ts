import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { operatorFromHttp, type AuditEntry } from "../app/audit";
import { verifyAuditLog } from "../app/audit/use-cases";
import { auditQuery, auditVerifyQuery, instantOf, parseQuery } from "./shared/api";
import { answer } from "./shared/http";
import { services } from "./shared/runtime";

/** GET /api/audit?from&to&action&limit: audit entries in chain order (the newest `limit`; `truncated` says when more matched). */
export async function auditEntries(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const q = parseQuery(request, auditQuery);
    const from = instantOf(q.from);
    const to = instantOf(q.to);
    const out: AuditEntry[] = [];
    let truncated = false;
    for await (const e of services().audit.entries({ ...(from ? { from } : {}), ...(to ? { to } : {}), ...(q.action ? { action: q.action } : {}) })) {
      out.push(e);
      if (out.length > q.limit) {
        out.shift();
        truncated = true;
      }
    }
    return { status: 200, jsonBody: { entries: out, truncated } };
  });
}

/** GET /api/audit/verify?from&to: recomputes the hash chain against the signed digests (audited as audit.verify); 200 either way, `ok` says. */
export async function auditVerify(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const q = parseQuery(request, auditVerifyQuery);
    const operator = operatorFromHttp(request.headers, q.operator);
    const from = instantOf(q.from);
    const to = instantOf(q.to);
    const report = await verifyAuditLog(services(), { operator, range: { ...(from ? { from } : {}), ...(to ? { to } : {}) }, asked: { ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) } });
    return { status: 200, jsonBody: report };
  });
}

app.http("auditEntries", { route: "audit", methods: ["GET"], authLevel: "function", handler: auditEntries });
app.http("auditVerify", { route: "audit/verify", methods: ["GET"], authLevel: "function", handler: auditVerify });
