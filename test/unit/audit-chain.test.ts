import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  addDays,
  canonicalEntry,
  canonicalJson,
  dayOf,
  deriveKey,
  entryHash,
  entryMacKey,
  GENESIS_HASH,
  hmacHex,
  isDay,
  rowKeyOf,
  sealEntry,
  seqOfRowKey,
  toJsonValue,
  type AuditEntry,
} from "../../src/core/audit/chain";
import { digestHmacValid, digestMacKey, digestName, digestSeqOfName, encodeDigest, parseDigest, signDigest, type DigestBody } from "../../src/core/audit/digest";
import { connectionStringSecrets, REDACTED, sanitizeText, sanitizeValue, secretForms } from "../../src/core/audit/sanitize";
import { cliOperator, operatorFromHttp, timerOperator } from "../../src/app/audit/operator";
import { IntegrityError, ValidationError } from "../../src/core/errors";
import { Secret } from "../../src/core/secret";

const base: Omit<AuditEntry, "hash" | "mac"> = {
  seq: 7,
  time: "2026-11-26T13:45:00.123Z",
  operator: "cli:alice (root@host)",
  action: "backup.full",
  target: { tables: ["Customers", "Orders"], point: "20261126T134500123Z-fabc123" },
  outcome: "succeeded",
  durationMs: 1234,
  error: null,
  details: { entities: 3, bytes: 1024, nested: { b: 1, a: [2, 1] } },
  prevHash: "ab".repeat(32),
  kekId: "env:0011223344556677",
};

/** RFC 5869 HKDF-SHA256 written out, to check deriveKey against. */
function hkdfReference(ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer {
  const prk = createHmac("sha256", salt).update(ikm).digest();
  let t = Buffer.alloc(0);
  const out: Buffer[] = [];
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = createHmac("sha256", prk).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

describe("canonical encoding and hash", () => {
  it("canonicalJson sorts keys at every level, keeps array order, has no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ "é": 1, e: 2, E: 3 })).toBe('{"E":3,"e":2,"é":1}');
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
  });

  it("the canonical entry text is pinned (changing it would orphan every stored chain)", () => {
    expect(canonicalEntry(base)).toBe(
      '{"action":"backup.full","details":{"bytes":1024,"entities":3,"nested":{"a":[2,1],"b":1}},"durationMs":1234,"error":null,' +
        `"kekId":"env:0011223344556677","operator":"cli:alice (root@host)","outcome":"succeeded","prevHash":"${"ab".repeat(32)}","seq":7,` +
        '"target":{"point":"20261126T134500123Z-fabc123","tables":["Customers","Orders"]},"time":"2026-11-26T13:45:00.123Z","v":1}',
    );
    expect(entryHash(base)).toBe(createHash("sha256").update(canonicalEntry(base)).digest("hex"));
  });

  it("the hash does not depend on key order but changes with every field", () => {
    const reordered = { ...base, details: { nested: { a: [2, 1], b: 1 }, bytes: 1024, entities: 3 } };
    expect(entryHash(reordered)).toBe(entryHash(base));
    const variants: Partial<Omit<AuditEntry, "hash" | "mac">>[] = [
      { seq: 8 },
      { time: "2026-11-26T13:45:00.124Z" },
      { operator: "cli:bob" },
      { action: "backup.incremental" },
      { target: { tables: ["Customers"] } },
      { outcome: "failed" },
      { durationMs: 1235 },
      { error: "boom" },
      { details: { entities: 4, bytes: 1024, nested: { b: 1, a: [2, 1] } } },
      { details: { entities: 3, bytes: 1024, nested: { b: 1, a: [1, 2] } } },
      { prevHash: "cd".repeat(32) },
      { kekId: "env:ffffffffffffffff" },
    ];
    const hashes = new Set(variants.map((v) => entryHash({ ...base, ...v })));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(entryHash(base))).toBe(false);
  });

  it("toJsonValue stores what JSON would, minus undefined, with secrets redacted", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(
      toJsonValue({ u: undefined, n: Number.NaN, i: Infinity, z: -0, d: new Date("2026-01-02T03:04:05.006Z"), b: 10n, s: new Secret("hunter2hunter2"), f: () => 1, m: new Map([["k", 1]]), set: new Set([1]), c: cyclic }),
    ).toEqual({ n: null, i: null, z: 0, d: "2026-01-02T03:04:05.006Z", b: "10", s: "**redacted**", m: { k: 1 }, set: [1], c: { a: 1, self: "[…]" } });
  });

  it("sealEntry MACs the hash with a key derived from the KEK; another key gives another MAC", () => {
    const kek = randomBytes(32);
    const e = sealEntry(base, entryMacKey(kek, base.kekId));
    expect(e.hash).toBe(entryHash(base));
    expect(e.mac).toBe(hmacHex(entryMacKey(kek, base.kekId), e.hash));
    expect(e.mac).not.toBe(hmacHex(entryMacKey(randomBytes(32), base.kekId), e.hash));
    expect(e.mac).not.toBe(hmacHex(entryMacKey(kek, "env:other"), e.hash));
  });

  it("deriveKey is HKDF-SHA256 (RFC 5869) with the salt and the KEK id as info", () => {
    const kek = randomBytes(32);
    expect(deriveKey(kek, "lifeboat-audit-digest-v1", "kv:kek/abc")).toEqual(hkdfReference(kek, Buffer.from("lifeboat-audit-digest-v1"), Buffer.from("kv:kek/abc"), 32));
    expect(digestMacKey(kek, "id")).toEqual(hkdfReference(kek, Buffer.from("lifeboat-audit-digest-v1"), Buffer.from("id"), 32));
    expect(entryMacKey(kek, "id")).toEqual(hkdfReference(kek, Buffer.from("lifeboat-audit-entry-v1"), Buffer.from("id"), 32));
    expect(digestMacKey(kek, "id")).not.toEqual(entryMacKey(kek, "id"));
  });

  it("days and row keys", () => {
    expect(dayOf("2026-11-26T23:59:59.999Z")).toBe("2026-11-26");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(isDay("2026-02-29")).toBe(false);
    expect(isDay("2028-02-29")).toBe(true);
    const keys = [1, 9, 10, 99, 100, 123456789].map(rowKeyOf);
    expect([...keys].sort()).toEqual(keys);
    expect(seqOfRowKey(rowKeyOf(42))).toBe(42);
    expect(seqOfRowKey("head")).toBeNull();
    expect(seqOfRowKey("0".repeat(16))).toBeNull();
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
  });
});

describe("digests", () => {
  const body: DigestBody = {
    version: 1,
    digestSeq: 3,
    headSeq: 120,
    headHash: "ef".repeat(32),
    headTime: "2026-11-26T13:00:00.000Z",
    headDay: "2026-11-26",
    createdAt: "2026-11-26T13:05:00.000Z",
    previousDigest: digestName(2),
    previousDigestSha256: "12".repeat(32),
    kekId: "env:0011223344556677",
  };

  it("an HMAC over every field: any change, or another key, fails", () => {
    const kek = randomBytes(32);
    const key = digestMacKey(kek, body.kekId);
    const d = signDigest(body, key);
    expect(digestHmacValid(d, key)).toBe(true);
    expect(digestHmacValid(d, digestMacKey(randomBytes(32), body.kekId))).toBe(false);
    const changes: Partial<DigestBody>[] = [
      { digestSeq: 4 },
      { headSeq: 121 },
      { headHash: "ee".repeat(32) },
      { headTime: null },
      { headDay: "2026-11-25" },
      { createdAt: "2026-11-26T13:05:00.001Z" },
      { previousDigest: null },
      { previousDigestSha256: "13".repeat(32) },
      { kekId: "env:x" },
    ];
    for (const c of changes) expect(digestHmacValid({ ...d, ...c }, key), JSON.stringify(c)).toBe(false);
  });

  it("encodes to plain JSON and parses back; malformed bytes are an IntegrityError", () => {
    const d = signDigest(body, randomBytes(32));
    expect(parseDigest(encodeDigest(d), "x")).toEqual(d);
    expect(() => parseDigest(Buffer.from("{nope"), "x")).toThrow(IntegrityError);
    expect(() => parseDigest(Buffer.from(JSON.stringify({ ...d, version: 2 })), "x")).toThrow(/version/);
    expect(() => parseDigest(Buffer.from(JSON.stringify({ ...d, headSeq: "1" })), "x")).toThrow(IntegrityError);
  });

  it("names list newest first and round-trip to their number", () => {
    const names = [1, 2, 10, 11, 999].map(digestName);
    expect([...names].sort()).toEqual([...names].reverse());
    expect(digestName(12)).toBe("digests/999999999987-000000000012.json");
    for (const n of [1, 2, 10, 999]) expect(digestSeqOfName(digestName(n))).toBe(n);
    expect(digestSeqOfName("digests/999999999987-000000000013.json")).toBeNull();
    expect(digestSeqOfName("digests/other.json")).toBeNull();
  });
});

describe("sanitize", () => {
  const accountKey = randomBytes(64).toString("base64");
  const cs = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${accountKey};EndpointSuffix=core.windows.net`;
  const kek = randomBytes(32);

  it("redacts account keys, SAS signatures, bearer tokens, JWTs and base64 keys by pattern", () => {
    const sas = "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026-12-01&sp=r&sig=AbC%2Bdef123%3D";
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlMTIzNDU2";
    const text = `failed with ${cs} and ${sas}; Authorization: Bearer abcdefghijklmnop; token ${jwt}; key ${kek.toString("base64")}; SharedAccessSignature=sv=1&sig=xyz`;
    const out = sanitizeText(text);
    for (const secret of [accountKey, "AbC%2Bdef123%3D", "abcdefghijklmnop", jwt, kek.toString("base64"), "sig=xyz"]) expect(out).not.toContain(secret);
    expect(out).toContain("AccountKey=**redacted**");
    expect(out).toContain("AccountName=acct");
    expect(out).toContain("sv=2022-11-02");
  });

  it("redacts exact known secrets in any form, and leaves hashes, ids and names alone", () => {
    const secrets = [...connectionStringSecrets(cs), ...secretForms(kek)];
    const hex = kek.toString("hex");
    const ordinary = `point 20261126T134500123Z-fabc123 table CustomerOrders2024ArchiveForRegionWestEurope1 hash ${"ab12".repeat(16)} path points/2026/x.manifest`;
    expect(sanitizeText(`${ordinary} ${hex}`, secrets)).toBe(`${ordinary} ${REDACTED}`);
    expect(sanitizeText(`k=${kek.toString("base64url")}`, secrets)).toBe(`k=${REDACTED}`);
  });

  it("redacts secret-named properties and secret strings inside details", () => {
    expect(
      sanitizeValue({ entities: 3, password: "p", nested: { connectionString: "x", note: `AccountKey=${accountKey}` }, list: [`sig=abc`], partitionKey: "pk", kekId: "env:1" }),
    ).toEqual({ entities: 3, password: REDACTED, nested: { connectionString: REDACTED, note: `AccountKey=${REDACTED}` }, list: [`sig=${REDACTED}`], partitionKey: "pk", kekId: "env:1" });
  });

  it("cuts long text", () => {
    expect(sanitizeText("x".repeat(5000), [], 100)).toHaveLength(100);
  });
});

describe("operators", () => {
  it("HTTP: the Entra principal from App Service Authentication wins over an asserted name", () => {
    const headers = new Headers({ "x-ms-client-principal-name": "alice@contoso.com", "x-ms-client-principal-id": "0000-1111" });
    expect(operatorFromHttp(headers, "mallory")).toBe("entra:alice@contoso.com (id 0000-1111)");
    expect(operatorFromHttp({ "X-MS-CLIENT-PRINCIPAL-ID": "0000-1111" })).toBe("entra:0000-1111");
  });

  it("HTTP: without a principal the caller must name itself, recorded as asserted", () => {
    expect(operatorFromHttp(new Headers(), " bob ")).toBe("asserted:bob");
    expect(operatorFromHttp({}, "bob\nFAKE LINE")).toBe("asserted:bobFAKE LINE");
    for (const bad of [undefined, "", "   ", 42]) {
      const err = (() => {
        try {
          operatorFromHttp(new Headers(), bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe("operator");
    }
  });

  it("timers and the CLI", () => {
    expect(timerOperator("incrementalBackup")).toBe("timer:incrementalBackup");
    expect(cliOperator()).toMatch(/^cli:[^@\s]+@\S+$/);
    expect(cliOperator("alice")).toMatch(/^cli:alice \([^@\s]+@\S+\)$/);
    expect(() => cliOperator(" ")).toThrow(ValidationError);
  });
});
