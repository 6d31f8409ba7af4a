import { randomBytes } from "node:crypto";
import type { SecretClientOptions } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEndpointState, createTableStore } from "../../src/adapters/azure/stores";
import { startAzurite } from "../../src/local/azurite";
import { servicesReadingFrom } from "../../src/services";
import { KeyVaultEndpointPublisher } from "../../src/adapters/keys";
import { takeBackup } from "../../src/app/backup/take-backup";
import { activeEndpoint } from "../../src/app/failover/active-endpoint";
import { failback } from "../../src/app/failover/failback";
import { failover } from "../../src/app/failover/failover";
import { followActiveEndpoint } from "../../src/app/failover/follow-endpoint";
import { runPrimaryProbe } from "../../src/app/failover/probe";
import type { TableStore } from "../../src/app/ports/TableStore";
import type { AuditEntry } from "../../src/app/audit";
import { LifeboatError } from "../../src/core/errors";
import { Secret } from "../../src/core/secret";
import type { EntityRecord } from "../../src/core/entity/record";
import type { Services } from "../../src/services";
import { caught } from "../helpers/caught";
import { FakeKeyVault, fakeCredential } from "../helpers/fake-key-vault";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, normalized, seedTable } from "../helpers/table-fixtures";

/*
 * Failover and failback against two Azurite accounts (devstoreaccount1 is the primary
 * source and the backup account; "lifeboatfailover" the failover account, served by the
 * same Azurite through AZURITE_ACCOUNTS) and two fake Key Vaults for the endpoint secret.
 */

const clientOptions: SecretClientOptions = { allowInsecureConnection: true, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } };
let vault: FakeKeyVault;
let vault2: FakeKeyVault;

beforeAll(async () => {
  // One identity, two vaults (the primary region's and the secondary's): one token for both.
  const token = `fake-token-${randomBytes(6).toString("hex")}`;
  vault = await new FakeKeyVault(token).start();
  vault2 = await new FakeKeyVault(token).start();
});
afterAll(async () => {
  await vault.stop();
  await vault2.stop();
});

const failoverStore = (): TableStore => createTableStore({ kind: "connectionString", connectionString: new Secret(inject("azuriteFailover")) }, "test");

async function all(store: TableStore, table: string): Promise<EntityRecord[]> {
  const out: EntityRecord[] = [];
  for await (const page of store.scan(table)) out.push(...page);
  return out;
}

async function entries(s: Services): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of s.audit.entries()) out.push(e);
  return out;
}

/** Services over a fresh repository with a failover account and the endpoint secret in the two fake vaults. */
async function setup(extra: Record<string, string> = {}) {
  const table = uniqueTable("Fo");
  const secret = `endpoint-${randomBytes(4).toString("hex")}`;
  const s = testServices([table], { LIFEBOAT_FAILOVER: inject("azuriteFailover"), LIFEBOAT_STATE_TABLE: uniqueTable("State"), ...extra });
  const publisher = new KeyVaultEndpointPublisher([vault.url], secret, fakeCredential(vault.token), clientOptions);
  const ctx: Services = { ...s, failover: { ...s.failover, publisher } };
  await seedTable(s.source, table, makeRecords(30, 1, 3));
  const point = await takeBackup(ctx, { operator: "test", kind: "full", waitForLockSeconds: 0 });
  if (point.status !== "committed") throw new Error("no backup");
  return { s, ctx, table, secret, point: point.pointId };
}

function readSecret(v: FakeKeyVault, name: string): Promise<unknown> {
  return fetch(`${v.url}/secrets/${name}?api-version=7.5`, { headers: { authorization: `Bearer ${v.token}` } }).then(async (r) => (JSON.parse(((await r.json()) as { value: string }).value) as unknown));
}

describe("failover", () => {
  it("a dry run restores into scratch tables of the failover account, verifies, deletes them, switches nothing; audited as a dry run", async () => {
    const { ctx, table, point } = await setup();
    const report = await failover(ctx, { operator: "asserted:drill", reason: "quarterly drill", dryRun: true });
    expect(report).toMatchObject({ dryRun: true, switched: false, pointId: point, published: null });
    expect(report.tables).toHaveLength(1);
    expect(report.tables[0]!.target).toMatch(new RegExp(`^Drill[0-9a-f]{6}${table}$`));
    expect(report.tables[0]!.entities).toBe(30);
    expect(report.dataLossWindowSeconds).toBeGreaterThanOrEqual(0);
    expect(report.timeToVerifiedStandbyMs).toBeGreaterThan(0);
    const left = (await failoverStore().listTables()).filter((t) => t.startsWith(report.tables[0]!.target.slice(0, 11)));
    expect(left).toEqual([]);
    expect(await failoverStore().tableExists(table)).toBe(false);
    expect((await activeEndpoint(ctx)).account).toBe("primary");
    const e = (await entries(ctx)).filter((x) => x.action.startsWith("failover"));
    expect(e.map((x) => [x.action, x.outcome, x.operator])).toEqual([["failover.dryRun", "succeeded", "asserted:drill"]]);
  });

  it("a real failover restores in place, verifies, then switches the state record and both vaults' secret; audited with its operator", async () => {
    const { ctx, table, secret, point } = await setup();
    const before = await activeEndpoint(ctx);
    expect(before).toMatchObject({ account: "primary", since: null, failoverId: null });
    expect(before.tableServiceUri).toContain("/devstoreaccount1");

    const report = await failover(ctx, { operator: "asserted:oncall", reason: "INC-1: primary down" });
    expect(report).toMatchObject({ switched: true, pointId: point, dryRun: false });
    expect(report.tables.map((t) => [t.table, t.target, t.entities])).toEqual([[table, table, 30]]);
    expect(normalized(await all(failoverStore(), table))).toEqual(normalized(makeRecords(30, 1, 3)));

    const now = await activeEndpoint(ctx);
    expect(now).toMatchObject({ account: "failover", reason: "INC-1: primary down", failoverId: report.failoverId });
    expect(now.tableServiceUri).toContain("/lifeboatfailover");
    const published = (await readSecret(vault, secret)) as Record<string, unknown>;
    expect(published).toEqual({ tableServiceUri: now.tableServiceUri, blobServiceUri: now.blobServiceUri, since: now.since, reason: "INC-1: primary down", failoverId: report.failoverId });
    expect(JSON.stringify(published)).not.toMatch(/AccountKey|key/i);

    const audit = (await entries(ctx)).filter((x) => x.action === "failover");
    expect(audit.map((x) => [x.outcome, x.operator])).toEqual([["succeeded", "asserted:oncall"]]);
    expect(audit[0]!.details).toMatchObject({ failoverId: report.failoverId, point, switched: true });
    expect(JSON.stringify(await entries(ctx))).not.toContain(inject("azuriteFailover").match(/AccountKey=([^;]+)/)![1]!);

    // Once failed over, a second failover is refused (it would overwrite the standby's new writes).
    const again = await caught(failover(ctx, { operator: "asserted:oncall", reason: "again" }));
    expect(again).toBeInstanceOf(LifeboatError);
    expect((again as LifeboatError).code).toBe("FAILOVER.ALREADY_ACTIVE");
  });

  it("writes the secret to the primary and the secondary vault; one vault failing is reported, all failing undoes the switch", async () => {
    const { ctx, secret } = await setup();
    const both: Services = { ...ctx, failover: { ...ctx.failover, publisher: new KeyVaultEndpointPublisher([vault.url, vault2.url], secret, fakeCredential(vault.token), clientOptions) } };
    // The writes fail (reads of the published record, which every switch makes first, answer).
    vault.failNext({ status: 500, body: JSON.stringify({ error: { code: "InternalError", message: "boom" } }) }, "PUT");
    vault2.failNext({ status: 500, body: JSON.stringify({ error: { code: "InternalError", message: "boom" } }) }, "PUT");
    const err = await caught(failover(both, { operator: "asserted:oncall", reason: "no vault answers" }));
    expect((err as LifeboatError).code).toBe("FAILOVER.PUBLISH_FAILED");
    expect(await activeEndpoint(ctx)).toMatchObject({ account: "primary", since: null });
    expect(await ctx.failover.state.read("switch")).toBeNull();

    vault2.failNext({ status: 500, body: JSON.stringify({ error: { code: "InternalError", message: "boom" } }) }, "PUT");
    const report = await failover(both, { operator: "asserted:oncall", reason: "two regions" });
    expect(report.published?.written).toHaveLength(1);
    expect(report.published?.failed.map((f) => f.error)).toEqual([`kv: cannot write secret ${secret}: 500 InternalError`]);
    expect(await readSecret(vault, secret)).toMatchObject({ failoverId: report.failoverId });
  });

  it("the secret goes to both vaults", async () => {
    const { ctx, secret } = await setup();
    const both: Services = { ...ctx, failover: { ...ctx.failover, publisher: new KeyVaultEndpointPublisher([vault.url, vault2.url], secret, fakeCredential(vault.token), clientOptions) } };
    const report = await failover(both, { operator: "asserted:oncall", reason: "two regions" });
    expect(report.published?.written).toHaveLength(2);
    expect(await readSecret(vault, secret)).toEqual(await readSecret(vault2, secret));
  });

  it("two concurrent failovers: one switches, the other is refused with 409 FAILOVER.IN_PROGRESS", async () => {
    const { ctx, secret } = await setup();
    const results = await Promise.allSettled([failover(ctx, { operator: "asserted:a", reason: "race a" }), failover(ctx, { operator: "asserted:b", reason: "race b" })]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const bad = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(bad).toHaveLength(1);
    expect((bad[0]!.reason as LifeboatError).code).toMatch(/^FAILOVER\.(IN_PROGRESS|ALREADY_ACTIVE)$/);
    expect(vault.versions(secret)).toHaveLength(1);
  });

  it("a switch mark held by another run refuses a failover with FAILOVER.IN_PROGRESS; a stale one is taken over", async () => {
    const { ctx } = await setup();
    const etag = await ctx.failover.state.write("switch", { failoverId: "fo-other", kind: "failover", operator: "asserted:x", startedAt: new Date().toISOString() }, null);
    const err = await caught(failover(ctx, { operator: "asserted:oncall", reason: "blocked" }));
    expect((err as LifeboatError).code).toBe("FAILOVER.IN_PROGRESS");
    expect((err as LifeboatError).message).toContain("fo-other");
    await ctx.failover.state.write("switch", { failoverId: "fo-dead", kind: "failover", operator: "asserted:x", startedAt: new Date(Date.now() - 4 * 3600_000).toISOString() }, etag);
    const report = await failover(ctx, { operator: "asserted:oncall", reason: "takes over a dead mark" });
    expect(report.switched).toBe(true);
    expect(await ctx.failover.state.read("switch")).toBeNull();
  });

  it("reads the point from the secondary store when the primary store is unreachable", async () => {
    // The primary backup store on an Azurite of its own, stopped after the backup; the
    // secondary is a directory; the audit log and the state table stay on the shared Azurite.
    const primary = await startAzurite();
    const dir = await mkdtemp(join(tmpdir(), "lb-fo-sec-"));
    onTestFinished(async () => {
      await primary.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const table = uniqueTable("Fs");
    const shared = inject("azurite");
    const s = testServices([table], { LIFEBOAT_BACKUP: primary.connectionString, LIFEBOAT_AUDIT: shared, LIFEBOAT_SECONDARY_PATH: dir, LIFEBOAT_FAILOVER: inject("azuriteFailover"), LIFEBOAT_STORAGE_RETRIES: "1" });
    const state = createEndpointState({ kind: "connectionString", connectionString: new Secret(shared) }, uniqueTable("State"));
    const ctx: Services = { ...s, failover: { ...s.failover, state } };
    await seedTable(s.source, table, makeRecords(20, 1, 2));
    const b = await takeBackup(ctx, { operator: "test", kind: "full", waitForLockSeconds: 0 });
    expect(b.status === "committed" && b.secondary && "points" in b.secondary && b.secondary.points).toHaveLength(1);
    await primary.stop();

    const notes: string[] = [];
    const report = await failover(servicesReadingFrom(ctx, "auto", (n) => notes.push(n)), { operator: "asserted:oncall", reason: "primary region degraded" });
    expect(report).toMatchObject({ switched: true, tables: [{ table, entities: 20 }] });
    expect(notes.length).toBeGreaterThan(0);
    expect(normalized(await all(failoverStore(), table))).toEqual(normalized(makeRecords(20, 1, 2)));
  });

  it("without LIFEBOAT_FAILOVER, failover and failback refuse with CONFIG.MISSING naming it", async () => {
    const s = testServices([uniqueTable("Nf")]);
    for (const run of [failover, failback]) {
      const err = await caught(run(s, { operator: "asserted:x", reason: "none" }));
      expect((err as LifeboatError).code).toBe("CONFIG.MISSING");
      expect((err as Error).message).toContain("LIFEBOAT_FAILOVER");
    }
  });
});

describe("failback", () => {
  it("returns to the primary with the writes made in the failover account; backups follow the active endpoint meanwhile", async () => {
    const { ctx, table, secret } = await setup();
    await failover(ctx, { operator: "asserted:oncall", reason: "INC-2" });
    // Applications now write to the failover account.
    const extra = makeRecords(5, 2, 1, 1000);
    await seedTable(failoverStore(), table, extra);
    // A backup taken now reads the failover account.
    const followed = await followActiveEndpoint(ctx);
    expect(followed.note).toContain("failover account");
    const b = await takeBackup(followed.ctx, { operator: "test", kind: "incremental", waitForLockSeconds: 0 });
    expect(b.status === "committed" && b.entities).toBeGreaterThanOrEqual(5);

    const report = await failback(ctx, { operator: "asserted:oncall", reason: "INC-2 resolved" });
    expect(report.switched).toBe(true);
    expect(report.safetyPointId).toMatch(/^\d{8}T/);
    expect(normalized(await all(ctx.source, table))).toEqual(normalized([...makeRecords(30, 1, 3), ...extra]));
    const endpoint = await activeEndpoint(ctx);
    expect(endpoint).toMatchObject({ account: "primary", failoverId: report.failoverId });
    expect(endpoint.tableServiceUri).toContain("/devstoreaccount1");
    expect(await readSecret(vault, secret)).toMatchObject({ tableServiceUri: endpoint.tableServiceUri, failoverId: report.failoverId });
    expect((await followActiveEndpoint(ctx)).ctx.source).toBe(ctx.source);
    const actions = (await entries(ctx)).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(["failover:succeeded", "failback:succeeded", "restore:succeeded", "backup.full:succeeded", "settings.change:succeeded"]));
    const change = (await entries(ctx)).find((e) => e.action === "settings.change");
    expect(change?.target).toMatchObject({ settings: ["LIFEBOAT_SOURCE"] });
    // Nothing to fail back any more.
    expect(((await caught(failback(ctx, { operator: "asserted:oncall", reason: "again" }))) as LifeboatError).code).toBe("FAILBACK.NOT_FAILED_OVER");
  });
});

describe("the primary probe", () => {
  it("fails over only after the configured minutes of continuous failure, once; a success resets the clock", async () => {
    const { ctx, secret } = await setup({ LIFEBOAT_FAILOVER_AFTER_MINUTES: "3" });
    // A primary that does not answer: a connection string to a closed port.
    const down = createTableStore({ kind: "connectionString", connectionString: new Secret("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;") }, "LIFEBOAT_SOURCE", { retries: "none" });
    const failing: Services = { ...ctx, failover: { ...ctx.failover, probe: down } };
    const t0 = Date.now();
    const at = (min: number) => () => new Date(t0 + min * 60_000);
    const probe = (c: Services, min: number) => runPrimaryProbe(c, { operator: "timer:primaryProbe", now: at(min) });

    expect((await probe(failing, 0)).action).toBe("waiting");
    expect((await probe(failing, 2)).action).toBe("waiting");
    // A blip: the primary answers once, the clock starts again.
    expect((await probe(ctx, 2.5)).action).toBe("ok");
    expect((await probe(failing, 3)).action).toBe("waiting");
    expect((await probe(failing, 5)).action).toBe("waiting");
    const fired = await probe(failing, 6);
    expect(fired.action).toBe("failover");
    expect(fired.failoverError).toBeUndefined();
    expect(fired.failover?.switched).toBe(true);
    expect(await activeEndpoint(ctx)).toMatchObject({ account: "failover" });
    // Never again for this outage.
    expect((await probe(failing, 7)).action).toBe("failed_over");
    expect((await probe(failing, 30)).action).toBe("failed_over");
    const runs = (await entries(ctx)).filter((e) => e.action === "failover");
    expect(runs.map((e) => [e.operator, e.outcome])).toEqual([["timer:primaryProbe", "succeeded"]]);
    expect(vault.versions(secret)).toHaveLength(1);
  });

  it("with LIFEBOAT_AUTO_FAILOVER=off only alerts", async () => {
    const { ctx } = await setup({ LIFEBOAT_FAILOVER_AFTER_MINUTES: "1", LIFEBOAT_AUTO_FAILOVER: "off" });
    const down = createTableStore({ kind: "connectionString", connectionString: new Secret("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;") }, "LIFEBOAT_SOURCE", { retries: "none" });
    const failing: Services = { ...ctx, failover: { ...ctx.failover, probe: down } };
    const t0 = Date.now();
    expect((await runPrimaryProbe(failing, { operator: "timer:primaryProbe", now: () => new Date(t0) })).action).toBe("waiting");
    const r = await runPrimaryProbe(failing, { operator: "timer:primaryProbe", now: () => new Date(t0 + 120_000) });
    expect(r.action).toBe("alert");
    expect(r.auto).toBe(false);
    expect((await activeEndpoint(ctx)).account).toBe("primary");
  });

  it("an app learns of the other app's switch from the published record: the primary, back after the standby failed over, does not fail over again", async () => {
    const { ctx } = await setup({ LIFEBOAT_FAILOVER_AFTER_MINUTES: "1" });
    const site = ctx.failover.site!;
    // The standby failed over while this app's region was down: it wrote the vaults, not this app's state table.
    await ctx.failover.publisher.publish({ ...site.endpoints, since: new Date(Date.now() - 60_000).toISOString(), reason: "automatic (standby)", failoverId: "fo-standby" });
    expect(await activeEndpoint(ctx)).toMatchObject({ account: "failover", failoverId: "fo-standby", reason: "automatic (standby)" });
    // Its backups follow the failover account...
    const followed = await followActiveEndpoint(ctx);
    expect(followed.note).toMatch(/the failover account is the active endpoint/);
    // ... and its probe, with the primary source still failing, sees the switch and does nothing.
    const down = { ...ctx, failover: { ...ctx.failover, probe: createTableStore({ kind: "connectionString", connectionString: new Secret("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1") }, "test", { retries: "none" }) } };
    const t0 = Date.now();
    await runPrimaryProbe(down, { operator: "timer:primaryProbe", now: () => new Date(t0) });
    const r = await runPrimaryProbe(down, { operator: "timer:primaryProbe", now: () => new Date(t0 + 5 * 60_000) });
    expect(r.action).toBe("failed_over");
    expect(r.failover).toBeUndefined();
  });
});
