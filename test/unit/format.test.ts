import { createDecipheriv, randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Kek } from "../../src/core/kek";
import { IntegrityError, LifeboatError, NotFoundError } from "../../src/core/errors";
import { Secret } from "../../src/core/secret";
import { decodeLines, encodeLines, openJson, openLines, sealJson, sealLines } from "../../src/format/chunk";
import { sha256Hex } from "../../src/core/hash";
import { MAGIC, openFile, readEnvelopeHeader, sealFile, unwrapKey, wrapKey } from "../../src/format/envelope";
import { caught } from "../helpers/caught";

const newKek = (id = "env:test"): Kek => ({ id, key: new Secret(randomBytes(32)) });
const anyId = (kek: Kek) => async (_id: string) => kek;

describe("AES-256 key wrap (RFC 3394)", () => {
  it("matches the RFC 3394 section 4.6 test vector (256-bit KEK, 256-bit key)", () => {
    const kek = Buffer.from("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "hex");
    const key = Buffer.from("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F", "hex");
    const wrapped = wrapKey(kek, key);
    expect(wrapped.toString("hex").toUpperCase()).toBe(
      "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21",
    );
    expect(unwrapKey(kek, wrapped).equals(key)).toBe(true);
    expect(() => unwrapKey(Buffer.alloc(32, 9), wrapped)).toThrow(IntegrityError);
  });

  it("rejects keys of the wrong length", () => {
    expect(() => wrapKey(Buffer.alloc(16), Buffer.alloc(32))).toThrow(LifeboatError);
  });
});

describe("envelope", () => {
  it("round trips and lays out magic, length, header, ciphertext, tag", async () => {
    const kek = newKek();
    const plaintext = Buffer.from("hello, lifeboat");
    const sealed = await sealFile(plaintext, kek, "json");
    expect(sealed.subarray(0, 8).toString("latin1")).toBe("LBOATv1\n");
    const headerLength = sealed.readUInt32BE(8);
    const header = JSON.parse(sealed.subarray(12, 12 + headerLength).toString("utf8"));
    expect(header).toMatchObject({ alg: "A256GCM", kw: "A256KW", kek: "env:test", contentType: "json" });
    expect(sealed.length).toBe(12 + headerLength + plaintext.length + 16);
    expect(sealed.includes(plaintext)).toBe(false);

    const opened = await openFile(sealed, anyId(kek));
    expect(opened.plaintext.equals(plaintext)).toBe(true);
    expect(opened.header).toEqual(header);
  });

  it("decrypts with nothing but the documented layout and generic primitives", async () => {
    const kek = newKek();
    const sealed = await sealFile(Buffer.from("independent"), kek, "json");
    const n = sealed.readUInt32BE(8);
    const aadEnd = 12 + n;
    const h = JSON.parse(sealed.subarray(12, aadEnd).toString("utf8"));
    const kw = createDecipheriv("id-aes256-wrap", kek.key.reveal(), Buffer.from("A6A6A6A6A6A6A6A6", "hex"));
    const dataKey = Buffer.concat([kw.update(Buffer.from(h.wrappedKey, "base64")), kw.final()]);
    const gcm = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(h.iv, "base64"));
    gcm.setAAD(sealed.subarray(0, aadEnd));
    gcm.setAuthTag(sealed.subarray(sealed.length - 16));
    const pt = Buffer.concat([gcm.update(sealed.subarray(aadEnd, sealed.length - 16)), gcm.final()]);
    expect(pt.toString()).toBe("independent");
  });

  it("uses a fresh data key and IV for every file", async () => {
    const kek = newKek();
    const a = readEnvelopeHeader(await sealFile(Buffer.from("x"), kek, "json"));
    const b = readEnvelopeHeader(await sealFile(Buffer.from("x"), kek, "json"));
    expect(a.iv).not.toBe(b.iv);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
  });

  it("detects every single-byte flip anywhere in the file", async () => {
    const kek = newKek();
    const sealed = await sealFile(Buffer.from('{"small":true}'), kek, "json");
    // keyFor hands out the right key whatever id it is asked for, so an edited kek id is
    // caught by the authenticated header itself, not by a failed lookup.
    const keyFor = anyId(kek);
    for (let i = 0; i < sealed.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = Buffer.from(sealed);
        bad[i]! ^= mask;
        const err = await caught(openFile(bad, keyFor));
        expect(err, `byte ${i} ^ ${mask}`).toBeInstanceOf(IntegrityError);
      }
    }
  });

  it("detects truncation and extension", async () => {
    const kek = newKek();
    const sealed = await sealFile(Buffer.from("some content here"), kek, "json");
    for (const len of [0, 4, 8, 11, 12, 40, sealed.length - 17, sealed.length - 16, sealed.length - 1]) {
      expect(await caught(openFile(sealed.subarray(0, len), anyId(kek)))).toBeInstanceOf(IntegrityError);
    }
    const longer = Buffer.concat([sealed, Buffer.from([0])]);
    expect(await caught(openFile(longer, anyId(kek)))).toBeInstanceOf(IntegrityError);
  });

  it("detects a wrong KEK without leaking key bytes", async () => {
    const right = newKek();
    const wrong = newKek();
    const sealed = await sealFile(Buffer.from("secret stuff"), right, "json");
    const err = await caught(openFile(sealed, anyId(wrong)));
    expect(err).toBeInstanceOf(IntegrityError);
    const text = `${(err as Error).message} ${JSON.stringify((err as IntegrityError).details)}`;
    for (const k of [right, wrong]) {
      expect(text).not.toContain(k.key.reveal().toString("hex"));
      expect(text).not.toContain(k.key.reveal().toString("base64"));
    }
  });

  it("reads the header without a key and passes its kek id to keyFor", async () => {
    const kek = newKek("kv:lifeboat-kek/0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    const sealed = await sealFile(Buffer.from("x"), kek, "ndjson+gzip");
    const header = readEnvelopeHeader(sealed);
    expect(header.kek).toBe(kek.id);
    expect(header.contentType).toBe("ndjson+gzip");
    expect(Buffer.from(header.iv, "base64")).toHaveLength(12);
    expect(Buffer.from(header.wrappedKey, "base64")).toHaveLength(40);

    const asked: string[] = [];
    await openFile(sealed, async (id) => {
      asked.push(id);
      return kek;
    });
    expect(asked).toEqual([kek.id]);
  });

  it("lets errors from keyFor pass through", async () => {
    const sealed = await sealFile(Buffer.from("x"), newKek("env:gone"), "json");
    const err = await caught(
      openFile(sealed, async (id) => {
        throw new NotFoundError("KEY.NOT_FOUND", `no key ${id}`);
      }),
    );
    expect(err).toBeInstanceOf(NotFoundError);
  });

  it("rejects non-envelopes in readEnvelopeHeader", () => {
    expect(() => readEnvelopeHeader(Buffer.from("PK\x03\x04 not ours"))).toThrow(IntegrityError);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(2);
    const bogus = Buffer.concat([MAGIC, len, Buffer.from("{}"), Buffer.alloc(16)]);
    expect(() => readEnvelopeHeader(bogus)).toThrow(/header alg/);
  });

  it("round trips a 5 MB payload", async () => {
    const kek = newKek();
    const big = randomBytes(5 * 1024 * 1024);
    const opened = await openFile(await sealFile(big, kek, "ndjson+gzip"), anyId(kek));
    expect(opened.plaintext.equals(big)).toBe(true);
  });
});

describe("chunk codec", () => {
  const lines = [
    '{"pk":"a","rk":"1","ts":"2026-11-26T13:45:00.1234567Z","p":{"Name":["Int64","9007199254740993"]}}',
    '{"pk":"a","rk":"2","del":1}',
    "",
    "\uFEFFunicode: é ü 日本 🚀 \r\t",
  ];

  it("round trips lines through NDJSON + gzip", async () => {
    const gz = await encodeLines(lines);
    expect(gz[0]).toBe(0x1f);
    expect(gz[1]).toBe(0x8b);
    expect(await decodeLines(gz)).toEqual(lines);
    expect(await decodeLines(await encodeLines([]))).toEqual([]);
    expect(await decodeLines(await encodeLines([""]))).toEqual([""]);
  });

  it("writes exactly each line followed by a newline", async () => {
    const { gunzipSync } = await import("node:zlib");
    expect(gunzipSync(await encodeLines(["a", "b"])).toString()).toBe("a\nb\n");
  });

  it("rejects lines containing a newline", async () => {
    const err = await caught(encodeLines(["ok", "not\nok"]));
    expect(err).toBeInstanceOf(LifeboatError);
    expect((err as LifeboatError).code).toBe("FORMAT.INVALID_LINE");
    await expect(sealLines(["a\n"], newKek())).rejects.toThrow(/newline/);
  });

  it("rejects garbage and unterminated chunks", async () => {
    expect(await caught(decodeLines(Buffer.from("not gzip")))).toBeInstanceOf(IntegrityError);
    expect(await caught(decodeLines(gzipSync("no newline at end")))).toBeInstanceOf(IntegrityError);
    expect(await caught(decodeLines(gzipSync(Buffer.from([0xc3, 0x28, 0x0a]))))).toBeInstanceOf(IntegrityError);
  });

  it("computes SHA-256 hex", () => {
    expect(sha256Hex(Buffer.from("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("seals and opens lines and JSON", async () => {
    const kek = newKek();
    expect(await openLines(await sealLines(lines, kek), anyId(kek))).toEqual(lines);
    const value = { format: "lifeboat-archive", n: 1, nested: [true, null, "x"] };
    const sealed = await sealJson(value, kek);
    expect(readEnvelopeHeader(sealed).contentType).toBe("json");
    expect(await openJson(sealed, anyId(kek))).toEqual(value);
  });

  it("refuses to open a file as the wrong content type", async () => {
    const kek = newKek();
    expect(await caught(openLines(await sealJson({ a: 1 }, kek), anyId(kek)))).toBeInstanceOf(IntegrityError);
    expect(await caught(openJson(await sealLines(["{}"], kek), anyId(kek)))).toBeInstanceOf(IntegrityError);
  });
});
