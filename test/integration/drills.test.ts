import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvocationContext, type Timer } from "@azure/functions";
import { afterEach, describe, expect, inject, it } from "vitest";
import { drillsStatus, listReports, loadReport, runDrill } from "../../src/app/drills";
import { listPoints } from "../../src/app/repo/catalog";
import { schedule } from "../../src/core/drills/drill";
import { takeBackup } from "../../src/app/backup/take-backup";
import { takeConfigExport } from "../../src/app/config-export/use-cases";
import type { DrillReport } from "../../src/core/drills/drill";
import { restoreTestDrill } from "../../src/functions/drills";
import { resetServices } from "../../src/functions/shared/runtime";
import { drillDeps, type Services } from "../../src/services";
import { cli } from "../helpers/cli-io";
import { uniqueContainer, uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";
import { flipByte, someDataFile } from "../helpers/tamper";
import { BlobServiceClient } from "@azure/storage-blob";

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
const dirs: string[] = [];
afterEach(async () => {
  resetServices();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Tables and containers of the test Azurite whose names start with a drill's scratch prefix. */
async function scratchLeft(s: Services): Promise<string[]> {
  const tables = (await s.source.listTables()).filter((t) => /^Drill[0-9a-f]{6}/.test(t));
  const containers: string[] = [];
  for await (const c of BlobServiceClient.fromConnectionString(inject("azurite")).listContainers()) if (/^drill[0-9a-f]{6}/.test(c.name)) containers.push(c.name);
  return [...tables, ...containers];
}

async function backedUp(extra: Record<string, string> = {}): Promise<{ s: Services & { settings: Record<string, string> }; table: string; container: string }> {
  const table = uniqueTable("Drl");
  const container = uniqueContainer("cfg");
  const s = testServices([table], { LIFEBOAT_CONTAINERS: container, ...extra });
  await seedTable(s.source, table, makeRecords(230, 1, 4));
  await s.blobs!.createContainer(container);
  const text = (t: string) => (async function* () { yield Buffer.from(t); })();
  await s.blobs!.write(container, "app.yaml", text("feature: on\nlimit: 3\n"), { metadata: {}, tags: {} });
  await s.blobs!.write(container, "scripts/enrich.js", text("module.exports = () => 1;\n"), { metadata: {}, tags: {} });
  expect((await takeBackup(s, { operator: "test", kind: "full", waitForLockSeconds: 0 })).status).toBe("committed");
  await takeConfigExport(s, { operator: "test" });
  return { s, table, container };
}

describe("DR drills", () => {
  it("restore-test passes on a healthy repository: restores, verifies, measures, projects the RTO, removes its scratch copies, reports and audits", async () => {
    const { s, table } = await backedUp();
    const r = await runDrill(drillDeps(s), { kind: "restore-test", operator: "cli:test" });
    expect(r.outcome, r.reasons.join("; ")).toBe("passed");
    expect(r.steps).toEqual([expect.objectContaining({ name: "restore test", outcome: "passed" })]);
    expect(r.steps[0]!.detail).toMatch(/1 table\(s\), 230 entities, 1 container\(s\) restored/);
    expect(r.figures.dataEntities).toBe(230);
    expect(r.figures.entitiesPerSecond).toBeGreaterThan(0);
    expect(r.figures.projectedRtoMinutes).toBeGreaterThan(0);
    expect(r.figures.projectedRtoMinutes).toBeLessThan(r.objectives.rtoMinutes);
    expect(r.figures.observedRpoMinutes).toBeLessThan(15);
    expect(await scratchLeft(s)).toEqual([]);
    // The table itself is untouched and the scratch tables never join a "*" backup (registered as Lifeboat's).
    expect((await s.source.listTables()).includes(table)).toBe(true);

    expect((await listReports(s.repo)).map((x) => [x.id, x.outcome])).toEqual([[r.id, "passed"]]);
    const html = (await loadReport(s.repo, s.keys, r.id, "html")) as string;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(((await loadReport(s.repo, s.keys, r.id, "json")) as DrillReport).figures).toEqual(r.figures);
    const entries = [];
    for await (const e of s.audit.entries()) entries.push(e);
    expect(entries.filter((e) => e.action === "drill").map((e) => `${e.outcome} ${e.operator} ${e.target.kind} ${e.target.report}`)).toEqual([`succeeded cli:test restore-test ${r.id}`]);
  });

  it("config-restore-test restores the newest config export into scratch containers and removes them", async () => {
    const { s } = await backedUp();
    const r = await runDrill(drillDeps(s), { kind: "config-restore-test", operator: "cli:test" });
    expect(r.outcome, r.reasons.join("; ")).toBe("passed");
    expect(r.steps[0]!.detail).toMatch(/2 file\(s\) of .* restored and read back/);
    expect(await scratchLeft(s)).toEqual([]);
  });

  it("fails with a clear reason when a data file is corrupted, removes the scratch data anyway, logs drill_failed and audits it failed", async () => {
    const { s } = await backedUp();
    await flipByte(s.repo, await someDataFile(s.repo));
    resetServices(s);
    const lines: string[] = [];
    const ctx = new InvocationContext({ functionName: "restoreTestDrill", logHandler: (level, ...a) => lines.push(`${level} ${a.join(" ")}`) });
    const r = await restoreTestDrill(timer, ctx);
    expect(r.outcome).toBe("failed");
    expect(r.reasons[0]).toMatch(/^restore test: DATA\.INTEGRITY: /);
    expect(lines.some((l) => l.startsWith("error lifeboat.event=drill_failed kind=restore-test"))).toBe(true);
    expect(await scratchLeft(s)).toEqual([]);
    const entries = [];
    for await (const e of s.audit.entries()) entries.push(e);
    expect(entries.filter((e) => e.action === "drill").map((e) => `${e.outcome} ${e.operator}`)).toEqual(["failed timer:restoreTestDrill"]);
    // lifeboat drill exits 1 and says why.
    const run = await cli(["drill", "restore-test"], s.settings);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/drill restore-test failed: restore test: DATA\.INTEGRITY/);
  });

  it("fails when a point of the chain is missing, and when there is no point at all", async () => {
    const { s, table } = await backedUp();
    await seedTable(s.source, table, makeRecords(5, 2));
    expect((await takeBackup(s, { operator: "test", kind: "incremental", waitForLockSeconds: 0 })).status).toBe("committed");
    // The full point under the incremental is gone (deleted by hand, or lost).
    let full = "";
    for await (const o of s.repo.list("points/")) if (/-f[0-9a-f]{6}\.manifest/.test(o.path)) full = o.path;
    await s.repo.delete(full);
    const r = await runDrill(drillDeps(s), { kind: "restore-test", operator: "cli:test" });
    expect(r.outcome).toBe("failed");
    expect(r.reasons[0]).toMatch(/^restore test: (DATA\.INTEGRITY|RESTORE\.POINT_NOT_FOUND)/);
    expect(await scratchLeft(s)).toEqual([]);

    const empty = testServices([uniqueTable("DrlEmpty")]);
    const e = await runDrill(drillDeps(empty), { kind: "restore-test", operator: "cli:test" });
    expect(e).toMatchObject({ outcome: "failed", reasons: ["restore test: the repository holds no restore point"] });
  });

  it("is at risk when the newest point is older than the RPO, and a drill whose feature is missing is 'not available', never passed", async () => {
    const { s } = await backedUp();
    const later = new Date(Date.now() + 40 * 60_000);
    const r = await runDrill({ ...drillDeps(s), now: () => later }, { kind: "restore-test", operator: "cli:test" });
    expect(r.outcome).toBe("at risk");
    expect(r.reasons.join()).toMatch(/the newest point was 4\d(\.\d)? min old, over the RPO of 15 min/);
    const f = await runDrill(drillDeps(s), { kind: "failover-simulation", operator: "cli:test" });
    expect(f.outcome).toBe("not available");
    expect(f.steps[0]).toMatchObject({ outcome: "not available", detail: expect.stringMatching(/LIFEBOAT_FAILOVER/) });
    const cliRun = await cli(["drill", "nonsense"], s.settings);
    expect(cliRun.code).toBe(2);
    expect(cliRun.stderr).toContain("kind: must be one of restore-test, config-restore-test, failover-simulation, full-drill");
  });

  it("failover-simulation: a failover dry run from the secondary store into the failover account, measured, nothing switched", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lb-drill-sec-"));
    dirs.push(dir);
    const { s } = await backedUp({ LIFEBOAT_FAILOVER: inject("azuriteFailover"), LIFEBOAT_SECONDARY_PATH: dir });
    const r = await runDrill(drillDeps(s), { kind: "failover-simulation", operator: "cli:test" });
    expect(r.outcome, r.reasons.join("; ")).toBe("passed");
    expect(r.steps[0]!.detail).toMatch(/dry run from the secondary store: point \S+ restored into the failover account and verified/);
    expect(r.figures.timeToStandbyMinutes).toBeGreaterThan(0);
    expect(r.figures.dataLossMinutes).toBeGreaterThanOrEqual(0);
    const endpoint = await s.failover.state.read("endpoint");
    expect(endpoint?.value.account ?? "primary").toBe("primary");
  });

  it("full-drill runs every step: restore, config restore, failover simulation, point-in-time restores and the CSV round trip, and lists the manual steps", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lb-drill-full-"));
    dirs.push(dir);
    const { s, table } = await backedUp({ LIFEBOAT_FAILOVER: inject("azuriteFailover"), LIFEBOAT_SECONDARY_PATH: dir });
    await seedTable(s.source, table, makeRecords(20, 3, 4, 500));
    expect((await takeBackup(s, { operator: "test", kind: "incremental", waitForLockSeconds: 0 })).status).toBe("committed");
    const r = await runDrill(drillDeps(s), { kind: "full-drill", operator: "cli:test" });
    expect(r.steps.map((x) => `${x.name}: ${x.outcome}`)).toEqual([
      "restore test: passed",
      "config restore test: passed",
      "failover simulation: passed",
      "point-in-time restores: passed",
      "CSV export and import round trip: passed",
    ]);
    expect(r.outcome, r.reasons.join("; ")).toBe("passed");
    expect(r.steps[4]!.detail).toMatch(new RegExp(`table ${table}: 250 rows exported as typed CSV .*identical to the restored table`));
    expect(r.manualSteps.length).toBeGreaterThan(0);
    expect(await scratchLeft(s)).toEqual([]);
  }, 120_000);

  it("lists each kind with its next due date, and flags a missed scheduled run as overdue", async () => {
    const { s } = await backedUp();
    const deps = drillDeps(s);
    // The monthly restore test is next due on the 1st at 03:00; four days after that it has not run.
    const due = schedule(s.config.drills.schedules["restore-test"], new Date()).next!;
    const fifth = new Date(due.getTime() + 4 * 86_400_000 + 9 * 3_600_000);
    let st = await drillsStatus({ ...deps, now: () => fifth });
    const restore = st.kinds.find((k) => k.kind === "restore-test")!;
    expect(restore).toMatchObject({ last: null, overdue: true, nextDue: schedule(s.config.drills.schedules["restore-test"], fifth).next!.toISOString() });
    // A kind is overdue only for a run due after Lifeboat's oldest point (a fresh deployment missed nothing before it).
    const oldest = (await listPoints(s.repo))[0]!.time;
    for (const k of st.kinds) expect(k.overdue, k.kind).toBe(schedule(k.schedule, fifth).previous!.getTime() >= oldest.getTime());
    expect(st.projectedRtoMinutes).toBeNull();
    // A run after the missed one clears it.
    await runDrill({ ...deps, now: () => fifth }, { kind: "restore-test", operator: "cli:test" });
    st = await drillsStatus({ ...deps, now: () => new Date(fifth.getTime() + 12 * 3_600_000) });
    expect(st.kinds.find((k) => k.kind === "restore-test")).toMatchObject({ overdue: false, last: expect.objectContaining({ kind: "restore-test" }) });
    expect(st.projectedRtoMinutes).toBeGreaterThan(0);
    const status = JSON.parse((await cli(["status", "--json"], s.settings)).stdout) as { rto: { projectedMinutes: number; withinObjective: boolean }; drills: { kind: string; outcome: string | null }[]; activeEndpoint: { account: string }; containers: { container: string; withinRpo: boolean }[] };
    // RPO exposure of the files too: the configured container's newest point.
    expect(status.containers).toEqual([expect.objectContaining({ container: s.config.containers[0], withinRpo: true })]);
    expect(status.rto.projectedMinutes).toBeGreaterThan(0);
    expect(status.rto.withinObjective).toBe(true);
    // Run days after the point was taken: the point looked days old, so at risk.
    expect(status.drills.find((d) => d.kind === "restore-test")?.outcome).toBe("at risk");
    expect(status.activeEndpoint.account).toBe("primary");
    const out = await cli(["drills"], s.settings);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^restore-test\s+/m);
  });
});
