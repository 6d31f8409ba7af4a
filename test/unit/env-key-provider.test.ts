import { createHash, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createKeyProvider, decodeKeyBase64, EnvKeyProvider } from "../../src/adapters/keys";
import { LifeboatError, NotFoundError } from "../../src/core/errors";
import { Secret } from "../../src/core/secret";
import { caught } from "../helpers/caught";

const keyBytes = randomBytes(32);
const keyB64 = keyBytes.toString("base64");
const keyHex = keyBytes.toString("hex");

/** Every way the key could be rendered; none may appear in printed output. */
function leaks(text: string): boolean {
  return text.includes(keyB64) || text.includes(keyHex) || text.includes(keyBytes.toString("latin1"));
}

describe("EnvKeyProvider", () => {
  it("has a stable id: env: + 16 hex digits of sha256(key)", async () => {
    const a = EnvKeyProvider.fromBase64(keyB64);
    const b = new EnvKeyProvider(new Secret(Buffer.from(keyBytes)));
    const expected = "env:" + createHash("sha256").update(keyBytes).digest("hex").slice(0, 16);
    expect((await a.active()).id).toBe(expected);
    expect((await b.active()).id).toBe(expected);
    expect((await a.active()).key.reveal().equals(keyBytes)).toBe(true);
    expect((await a.byId(expected)).key.reveal().equals(keyBytes)).toBe(true);
  });

  it("byId of an unknown id throws NotFoundError KEY.NOT_FOUND naming the id and LIFEBOAT_KEK", async () => {
    const p = EnvKeyProvider.fromBase64(keyB64);
    const e = await caught(p.byId("env:0123456789abcdef"));
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).code).toBe("KEY.NOT_FOUND");
    expect((e as Error).message).toContain("env:0123456789abcdef");
    expect((e as Error).message).toContain("different LIFEBOAT_KEK");

    const kv = await caught(p.byId("kv:lifeboat-kek/0f1e2d"));
    expect((kv as NotFoundError).code).toBe("KEY.NOT_FOUND");
    expect((kv as Error).message).toContain("LIFEBOAT_KEY_VAULT_URI");
  });

  it("finds previous keys by id, so a development key can rotate", async () => {
    const old = new Secret(randomBytes(32));
    const before = new EnvKeyProvider(old);
    const oldId = (await before.active()).id;
    const after = EnvKeyProvider.fromBase64(keyB64, { previous: [old] });
    expect((await after.active()).id).not.toBe(oldId);
    expect((await after.byId(oldId)).key.reveal().equals(old.reveal())).toBe(true);
  });

  it("rejects a key that is not base64 of 32 bytes with KEY.INVALID, without the value", () => {
    const short = randomBytes(16).toString("base64");
    for (const bad of [short, keyB64 + "AAAA", "not base64 at all!!", ""]) {
      let err: unknown;
      try {
        EnvKeyProvider.fromBase64(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LifeboatError);
      expect((err as LifeboatError).code).toBe("KEY.INVALID");
      if (bad) expect((err as Error).message).not.toContain(bad);
    }
    expect(() => new EnvKeyProvider(new Secret(randomBytes(31)))).toThrow(/32 bytes/);
    expect(() => EnvKeyProvider.fromBase64(keyB64, { previous: [new Secret(randomBytes(8))] })).toThrow(/previous key #1/);
  });

  it("accepts the key with a trailing newline (openssl output)", async () => {
    expect((await EnvKeyProvider.fromBase64(keyB64 + "\n").active()).key.reveal().equals(keyBytes)).toBe(true);
    expect(decodeKeyBase64(new Secret(keyB64), "x").reveal().equals(keyBytes)).toBe(true);
  });

  it("never prints the key: String, JSON, inspect of the Kek and of errors", async () => {
    const p = createKeyProvider({ kind: "env", keyBase64: new Secret(keyB64) }).keys;
    const kek = await p.active();
    const outputs = [
      String(kek.key),
      `${kek.key}`,
      JSON.stringify(kek),
      inspect(kek, { depth: 10, showHidden: true }),
      inspect(p, { depth: 10, showHidden: true }),
      JSON.stringify(p),
    ];
    const err = await caught(p.byId("env:ffffffffffffffff"));
    outputs.push(String(err), JSON.stringify(err), inspect(err, { depth: 10, showHidden: true }));
    try {
      EnvKeyProvider.fromBase64(keyB64.slice(0, 40));
    } catch (e) {
      outputs.push(String(e), JSON.stringify(e), inspect(e, { depth: 10, showHidden: true }));
    }
    for (const out of outputs) expect(leaks(out), out).toBe(false);
    expect(JSON.stringify(kek)).toContain("**redacted**");
    expect(kek.id).toMatch(/^env:[0-9a-f]{16}$/);
  });
});
