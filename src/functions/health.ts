import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { runDoctor } from "../app/doctor/run-doctor";
import { answer } from "./shared/http";
import { quickServices } from "./shared/runtime";

/**
 * GET /api/health: the checks of `lifeboat doctor` as JSON (stores and permissions,
 * clock, key, RPO, audit chain), answering fast (one retry per store) and writing
 * nothing. 200 when no check failed, 503 otherwise.
 */
export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const report = await runDoctor(quickServices(), { operator: `http:${context.functionName}`, probeAppend: false });
    return { status: report.ok ? 200 : 503, jsonBody: report };
  });
}

app.http("health", { route: "health", methods: ["GET"], authLevel: "function", handler: health });
