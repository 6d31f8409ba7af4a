import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getOnCallStatus } from "../app/status/on-call-status";
import { answer } from "./shared/http";
import { drillServices } from "./shared/runtime";

/** GET /api/status: last point per table and its age against the RPO, the projected RTO, the drills, the active endpoint (as `lifeboat status --json`). */
export async function status(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => ({ status: 200, jsonBody: await getOnCallStatus(drillServices()) }));
}

app.http("status", { route: "status", methods: ["GET"], authLevel: "function", handler: status });
