import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { listPoints } from "../app/repo/catalog";
import { instantOf, parseQuery, pointsQuery } from "./shared/api";
import { answer } from "./shared/http";
import { services } from "./shared/runtime";

/** GET /api/points?from&to: the restore points (id, kind, time, parent, entities, bytes, tables), oldest first. */
export async function points(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const q = parseQuery(request, pointsQuery);
    const from = instantOf(q.from);
    const to = instantOf(q.to);
    const list = (await listPoints(services().repo)).filter((p) => (!from || p.time >= from) && (!to || p.time <= to));
    return { status: 200, jsonBody: list.map((p) => ({ ...p, time: p.time.toISOString() })) };
  });
}

app.http("points", { route: "points", methods: ["GET"], authLevel: "function", handler: points });
