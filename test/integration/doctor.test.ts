import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpRequest, InvocationContext } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { health } from "../../src/functions/health";
import { resetServices } from "../../src/functions/shared/runtime";
import { createServices } from "../../src/services";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

afterEach(() => resetServices());

async function healthySetup() {
  const table = uniqueTable("Doc");
  const s = testServices([table]);
  await seedTable(s.source, table, makeRecords(20, 1, 2));
  expect((await cli(["backup"], s.settings)).code).toBe(0);
  return { table, s };
}

const statusOf = (out: string, name: string): string | undefined => new RegExp(`^(ok|warn|fail)\\s+${name}\\s`, "m").exec(out)?.[1];

describe("lifeboat doctor", () => {
  it("against a healthy Azurite: every check ok, exit 0, and the run is audited", async () => {
    const { s } = await healthySetup();
    const r = await cli(["doctor"], s.settings);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const name of ["settings", "source tables", "clock", "backup store", "key", "RPO", "audit log", "audit append"]) expect(statusOf(r.stdout, name), name).toBe("ok");
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "doctor"], s.settings)).stdout) as { outcome: string }[];
    expect(audit.map((e) => e.outcome)).toEqual(["succeeded"]);
  });

  it("with the backup store's port closed: that check fails, names the store and says what to do; exit 3", async () => {
    const { s } = await healthySetup();
    const down = s.settings.LIFEBOAT_BACKUP!.replace(/BlobEndpoint=http:\/\/[^/;]+/, "BlobEndpoint=http://127.0.0.1:9");
    const r = await cli(["doctor"], { ...s.settings, LIFEBOAT_BACKUP: down });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^fail\s+backup store\s+STORE\.UNAVAILABLE: backup store \(http:\/\/127\.0\.0\.1:9\/devstoreaccount1\/repo-[0-9a-f]+, LIFEBOAT_BACKUP\): connection refused/m);
    expect(r.stdout).toMatch(/fix: check LIFEBOAT_BACKUP names the right account, that it is up, and that this host can reach http:\/\/127\.0\.0\.1:9/);
    expect(statusOf(r.stdout, "source tables")).toBe("ok");
    expect(r.stdout).not.toContain("AccountKey");
  }, 30_000);

  it("with a wrong KEK: the key check fails and says it cannot open the newest point", async () => {
    const { s } = await healthySetup();
    const r = await cli(["doctor"], { ...s.settings, LIFEBOAT_KEK: randomBytes(32).toString("base64") });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^fail\s+key\s+env:[0-9a-f]+ is readable but cannot open the newest point \S+: /m);
    expect(r.stdout).toMatch(/fix: set LIFEBOAT_KEK .* to the key the backups were written with/);
  });

  it("invalid settings: one failed line per setting, exit 2", async () => {
    const r = await cli(["doctor"], { LIFEBOAT_TABLES: "1bad" });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^fail\s+settings\s+LIFEBOAT_TABLES: "1bad" not a valid table name/m);
    expect(r.stdout).toMatch(/^fail\s+settings\s+LIFEBOAT_KEK: is required/m);
  });

  it("GET /api/health answers the same checks as JSON, 200 when none failed, and writes nothing", async () => {
    const { s } = await healthySetup();
    resetServices(createServices(loadConfig(s.settings), { retries: "quick" }));
    const res = await health(new HttpRequest({ method: "GET", url: "http://localhost/api/health" }), new InvocationContext({ functionName: "health" }));
    expect(res.status).toBe(200);
    const body = res.jsonBody as { ok: boolean; checks: { name: string; status: string }[] };
    expect(body.ok).toBe(true);
    expect(body.checks.map((c) => c.name)).toEqual(["source tables", "clock", "backup store", "key", "RPO", "audit log"]);
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "doctor"], s.settings)).stdout) as unknown[];
    expect(audit).toEqual([]);
  });

  it("checks the source containers and the secondary store when they are configured", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lb-doc-"));
    try {
      const table = uniqueTable("Doc");
      const s = testServices([table], { LIFEBOAT_SECONDARY_PATH: dir, LIFEBOAT_CONTAINERS: "no-such-cont" });
      await seedTable(s.source, table, makeRecords(5, 1, 1));
      const r = await cli(["doctor"], s.settings);
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/^fail\s+source containers\s+container\(s\) no-such-cont do not exist/m);
      expect(r.stdout).toMatch(/^ok\s+secondary store\s+fs:.*writable; holds every point of the primary/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
