import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { DASHBOARD_CSP, dashboardHtml } from "../core/dashboard/page";

const page = dashboardHtml();

/** GET /api/dashboard: the on-call status page (open it with ?code=<function key>; it reads the JSON endpoints with the same key). */
export async function dashboard(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  return {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": DASHBOARD_CSP, "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" },
    body: page,
  };
}

app.http("dashboard", { route: "dashboard", methods: ["GET"], authLevel: "function", handler: dashboard });
