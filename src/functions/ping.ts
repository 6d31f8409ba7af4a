import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";

/**
 * GET /api/ping (anonymous): answers while this app runs, and says nothing else (no
 * setting, no state). The standby in the other region probes it: it fails over only when
 * the primary source AND the primary app are down (split brain).
 */
export async function ping(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  return { status: 200, headers: { "cache-control": "no-store" }, jsonBody: { ok: true, role: process.env.LIFEBOAT_ROLE === "standby" ? "standby" : "primary" } };
}

app.http("ping", { route: "ping", methods: ["GET"], authLevel: "anonymous", handler: ping });
