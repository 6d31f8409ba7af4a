import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from "@azure/functions";
import type { Registration } from "./functions-host";
import { triggerOf } from "./functions-host";

function matches(route: string, path: string): Record<string, string> | null {
  const r = route.replace(/^\/+|\/+$/g, "").split("/");
  const p = path.replace(/^\/+|\/+$/g, "").split("/");
  if (r.length !== p.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < r.length; i++) {
    const seg = r[i] as string;
    const m = /^\{([^}:?]+)(:[^}]*)?\??\}$/.exec(seg);
    if (m) params[m[1] as string] = decodeURIComponent(p[i] as string);
    else if (seg.toLowerCase() !== (p[i] as string).toLowerCase()) return null;
  }
  return params;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Serves the registered HTTP functions on localhost under /api/<route>, turning each
 * request into an `HttpRequest` and `InvocationContext` as the Functions host would.
 * Function keys are not checked locally.
 */
export function serveHttpFunctions(registrations: readonly Registration[], port: number, log: (line: string) => void): Promise<Server> {
  const http = registrations.filter((r) => triggerOf(r).type === "httpTrigger");
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? "/", `http://localhost:${port}`);
      const method = (req.method ?? "GET").toUpperCase();
      for (const r of http) {
        const t = triggerOf(r);
        const params = url.pathname.startsWith("/api/") ? matches(String(t.route ?? r.name), url.pathname.slice(5)) : null;
        if (!params) continue;
        if (t.methods && !t.methods.map((m) => m.toUpperCase()).includes(method)) continue;
        const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
        const request = new HttpRequest({
          method,
          url: url.toString(),
          headers,
          params,
          ...(body && body.length > 0 ? { body: { bytes: body } } : {}),
        });
        const context = new InvocationContext({ functionName: r.name, invocationId: crypto.randomUUID() });
        const started = Date.now();
        let out: HttpResponseInit;
        try {
          out = ((await r.handler(request, context)) ?? {}) as HttpResponseInit;
        } catch (err) {
          out = { status: 500, jsonBody: { error: err instanceof Error ? err.message : String(err) } };
        }
        const status = out.status ?? 200;
        const payload =
          out.jsonBody !== undefined
            ? JSON.stringify(out.jsonBody, null, 2)
            : typeof out.body === "string"
              ? out.body
              : out.body
                ? Buffer.from(await new HttpResponse(out).arrayBuffer()) // a stream (GET /api/exports), read as the host does with streaming off
                : "";
        res.writeHead(status, {
          "content-type": out.jsonBody !== undefined ? "application/json" : "text/plain; charset=utf-8",
          ...(out.headers as Record<string, string> | undefined),
        });
        res.end(payload);
        log(`${method} ${url.pathname} -> ${status} (${r.name}, ${Date.now() - started} ms)`);
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `no function serves ${method} ${url.pathname}`, functions: http.map((r) => `/api/${String(triggerOf(r).route ?? r.name)}`) }));
    })();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
