import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { z } from "zod";
import { TOOL } from "../version";
import { auditQuery, auditVerifyQuery, drillReportQuery, drillRunQuery, exportsQuery, importsQuery, jobsQuery, pointsQuery, restoreBody, switchBody } from "./shared/api";
import { DRILL_KINDS } from "../core/drills/drill";

/** The query parameters of a zod object schema, as OpenAPI parameter objects (their JSON Schemas from zod itself). */
function parameters(schema: z.ZodObject): object[] {
  const json = z.toJSONSchema(schema, { io: "input" }) as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: (json.required ?? []).includes(name),
    ...(s.description ? { description: s.description } : {}),
    schema: s,
  }));
}

const problem = { description: "Problem details (RFC 9457)", content: { "application/problem+json": { schema: { type: "object", properties: { type: { type: "string" }, title: { type: "string" }, status: { type: "integer" }, code: { type: "string" }, detail: { type: "string" }, instance: { type: "string" }, errors: { type: "array", items: { type: "object", properties: { field: { type: "string" }, rule: { type: "string" } } } } } } } } };
const ok = (description: string) => ({ description, content: { "application/json": { schema: { type: "object" } } } });
const get = (summary: string, schema: z.ZodObject | null, description: string) => ({
  get: { summary, ...(schema ? { parameters: parameters(schema) } : {}), responses: { "200": ok(description), "400": problem, "500": problem } },
});

/** A JSON request body from its zod schema. */
const body = (schema: z.ZodType) => ({ required: true, content: { "application/json": { schema: z.toJSONSchema(schema, { io: "input" }) } } });
const notFound = { description: "No such thing", content: problem.content };
const post = (summary: string, schema: z.ZodObject, description: string) => ({
  post: {
    summary,
    requestBody: body(schema),
    responses: { "200": ok(description), "400": problem, "409": problem, "500": problem, "503": problem },
  },
});

/** The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas that validate the requests. Never throws. */
export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: { title: "Lifeboat", version: TOOL.version, description: "Disaster recovery for Azure Table and Blob Storage. Every endpoint needs a function key (x-functions-key)." },
    components: { securitySchemes: { functionKey: { type: "apiKey", in: "header", name: "x-functions-key" } } },
    security: [{ functionKey: [] }],
    paths: {
      "/api/status": get("Newest point per table against the RPO, degraded state, what * covers", null, "Status"),
      "/api/health": { get: { summary: "The checks of lifeboat doctor", responses: { "200": ok("No check failed"), "503": ok("A check failed") } } },
      "/api/points": get("Restore points, oldest first", pointsQuery, "An array of points"),
      "/api/audit": get("Audit entries in chain order", auditQuery, "{ entries, truncated }"),
      "/api/audit/verify": get("Verify the audit hash chain against the signed digests (audited)", auditVerifyQuery, "The verification report; ok says whether anything was tampered with"),
      "/api/restores": {
        post: {
          summary: "Submit a restore job (audited as restore.submit); it runs on the jobs queue, one task per table's changes, full-segment data file and container",
          requestBody: body(restoreBody),
          responses: { "202": { ...ok("The job: id, state, point, plan"), headers: { Location: { description: "/api/restores/{id}", schema: { type: "string" } } } }, "200": ok("dryRun: the plan"), "400": problem, "404": notFound, "500": problem },
        },
        ...get("Restore jobs of the last week, newest first", jobsQuery, "An array of jobs"),
      },
      "/api/imports": {
        post: {
          summary: "Import a typed CSV (Azure Storage Explorer's layout) into a table: every row is checked first; apply writes only a valid file, after a safety backup (audited as import.csv)",
          parameters: parameters(importsQuery),
          requestBody: { required: true, content: { "text/csv": { schema: { type: "string" } } } },
          responses: { "200": ok("The report: rows, written, safetyPointId"), "400": problem, "500": problem },
        },
      },
      "/api/exports": {
        get: {
          summary: "One table of a restore point as typed CSV (audited as export.csv)",
          parameters: parameters(exportsQuery),
          responses: { "200": { description: "The typed CSV", content: { "text/csv": { schema: { type: "string" } } } }, "400": problem, "404": notFound, "500": problem },
        },
      },
      "/api/restores/{id}": {
        get: {
          summary: "A restore job: state (queued, running, verifying, succeeded, failed), progress per table (entities, bytes, %), verification, error",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", pattern: "^r[0-9]{8}t[0-9]{6}-[0-9a-f]{6}$" } }],
          responses: { "200": ok("The job"), "400": problem, "404": notFound, "500": problem },
        },
      },
      "/api/failover": post("Restore the newest valid point into the failover account, verify it, switch the active endpoint (admin key; audited)", switchBody, "The failover report: point, data-loss window, time to a verified standby, switched"),
      "/api/failback": post("Back up the failover account, restore it into the primary, verify, switch back (admin key; audited)", switchBody, "The failback report"),
      "/api/ping": { get: { summary: "Liveness: { ok, role } while the app runs (anonymous; the standby probes it)", security: [], responses: { "200": ok("{ ok: true, role }") } } },
      "/api/dashboard": { get: { summary: "The on-call status page (self-contained HTML; open it with ?code=<function key>)", responses: { "200": { description: "text/html" } } } },
      "/api/drills": get("Each drill kind: last run, outcome, measured figures, next due date, overdue; the projected RTO; recent reports", null, "{ kinds, projectedRtoMinutes, projectedFrom, recent }"),
      "/api/drills/{kind}": {
        post: {
          summary: "Run a DR drill now (audited as drill); the report whatever its outcome (passed, at risk, failed, not available)",
          parameters: [{ name: "kind", in: "path", required: true, schema: { type: "string", enum: [...DRILL_KINDS] } }, ...parameters(drillRunQuery)],
          responses: { "200": ok("The drill report"), "400": problem, "500": problem },
        },
      },
      "/api/drills/reports/{id}": {
        get: {
          summary: "One drill report, as JSON or as its self-contained HTML page",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }, ...parameters(drillReportQuery)],
          responses: { "200": ok("The report"), "400": problem, "404": notFound, "500": problem },
        },
      },
      "/api/endpoint": get("The active endpoint record: what applications should use (no secret)", null, "{ account, tableServiceUri, blobServiceUri?, since, reason, failoverId }"),
    },
  };
}

/** GET /api/openapi.json */
export async function openapi(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: openApiDocument() };
}

app.http("openapi", { route: "openapi.json", methods: ["GET"], authLevel: "function", handler: openapi });
