import { randomBytes } from "node:crypto";
import { HttpRequest, InvocationContext, type HttpResponseInit } from "@azure/functions";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../src/config";
import { auditEntries, auditVerify } from "../../src/functions/audit-api";
import { endpoint, failbackHttp, failoverHttp } from "../../src/functions/failover";
import { health } from "../../src/functions/health";
import { openapi } from "../../src/functions/openapi";
import { restoreJob, submitRestore } from "../../src/functions/restores";
import { points } from "../../src/functions/points";
import { resetServices } from "../../src/functions/shared/runtime";
import { status } from "../../src/functions/status";
import { createServices } from "../../src/services";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

type Handler = (r: HttpRequest, c: InvocationContext) => Promise<HttpResponseInit>;
const call = (h: Handler, query = "", headers: Record<string, string> = {}): Promise<HttpResponseInit> =>
  h(new HttpRequest({ method: "GET", url: `http://localhost/api/x${query ? `?${query}` : ""}`, headers }), new InvocationContext({ functionName: "test", invocationId: "inv-1" }));

let settings: Record<string, string>;
let ids: string[] = [];

beforeAll(async () => {
  const table = uniqueTable("Api");
  const s = testServices([table]);
  settings = s.settings;
  await seedTable(s.source, table, makeRecords(10, 1, 1));
  ids = [];
  for (let i = 0; i < 3; i++) ids.push((await cli(["backup"], settings)).stdout.trim());
});
afterEach(() => resetServices());
const wire = (): void => resetServices(createServices(loadConfig(settings)));

describe("the read endpoints", () => {
  it("GET /api/points lists points, filtered by time; bad or unknown parameters are a 400 naming each", async () => {
    wire();
    const all = await call(points);
    expect(all.status).toBe(200);
    expect((all.jsonBody as { id: string }[]).map((p) => p.id)).toEqual(ids);
    const after = await call(points, `from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(after.jsonBody).toEqual([]);
    const bad = await call(points, "from=yesterday&color=blue");
    expect(bad.status).toBe(400);
    expect(bad.headers).toEqual({ "content-type": "application/problem+json" });
    const errors = (bad.jsonBody as { errors: { field: string; rule: string }[] }).errors;
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: "from", rule: expect.stringMatching(/ISO-8601/) as string }), { field: "color", rule: "is not a parameter of this endpoint" }]));
  });

  it("GET /api/audit filters by action and keeps the newest `limit` entries", async () => {
    wire();
    const r = await call(auditEntries, "action=backup&limit=2");
    expect(r.status).toBe(200);
    const body = r.jsonBody as { entries: { action: string }[]; truncated: boolean };
    expect(body.truncated).toBe(true);
    expect(body.entries.map((e) => e.action)).toEqual(["backup.incremental", "backup.incremental"]);
    expect((await call(auditEntries, "action=nonsense")).status).toBe(400);
  });

  it("GET /api/audit/verify needs an operator, verifies, and is audited", async () => {
    wire();
    const anonymous = await call(auditVerify);
    expect(anonymous.status).toBe(400);
    expect((anonymous.jsonBody as { errors: { field: string }[] }).errors[0]?.field).toBe("operator");
    const r = await call(auditVerify, "operator=bob");
    expect(r.status).toBe(200);
    expect(r.jsonBody).toMatchObject({ ok: true });
    const signedIn = await call(auditVerify, "", { "x-ms-client-principal-name": "alice@contoso.com" });
    expect(signedIn.status).toBe(200);
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "audit.verify"], settings)).stdout) as { operator: string }[];
    expect(audit.map((e) => e.operator)).toEqual(["asserted:bob", "entra:alice@contoso.com"]);
  });

  it("GET /api/openapi.json is OpenAPI 3.1 with the parameters of the schemas that validate requests", async () => {
    const r = await call(openapi);
    const doc = r.jsonBody as { openapi: string; paths: Record<string, { get: { parameters?: { name: string; in: string; schema: { type?: string } }[] } }> };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/points"]!.get.parameters!.map((p) => p.name)).toEqual(["from", "to"]);
    expect(doc.paths["/api/audit"]!.get.parameters!.map((p) => p.name)).toEqual(["from", "to", "action", "limit"]);
    expect(doc.paths["/api/audit/verify"]!.get.parameters!.map((p) => p.name)).toEqual(["from", "to", "operator"]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/status", "/api/health", "/api/restores", "/api/restores/{id}"]));
    const post = (doc.paths["/api/restores"] as unknown as { post: { requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown> } } } } } }).post;
    expect(Object.keys(post.requestBody.content["application/json"].schema.properties)).toEqual(["at", "pointId", "tables", "containers", "target", "from", "dryRun", "operator"]);
  });

  it("random query strings never yield a 5xx", async () => {
    wire();
    const pieces = ["from", "to", "action", "limit", "operator", "x", "__proto__", "constructor", "%", "é", "😀", "", "a".repeat(300)];
    const values = ["", "0", "-1", "99999999", "NaN", "2026-13-45T99:99:99Z", "2026-11-26T03:00:00Z", "backup", "backup.full", "%zz", "'", "\"", "<script>", "😀", "\u0000", "a".repeat(2000)];
    const pick = <T>(xs: readonly T[]): T => xs[randomBytes(1)[0]! % xs.length]!;
    const handlers: Handler[] = [points, auditEntries, auditVerify, openapi, status, health, endpoint, failoverHttp, failbackHttp];
    for (let i = 0; i < 150; i++) {
      const q = Array.from({ length: 1 + (i % 4) }, () => `${encodeURIComponent(pick(pieces))}=${encodeURIComponent(pick(values))}`).join("&");
      const h = pick(handlers);
      const r = await call(h, q);
      expect(r.status ?? 200, `${h.name}?${q}`).toBeLessThan(500);
    }
  }, 120_000);

  it("random bodies and paths of the restore-job endpoints never yield a 5xx", async () => {
    const s = testServices([uniqueTable("Fuzz")], { AzureWebJobsStorage: inject("azurite"), LIFEBOAT_JOBS_TABLE: `Jobs${randomBytes(4).toString("hex")}`, LIFEBOAT_JOBS_QUEUE: `fuzz-${randomBytes(4).toString("hex")}` });
    await seedTable(s.source, [...(s.config.tables as string[])][0]!, makeRecords(5, 1, 1));
    const backup = await cli(["backup"], s.settings);
    const pointId = backup.stdout.trim();
    resetServices(createServices(loadConfig(s.settings)));
    const pick = <T>(xs: readonly T[]): T => xs[randomBytes(1)[0]! % xs.length]!;
    const values: unknown[] = [null, true, 0, -1, 1e308, "", "a", "Ab1", "2026-11-26T03:00:00Z", "not a time", pointId, "20261126T134500123Z-f1a2b3c", "😀", "\u0000", "a".repeat(500), [], ["x"], ["Bad-Name"], {}, { prefix: "Rz" }, { prefix: "1x" }, { inPlace: false }, { prefix: "Rz", inPlace: true }, "primary", "secondary", "nowhere"];
    const fields = ["at", "pointId", "tables", "containers", "target", "from", "dryRun", "operator", "__proto__", "extra"];
    const ctx = (): InvocationContext => new InvocationContext({ functionName: "fuzz", invocationId: "inv-f" });
    for (let i = 0; i < 120; i++) {
      const o: Record<string, unknown> = {};
      for (let k = 0; k < 1 + (i % 5); k++) o[pick(fields)] = pick(values);
      const text = i % 10 === 9 ? pick(["", "{", "[]", "null", "\"x\"", "{\"target\":"]) : JSON.stringify(o);
      const r = await submitRestore(new HttpRequest({ method: "POST", url: "http://localhost/api/restores", body: { string: text }, headers: i % 3 === 0 ? { "x-ms-client-principal-name": "fuzz@example.com" } : {} }), ctx());
      expect(r.status ?? 200, `POST ${text}`).toBeLessThan(500);
      const id = pick(["r20261130t000000-abcdef", "", "x", "../..", "%00", "r2026", "R20261130T000000-ABCDEF", "😀".repeat(40)]);
      const g = await restoreJob(new HttpRequest({ method: "GET", url: "http://localhost/api/restores/x", params: { id } }), ctx());
      expect(g.status ?? 200, `GET ${id}`).toBeLessThan(500);
    }
  }, 120_000);
});
