import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpRequest, InvocationContext, type Timer } from "@azure/functions";
import { afterEach, describe, expect, inject, it } from "vitest";
import { takeBackup } from "../../src/app/backup/take-backup";
import { runPrimaryProbe } from "../../src/app/failover/probe";
import { loadConfig } from "../../src/config";
import { incrementalBackup } from "../../src/functions/backup";
import { ping } from "../../src/functions/ping";
import { resetServices } from "../../src/functions/shared/runtime";
import { createServices } from "../../src/services";
import { uniqueTable } from "../helpers/names";
import { testSettings } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";
import { cli } from "../helpers/cli-io";

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
const DOWN_SOURCE = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1";
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  resetServices();
});

/** The primary app as the standby sees it: GET /api/ping answers 200 while `up`, else 503. */
async function primaryApp(): Promise<{ url: string; set(up: boolean): void }> {
  let up = true;
  const server = createServer((req, res) => {
    res.writeHead(req.url === "/api/ping" && up ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: up }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, set: (v) => (up = v) };
}

describe("the standby app (LIFEBOAT_ROLE=standby)", () => {
  it("fails over only when the primary source AND the primary app are down for the configured minutes, records what it saw, and only once", async () => {
    const table = uniqueTable("Stby");
    const settings = testSettings([table], { LIFEBOAT_FAILOVER: inject("azuriteFailover"), LIFEBOAT_FAILOVER_AFTER_MINUTES: "10" });
    const healthy = createServices(loadConfig(settings));
    await seedTable(healthy.source, table, makeRecords(30));
    expect((await takeBackup(healthy, { operator: "test", kind: "full", waitForLockSeconds: 0 })).status).toBe("committed");

    const app = await primaryApp();
    const standby = createServices(loadConfig({ ...settings, LIFEBOAT_ROLE: "standby", LIFEBOAT_PRIMARY_APP_URL: app.url, LIFEBOAT_SOURCE: DOWN_SOURCE, LIFEBOAT_STORAGE_RETRIES: "0" }));
    const t0 = Date.now();
    const probe = (minute: number) => runPrimaryProbe(standby, { operator: "timer:primaryProbe", now: () => new Date(t0 + minute * 60_000) });

    // The source is down but the primary app answers: it is the primary's to handle; the standby's clock stays reset.
    let r = await probe(0);
    expect(r.action).toBe("ok");
    expect(r.state.saw?.source).toMatch(/connection refused|ECONNREFUSED/);
    expect(r.state.saw?.primaryApp).toBeNull();
    r = await probe(15);
    expect(r.action).toBe("ok");

    // The whole primary region is down: both fail. Ten minutes later, one failover.
    app.set(false);
    r = await probe(16);
    expect(r).toMatchObject({ action: "waiting", downMinutes: 0 });
    expect(r.state.saw?.primaryApp).toMatch(/answered 503/);
    r = await probe(22);
    expect(r.action).toBe("waiting");
    r = await probe(26);
    expect(r.action).toBe("failover");
    expect(r.failoverError).toBeUndefined();
    expect(r.failover?.switched).toBe(true);
    expect(r.failover?.tables.map((t) => t.entities)).toEqual([30]);
    r = await probe(27);
    expect(r.action).toBe("failed_over");

    const entries = [];
    for await (const e of standby.audit.entries({ action: "failover" })) entries.push(e);
    expect(entries).toHaveLength(1);
    expect(String(entries[0]!.details.reason)).toMatch(/source: .*; primary app: .*answered 503/);
  });

  it("takes no scheduled backup while the primary app answers, and takes them when it does not; /api/ping answers anonymously", async () => {
    const table = uniqueTable("StbyB");
    const app = await primaryApp();
    const settings = testSettings([table], { LIFEBOAT_ROLE: "standby", LIFEBOAT_PRIMARY_APP_URL: app.url });
    const s = createServices(loadConfig(settings));
    await seedTable(s.source, table, makeRecords(10));
    resetServices(s);
    const lines: string[] = [];
    const ctx = new InvocationContext({ functionName: "incrementalBackup", logHandler: (level, ...a) => lines.push(`${level} ${a.join(" ")}`) });
    const skipped = await incrementalBackup(timer, ctx);
    expect(skipped).toEqual({ status: "skipped", reason: `standby: the primary app at ${app.url} answers and takes the backups` });
    expect(lines).toEqual([`information lifeboat.event=backup_skipped standby: the primary app at ${app.url} answers and takes the backups`]);

    app.set(false);
    const taken = await incrementalBackup(timer, new InvocationContext({ functionName: "incrementalBackup" }));
    expect(taken).toMatchObject({ status: "committed", kind: "full" });

    process.env.LIFEBOAT_ROLE = "standby";
    try {
      const res = await ping(new HttpRequest({ method: "GET", url: "http://localhost/api/ping" }), new InvocationContext({ functionName: "ping" }));
      expect(res).toMatchObject({ status: 200, jsonBody: { ok: true, role: "standby" } });
    } finally {
      delete process.env.LIFEBOAT_ROLE;
    }
  });

  it("refuses a standby without the primary app's URL, naming the setting", () => {
    expect(() => loadConfig(testSettings(["T1"], { LIFEBOAT_ROLE: "standby" }))).toThrow(/LIFEBOAT_PRIMARY_APP_URL: is required with LIFEBOAT_ROLE=standby/);
    expect(() => loadConfig(testSettings(["T1"], { LIFEBOAT_ROLE: "backup" }))).toThrow(/LIFEBOAT_ROLE: must be primary or standby/);
  });

  it("lifeboat status still answers when the source account is down: the RPO part from the repository, the coverage of * says why it is missing", async () => {
    const table = uniqueTable("StDown");
    const settings = testSettings([table]);
    const s = createServices(loadConfig(settings));
    await seedTable(s.source, table, makeRecords(5));
    expect((await takeBackup(s, { operator: "test", kind: "full", waitForLockSeconds: 0 })).status).toBe("committed");
    const down = { ...settings, LIFEBOAT_TABLES: "*", LIFEBOAT_SOURCE: DOWN_SOURCE, LIFEBOAT_STORAGE_RETRIES: "0" };
    const run = await cli(["status", "--json"], down);
    expect(run.code, run.stderr).toBe(0);
    const st = JSON.parse(run.stdout) as { tables: { table: string; withinRpo: boolean }[]; coverageError?: string; coverage?: unknown };
    expect(st.tables).toEqual([expect.objectContaining({ table, withinRpo: true })]);
    expect(st.coverage).toBeUndefined();
    expect(st.coverageError).toMatch(/^cannot list the source's tables: /);
  });
});
