import { randomBytes } from "node:crypto";
import { HttpRequest, InvocationContext, type HttpResponseInit } from "@azure/functions";
import { afterEach, describe, expect, inject, it } from "vitest";
import { takeBackup } from "../../src/app/backup/take-backup";
import type { AuditEntry } from "../../src/app/audit";
import { endpoint, failbackHttp, failoverHttp } from "../../src/functions/failover";
import { openApiDocument } from "../../src/functions/openapi";
import { resetServices } from "../../src/functions/shared/runtime";
import type { Services } from "../../src/services";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

/* The failover routes as the host calls them: HttpRequest and InvocationContext, against Azurite. */

type Handler = (r: HttpRequest, c: InvocationContext) => Promise<HttpResponseInit>;
const ctx = (): InvocationContext => new InvocationContext({ functionName: "test", invocationId: `inv-${randomBytes(3).toString("hex")}` });
const post = (h: Handler, body: string, headers: Record<string, string> = {}): Promise<HttpResponseInit> =>
  h(new HttpRequest({ method: "POST", url: "http://localhost/api/failover", body: { string: body }, headers: { "content-type": "application/json", ...headers } }), ctx());
const get = (h: Handler, query = ""): Promise<HttpResponseInit> => h(new HttpRequest({ method: "GET", url: `http://localhost/api/endpoint${query}` }), ctx());

afterEach(() => resetServices());

async function wired(): Promise<Services & { table: string }> {
  const table = uniqueTable("Fh");
  const s = testServices([table], { LIFEBOAT_FAILOVER: inject("azuriteFailover"), LIFEBOAT_STATE_TABLE: uniqueTable("State") });
  resetServices(s);
  return { ...s, table };
}

async function entries(s: Services): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of s.audit.entries()) out.push(e);
  return out;
}

describe("POST /api/failover and /api/failback", () => {
  it("bad bodies are 400 problem details naming each bad field; nothing changes; the refusal is audited", async () => {
    const s = await wired();
    const cases: [string, string[]][] = [
      ["not json", ["body"]],
      ["[1,2]", ["body"]],
      ["{}", ["reason"]],
      [JSON.stringify({ reason: "", operator: "me" }), ["reason"]],
      [JSON.stringify({ reason: "x", dryRun: "yes", operator: "me" }), ["dryRun"]],
      [JSON.stringify({ reason: 5, dryRun: 1, extra: true, operator: "me" }), ["reason", "dryRun", "extra"]],
      [JSON.stringify({ reason: "x" }), ["operator"]],
    ];
    for (const [body, fields] of cases) {
      for (const h of [failoverHttp, failbackHttp]) {
        const r = await post(h, body);
        expect(r.status, body).toBe(400);
        expect(r.headers).toMatchObject({ "content-type": "application/problem+json" });
        const problem = r.jsonBody as { code: string; errors: { field: string; rule: string }[] };
        expect(problem.code).toBe("INPUT.INVALID");
        expect(problem.errors.map((e) => e.field).sort(), body).toEqual([...fields].sort());
      }
    }
    const refused = (await entries(s)).filter((e) => e.outcome === "refused");
    expect(refused).toHaveLength(cases.length * 2);
    expect(new Set(refused.map((e) => e.action))).toEqual(new Set(["failover", "failback"]));
    expect(refused.filter((e) => e.error?.includes("dryRun:")).map((e) => e.operator)).toEqual(["asserted:me", "asserted:me", "asserted:me", "asserted:me"]);
    expect(refused.filter((e) => e.error?.includes("operator:")).map((e) => e.operator)).toEqual(["unknown (refused before naming an operator)", "unknown (refused before naming an operator)"]);
    expect((await get(endpoint)).jsonBody).toMatchObject({ account: "primary", since: null });
    expect(await s.failover.state.read("switch")).toBeNull();
  });

  it("a dry run over HTTP: 200 with the report, operator from App Service Authentication, nothing switched", async () => {
    const s = await wired();
    await seedTable(s.source, s.table, makeRecords(12, 1, 2));
    await takeBackup(s, { operator: "test", kind: "full", waitForLockSeconds: 0 });
    const r = await post(failoverHttp, JSON.stringify({ reason: "drill", dryRun: true }), { "x-ms-client-principal-name": "alice@contoso.com" });
    expect(r.status).toBe(200);
    expect(r.jsonBody).toMatchObject({ dryRun: true, switched: false, tables: [{ table: s.table, entities: 12 }] });
    const e = (await entries(s)).filter((x) => x.action === "failover.dryRun");
    expect(e.map((x) => [x.operator, x.outcome])).toEqual([["entra:alice@contoso.com", "succeeded"]]);
    // Failback with the primary active is a 409 (nothing to fail back).
    const fb = await post(failbackHttp, JSON.stringify({ reason: "no", operator: "me" }));
    expect(fb.status).toBe(409);
    expect((fb.jsonBody as { code: string }).code).toBe("FAILBACK.NOT_FAILED_OVER");
  });

  it("a failover while another holds the switch is a 409 FAILOVER.IN_PROGRESS", async () => {
    const s = await wired();
    await s.failover.state.write("switch", { failoverId: "fo-x", kind: "failover", operator: "asserted:x", startedAt: new Date().toISOString() }, null);
    const r = await post(failoverHttp, JSON.stringify({ reason: "second", operator: "me" }));
    expect(r.status).toBe(409);
    expect((r.jsonBody as { code: string }).code).toBe("FAILOVER.IN_PROGRESS");
  });

  it("without a failover account: 500 CONFIG.MISSING, no detail leaked", async () => {
    const table = uniqueTable("Nf");
    resetServices(testServices([table]));
    const r = await post(failoverHttp, JSON.stringify({ reason: "x", operator: "me" }));
    expect(r.status).toBe(500);
    expect((r.jsonBody as { code: string }).code).toBe("CONFIG.MISSING");
  });
});

describe("GET /api/endpoint", () => {
  it("is the primary's table endpoint with since null when nothing was switched; unknown parameters are a 400", async () => {
    await wired();
    const r = await get(endpoint);
    expect(r.status).toBe(200);
    expect(r.jsonBody).toMatchObject({ account: "primary", since: null, reason: null, failoverId: null });
    expect(JSON.stringify(r.jsonBody)).not.toMatch(/AccountKey|SharedAccessSignature|sig=/);
    const bad = await get(endpoint, "?x=1");
    expect(bad.status).toBe(400);
    expect((bad.jsonBody as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(["x"]);
  });
});

describe("the OpenAPI document", () => {
  it("describes the failover routes from the same zod schema", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> } }>> };
    for (const p of ["/api/failover", "/api/failback"]) {
      const schema = doc.paths[p]!.post!.requestBody!.content["application/json"]!.schema;
      expect(Object.keys(schema.properties).sort()).toEqual(["dryRun", "operator", "reason"]);
      expect(schema.required).toEqual(["reason"]);
    }
    expect(doc.paths["/api/endpoint"]!.get).toBeDefined();
  });
});

describe("fuzz: random bodies and query strings on the failover routes", () => {
  it("never answer 5xx, never switch", async () => {
    const s = await wired();
    const pieces = ['{"reason":', '"x"', "1", "null", "true", "[", "]", "{", "}", ",", '"dryRun":', '"operator":', '"\\u0000"', "\u00e9", '"' + "a".repeat(600) + '"', ":", " ", "-1e999"];
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 60; i++) {
      const body = Array.from({ length: rand(8) }, () => pieces[rand(pieces.length)]).join("");
      for (const h of [failoverHttp, failbackHttp]) {
        const r = await post(h, body, i % 3 === 0 ? {} : { "x-ms-client-principal-name": "fuzz" });
        expect(r.status, body).toBeLessThan(500);
      }
      const q = await get(endpoint, `?${encodeURIComponent(pieces[rand(pieces.length)]!)}=${encodeURIComponent(pieces[rand(pieces.length)]!)}`);
      expect(q.status).toBeLessThan(500);
    }
    expect(await s.failover.state.read("endpoint")).toBeNull();
  });
});
