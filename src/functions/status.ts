import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getFullStatus } from "../app/status/get-status";
import { answer } from "./shared/http";
import { services } from "./shared/runtime";

/** GET /api/status: last point per table and its age against the RPO (as `lifeboat status --json`). */
export async function status(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => ({ status: 200, jsonBody: await getFullStatus(services()) }));
}

app.http("status", { route: "status", methods: ["GET"], authLevel: "function", handler: status });
