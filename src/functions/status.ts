import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getStatus } from "../app/status/get-status";
import { ensureErrorType } from "../core/errors";
import { services } from "./shared/runtime";

/** GET /api/status: last point per table and its age against the RPO (as `lifeboat status --json`). */
export async function status(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const s = services();
    const body = await getStatus({ repo: s.repo }, { tables: s.config.tables, rpoMinutes: s.config.rpoMinutes, rtoMinutes: s.config.rtoMinutes });
    return { status: 200, jsonBody: body };
  } catch (err) {
    const e = ensureErrorType(err);
    context.error(`status failed: ${e.message}`);
    return { status: 500, jsonBody: { error: e.message } };
  }
}

app.http("status", { route: "status", methods: ["GET"], authLevel: "function", handler: status });
