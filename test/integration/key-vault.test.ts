import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyVaultKeyProvider } from "../../src/adapters/keys";
import { LifeboatError, NotFoundError } from "../../src/core/errors";
import { FAKE_RESOURCE, FAKE_TENANT_ID, FakeKeyVault, fakeCredential } from "../helpers/fake-key-vault";
import { caught } from "../helpers/caught";

const clientOptions: SecretClientOptions = {
  allowInsecureConnection: true,
  disableChallengeResourceVerification: true,
  retryOptions: { maxRetries: 0 },
};

let vault: FakeKeyVault;

beforeAll(async () => {
  vault = await new FakeKeyVault().start();
});
afterAll(async () => {
  await vault.stop();
});

function uniqueSecret(): string {
  return `kek-${randomBytes(5).toString("hex")}`;
}

describe("KeyVaultKeyProvider against a fake Key Vault", () => {
  it("reads the latest version as the active key, authenticating with the credential's token", async () => {
    const name = uniqueSecret();
    const key = randomBytes(32);
    const version = vault.setSecret(name, key.toString("base64"));
    const credential = fakeCredential(vault.token);
    const provider = new KeyVaultKeyProvider(vault.url, name, credential, { clientOptions });

    const kek = await provider.active();
    expect(kek.id).toBe(`kv:${name}/${version}`);
    expect(kek.key.reveal().equals(key)).toBe(true);

    // The challenge flow: one unauthenticated request → 401, then the retry with the token.
    const mine = vault.requests.filter((r) => r.path.startsWith(`/secrets/${name}`));
    expect(mine.map((r) => r.status)).toEqual([401, 200]);
    expect(mine[0]!.authorization).toBeUndefined();
    expect(mine[1]!.authorization).toBe(`Bearer ${vault.token}`);
    expect(mine[1]!.path).toBe(`/secrets/${name}/`);
    expect(mine[1]!.apiVersion).toBeTruthy();
    expect(credential.calls[0]).toEqual({ scopes: [`${FAKE_RESOURCE}/.default`], tenantId: FAKE_TENANT_ID });

    // Cached: a second call does not ask again.
    const count = vault.requests.length;
    expect((await provider.active()).id).toBe(kek.id);
    expect(vault.requests.length).toBe(count);
  });

  it("picks up a rotation after the cache expires; byId(old id) still returns the old key", async () => {
    const name = uniqueSecret();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const credential = fakeCredential(vault.token);
    // Rotate through the SDK, so PUT /secrets/{name} is exercised too.
    const admin = new SecretClient(vault.url, credential, clientOptions);
    const first = await admin.setSecret(name, oldKey.toString("base64"));

    let clock = 1_000_000;
    const provider = new KeyVaultKeyProvider(vault.url, name, credential, { clientOptions, now: () => clock });
    const before = await provider.active();
    expect(before.id).toBe(`kv:${name}/${first.properties.version!}`);

    const second = await admin.setSecret(name, newKey.toString("base64"));
    expect(vault.versions(name)).toEqual([first.properties.version, second.properties.version]);

    clock += 4 * 60 * 1000; // inside the 5-minute cache: still the old key
    expect((await provider.active()).id).toBe(before.id);

    clock += 2 * 60 * 1000; // past it
    const after = await provider.active();
    expect(after.id).toBe(`kv:${name}/${second.properties.version!}`);
    expect(after.key.reveal().equals(newKey)).toBe(true);

    const old = await provider.byId(before.id);
    expect(old.key.reveal().equals(oldKey)).toBe(true);

    // A fresh provider (e.g. another instance restoring an old file) fetches that exact version once.
    const fresh = new KeyVaultKeyProvider(vault.url, name, credential, { clientOptions });
    const n = vault.requests.length;
    expect((await fresh.byId(before.id)).key.reveal().equals(oldKey)).toBe(true);
    expect((await fresh.byId(before.id)).key.reveal().equals(oldKey)).toBe(true);
    const fetched = vault.requests.slice(n).filter((r) => r.status === 200);
    expect(fetched.map((r) => r.path)).toEqual([`/secrets/${name}/${first.properties.version!}`]);
  });

  it("concurrent active() calls share one request", async () => {
    const name = uniqueSecret();
    vault.setSecret(name, randomBytes(32).toString("base64"));
    const provider = new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions });
    await provider.active(); // settle the challenge
    const fresh = new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions, activeCacheMs: 0 });
    await fresh.active();
    const n = vault.requests.length;
    const ids = await Promise.all([fresh.active(), fresh.active(), fresh.active()]);
    expect(new Set(ids.map((k) => k.id)).size).toBe(1);
    expect(vault.requests.slice(n).filter((r) => r.status === 200).length).toBe(1);
  });

  it("a missing secret or version is NotFoundError KEY.NOT_FOUND", async () => {
    const name = uniqueSecret();
    const provider = new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions });
    const e = await caught(provider.active());
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).code).toBe("KEY.NOT_FOUND");
    expect((e as Error).message).toContain(name);
    // The cause is the SDK error; its recorded request must not print the bearer token.
    expect(inspect(e, { depth: 20, showHidden: true })).not.toContain(vault.token);

    vault.setSecret(name, randomBytes(32).toString("base64"));
    const v = await caught(provider.byId(`kv:${name}/${"0".repeat(32)}`));
    expect((v as NotFoundError).code).toBe("KEY.NOT_FOUND");
    expect((v as Error).message).toContain("0".repeat(32));

    const env = await caught(provider.byId("env:0123456789abcdef"));
    expect(env).toBeInstanceOf(NotFoundError);
    expect((env as Error).message).toContain("LIFEBOAT_KEK");
  });

  it("a value that is not base64 of 32 bytes is KEY.INVALID, and the value is never printed", async () => {
    const name = uniqueSecret();
    const bad = "hunter2-" + randomBytes(8).toString("hex");
    vault.setSecret(name, bad);
    const provider = new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions });
    const e = await caught(provider.active());
    expect(e).toBeInstanceOf(LifeboatError);
    expect((e as LifeboatError).code).toBe("KEY.INVALID");
    for (const out of [String(e), JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })]) {
      expect(out).not.toContain(bad);
    }

    const short = randomBytes(16).toString("base64");
    vault.setSecret(name, short);
    const p2 = new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions });
    const e2 = await caught(p2.active());
    expect((e2 as LifeboatError).code).toBe("KEY.INVALID");
    expect(inspect(e2, { depth: 10 })).not.toContain(short);
  });

  it("other failures are wrapped with status and code, keeping the cause", async () => {
    const name = uniqueSecret();
    vault.setSecret(name, randomBytes(32).toString("base64"));
    const provider = new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions });
    await provider.active(); // complete the challenge first, so the fault hits the data request
    const p = new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions });
    vault.failNext({ status: 403, body: JSON.stringify({ error: { code: "Forbidden", message: "Caller is not authorized" } }) });
    // The fresh provider's first request is unauthenticated (401, not the fault); its retry gets the fault.
    const e = await caught(p.active());
    expect(e).toBeInstanceOf(LifeboatError);
    expect((e as LifeboatError).code).toBe("KEY.UNAVAILABLE");
    expect((e as Error).message).toBe(`kv: cannot read secret ${name}: 403 Forbidden`);
    expect((e as Error).cause).toBeDefined();
    expect(inspect(e, { depth: 20, showHidden: true })).not.toContain(vault.token);
  });

  it("an unparseable response does not carry its body (which may hold the key) into the error", async () => {
    const name = uniqueSecret();
    const key = randomBytes(32).toString("base64");
    vault.setSecret(name, key);
    const p = new KeyVaultKeyProvider(vault.url, name, fakeCredential(vault.token), { clientOptions });
    vault.failNext({ status: 200, body: `{"value":"${key}","id":` });
    const e = await caught(p.active());
    expect((e as LifeboatError).code).toBe("KEY.UNAVAILABLE");
    expect(inspect(e, { depth: 10, showHidden: true })).not.toContain(key);
    // And the next call recovers.
    expect((await p.active()).key.reveal().toString("base64")).toBe(key);
  });

  it("a wrong token is refused by the fake (it really checks)", async () => {
    const name = uniqueSecret();
    vault.setSecret(name, randomBytes(32).toString("base64"));
    const p = new KeyVaultKeyProvider(vault.url, name, fakeCredential("not-the-token"), { clientOptions });
    const e = await caught(p.active());
    expect((e as LifeboatError).code).toBe("KEY.UNAVAILABLE");
    expect((e as Error).message).toContain("401");
  });
});
