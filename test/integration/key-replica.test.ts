import { randomBytes } from "node:crypto";
import type { SecretClientOptions } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FallbackKeyProvider, KEK_ID_TAG, KeyVaultKeyProvider, KeyVaultReplica } from "../../src/adapters/keys";
import { takeBackup } from "../../src/app/backup/take-backup";
import { runDoctor } from "../../src/app/doctor/run-doctor";
import { syncKek } from "../../src/app/keys/sync-kek";
import { loadManifest } from "../../src/app/repo/catalog";
import { ConfigError, loadConfig } from "../../src/config";
import { LifeboatError, NotFoundError, ValidationError } from "../../src/core/errors";
import { caught } from "../helpers/caught";
import { FakeKeyVault, fakeCredential } from "../helpers/fake-key-vault";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

/*
 * The KEK's copy in the second region's vault (LIFEBOAT_KEY_VAULT_URI_SECONDARY), against
 * two local fake Key Vaults that speak the secrets REST API: `lifeboat kek sync` copies it
 * under the primary's key id, the doctor compares the two by id, and with the primary
 * vault down, backups and restores read the copy.
 */

const clientOptions: SecretClientOptions = { allowInsecureConnection: true, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } };

let primaryVault: FakeKeyVault;
let secondaryVault: FakeKeyVault;

beforeAll(async () => {
  primaryVault = await new FakeKeyVault().start();
  secondaryVault = await new FakeKeyVault().start();
});
afterAll(async () => {
  await primaryVault.stop();
  await secondaryVault.stop();
});

/** Key Vault wiring as createKeyProvider builds it, over the two fakes. */
function vaults(secretName: string) {
  const primary = new KeyVaultKeyProvider(primaryVault.url, secretName, fakeCredential(primaryVault.token), { clientOptions, activeCacheMs: 0 });
  const replica = new KeyVaultReplica(secondaryVault.url, secretName, fakeCredential(secondaryVault.token), clientOptions);
  const notes: string[] = [];
  const keys = new FallbackKeyProvider(primary, replica, (n) => notes.push(n));
  return { primary, replica, keys, notes };
}

describe("the KEK's copy in a second vault", () => {
  it("kek sync copies the active KEK under the primary's id, once; audited without the value", async () => {
    const name = `kek-${randomBytes(4).toString("hex")}`;
    const key = randomBytes(32);
    const version = primaryVault.setSecret(name, key.toString("base64"));
    const v = vaults(name);
    const s = testServices([uniqueTable("Kr")]);
    const ctx = { ...s, kekReplication: { primary: v.primary, replica: v.replica } };

    const first = await syncKek(ctx, "cli:oncall");
    expect(first).toEqual({ kekId: `kv:${name}/${version}`, copied: true, replica: v.replica.description });
    // Addressed by the primary's id: a secret per version and the newest under the name, both tagged.
    expect(secondaryVault.versions(`${name}--${version}`)).toHaveLength(1);
    expect(secondaryVault.versions(name)).toHaveLength(1);
    const copy = await v.replica.byId(first.kekId);
    expect(copy.id).toBe(first.kekId);
    expect(copy.key.reveal().equals(key)).toBe(true);
    expect(await v.replica.activeId()).toBe(first.kekId);

    const again = await syncKek(ctx, "cli:oncall");
    expect(again.copied).toBe(false);
    expect(secondaryVault.versions(name)).toHaveLength(1); // nothing rewritten

    const all = [];
    for await (const e of s.audit.entries()) all.push(e);
    const entries = all.filter((e) => e.action === "key.sync");
    expect(entries.map((e) => [e.outcome, e.details?.copied])).toEqual([
      ["succeeded", true],
      ["succeeded", false],
    ]);
    const everything = JSON.stringify(all);
    expect(everything).not.toContain(key.toString("base64"));
    expect(everything).not.toContain(key.toString("hex"));
  });

  it("after a rotation the doctor fails until kek sync ran; it compares ids, and the old key's copy stays readable", async () => {
    const name = `kek-${randomBytes(4).toString("hex")}`;
    const oldVersion = primaryVault.setSecret(name, randomBytes(32).toString("base64"));
    const v = vaults(name);
    const s = testServices([uniqueTable("Kd")]);
    const ctx = { ...s, keys: v.keys, kekReplication: { primary: v.primary, replica: v.replica } };

    const before = (await runDoctor(ctx, { operator: "cli:t", probeAppend: false })).checks.find((c) => c.name === "key copy");
    expect(before).toMatchObject({ status: "fail" });
    expect(before!.detail).toContain(`lacks kv:${name}/${oldVersion}`);
    expect(before!.fix).toContain("lifeboat kek sync");

    await syncKek(ctx, "cli:t");
    expect((await runDoctor(ctx, { operator: "cli:t", probeAppend: false })).checks.find((c) => c.name === "key copy")).toMatchObject({ status: "ok" });

    const newVersion = primaryVault.setSecret(name, randomBytes(32).toString("base64")); // rotation
    const stale = (await runDoctor(ctx, { operator: "cli:t", probeAppend: false })).checks.find((c) => c.name === "key copy");
    expect(stale).toMatchObject({ status: "fail" });
    expect(stale!.detail).toContain(`lacks kv:${name}/${newVersion},`);
    expect(stale!.detail).toContain(`its newest is kv:${name}/${oldVersion}`);

    await syncKek(ctx, "cli:t");
    expect(await v.replica.activeId()).toBe(`kv:${name}/${newVersion}`);
    expect(await v.replica.has(`kv:${name}/${oldVersion}`)).toBe(true);
  });

  it("with the primary vault down, a backup is sealed and a point opened with the copy, under the primary's ids", async () => {
    const vault = await new FakeKeyVault().start(); // this test's own primary, to stop it
    const name = `kek-${randomBytes(4).toString("hex")}`;
    const version = vault.setSecret(name, randomBytes(32).toString("base64"));
    const primary = new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions, activeCacheMs: 0 });
    const replica = new KeyVaultReplica(secondaryVault.url, name, fakeCredential(secondaryVault.token), clientOptions);
    const notes: string[] = [];
    const keys = new FallbackKeyProvider(primary, replica, (n) => notes.push(n));
    const table = uniqueTable("Kf");
    const s = testServices([table]);
    await seedTable(s.source, table, makeRecords(30, 1, 2));
    const ctx = { ...s, keys, audit: s.audit, kekReplication: { primary, replica } };
    await syncKek(ctx, "cli:t");

    const before = await takeBackup(ctx, { operator: "cli:t", kind: "full", waitForLockSeconds: 5 });
    if (before.status !== "committed") throw new Error(`backup ${before.status}`);
    await vault.stop(); // the primary region's vault is gone

    const freshKeys = new FallbackKeyProvider(
      new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions, activeCacheMs: 0 }),
      replica,
      (n) => notes.push(n),
    );
    const opened = await loadManifest(s.repo, freshKeys, before.pointId);
    expect(opened.kekId).toBe(`kv:${name}/${version}`);
    const after = await takeBackup({ ...ctx, keys: freshKeys }, { operator: "cli:t", kind: "incremental", waitForLockSeconds: 5 });
    if (after.status !== "committed") throw new Error(`backup ${after.status}`);
    expect((await loadManifest(s.repo, freshKeys, after.pointId)).kekId).toBe(`kv:${name}/${version}`);
    expect(notes.some((n) => n.includes("came from the secondary vault"))).toBe(true);

    // The doctor says so: the copy is in use (a warning, not a failure).
    const doctor = await runDoctor({ ...ctx, keys: freshKeys, kekReplication: { primary: new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions }), replica } }, { operator: "cli:t", probeAppend: false });
    expect(doctor.checks.find((c) => c.name === "key copy")).toMatchObject({ status: "warn" });
    expect(doctor.checks.find((c) => c.name === "key copy")!.detail).toContain("used instead");
  });

  it("after the primary failed, the copy answers alone for a while (one note), then the primary is asked again", async () => {
    const name = `kek-${randomBytes(4).toString("hex")}`;
    const version = primaryVault.setSecret(name, randomBytes(32).toString("base64"));
    const v = vaults(name);
    await syncKek({ ...testServices([uniqueTable("Kt")]), kekReplication: { primary: v.primary, replica: v.replica } }, "cli:t");
    let primaryCalls = 0;
    let failing = true;
    const flaky = {
      active: async () => {
        primaryCalls++;
        if (failing) throw new LifeboatError("KEY.UNAVAILABLE", "kv: cannot read secret: ECONNREFUSED");
        return v.primary.active();
      },
      byId: async (id: string) => {
        primaryCalls++;
        if (failing) throw new LifeboatError("KEY.UNAVAILABLE", "kv: cannot read secret: ECONNREFUSED");
        return v.primary.byId(id);
      },
    };
    let clock = 1_000_000;
    const notes: string[] = [];
    const keys = new FallbackKeyProvider(flaky, v.replica, (n) => notes.push(n), { retryMs: 60_000, now: () => clock });
    const id = `kv:${name}/${version}`;
    expect((await keys.active()).id).toBe(id);
    for (let i = 0; i < 5; i++) expect((await keys.byId(id)).id).toBe(id);
    expect(primaryCalls).toBe(1);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("came from the secondary vault");
    failing = false;
    clock += 61_000;
    expect((await keys.active()).id).toBe(id);
    expect(primaryCalls).toBe(2);
    expect(notes).toHaveLength(1);
  });

  it("a key the primary says does not exist is not looked up in the copy; both down is one clear error", async () => {
    const name = `kek-${randomBytes(4).toString("hex")}`;
    primaryVault.setSecret(name, randomBytes(32).toString("base64"));
    const v = vaults(name);
    const missing = await caught(v.keys.byId(`kv:${name}/${"0".repeat(32)}`));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(v.notes).toEqual([]);

    const down = new FallbackKeyProvider(
      new KeyVaultKeyProvider("http://127.0.0.1:9", name, fakeCredential("t"), { clientOptions }),
      new KeyVaultReplica("http://127.0.0.1:9", name, fakeCredential("t"), clientOptions),
    );
    const err = await caught(down.active());
    expect(err).toBeInstanceOf(LifeboatError);
    expect((err as LifeboatError).code).toBe("KEY.UNAVAILABLE");
    expect((err as Error).message).toContain("the secondary vault failed too");
  });

  it("kek sync without a secondary vault names the setting; the settings refuse a secondary without or equal to the primary", async () => {
    const s = testServices([uniqueTable("Kn")]);
    const err = await caught(syncKek(s, "cli:t"));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain("LIFEBOAT_KEY_VAULT_URI_SECONDARY");

    const base = { LIFEBOAT_SOURCE: s.settings.LIFEBOAT_SOURCE!, LIFEBOAT_BACKUP: s.settings.LIFEBOAT_BACKUP!, LIFEBOAT_TABLES: "Customers" };
    const issues = (settings: Record<string, string>): string[] => {
      try {
        loadConfig({ ...base, ...settings });
        return [];
      } catch (e) {
        return (e as ConfigError).issues.map((i) => `${i.setting}: ${i.message}`);
      }
    };
    expect(issues({ LIFEBOAT_KEK: s.settings.LIFEBOAT_KEK!, LIFEBOAT_KEY_VAULT_URI_SECONDARY: "https://kv-b.vault.azure.net" })).toContain(
      "LIFEBOAT_KEY_VAULT_URI_SECONDARY: needs LIFEBOAT_KEY_VAULT_URI: it holds a copy of that vault's KEK",
    );
    expect(
      issues({ LIFEBOAT_KEY_VAULT_URI: "https://kv-a.vault.azure.net/", LIFEBOAT_KEK_SECRET: "lifeboat-kek", LIFEBOAT_KEY_VAULT_URI_SECONDARY: "https://KV-A.vault.azure.net" }),
    ).toContain("LIFEBOAT_KEY_VAULT_URI_SECONDARY: must be another vault than LIFEBOAT_KEY_VAULT_URI (one in the second region)");
    const ok = loadConfig({ ...base, LIFEBOAT_KEY_VAULT_URI: "https://kv-a.vault.azure.net/", LIFEBOAT_KEK_SECRET: "lifeboat-kek", LIFEBOAT_KEY_VAULT_URI_SECONDARY: "https://kv-b.vault.azure.net/" });
    expect(ok.key).toMatchObject({ kind: "keyVault", secondaryVaultUri: "https://kv-b.vault.azure.net/" });
    expect(KEK_ID_TAG).toBe("lifeboat-kek-id");
  });
});
