import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ContentDigest, canonicalEntityJson, entityHash } from "../../src/core/entity/content-digest";
import type { EntityRecord, PropertyValue } from "../../src/core/entity/record";

const MOD = 1n << 256n;

function rec(pk: string, rk: string, props: Record<string, PropertyValue>, extra: Partial<EntityRecord> = {}): EntityRecord {
  return { pk, rk, props, ...extra };
}

function digestOf(records: EntityRecord[]): ContentDigest {
  const d = new ContentDigest();
  for (const r of records) d.add(r);
  return d;
}

function shuffled<T>(a: T[]): T[] {
  const b = [...a];
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [b[i], b[j]] = [b[j] as T, b[i] as T];
  }
  return b;
}

const base: EntityRecord[] = [
  rec("p", "1", { a: ["String", "x"], b: ["Int32", "1"] }),
  rec("p", "2", { n: ["Double", "NaN"], d: ["DateTime", "2020-01-01T00:00:00.1234567Z"] }),
  rec("q", "1", { l: ["Int64", "9007199254740993"], g: ["Guid", "11111111-2222-3333-4444-555555555555"], bin: ["Binary", "AQID"], t: ["Boolean", "true"] }),
  rec("é😀", "it's \"100%\" ", {}),
];

describe("canonicalEntityJson", () => {
  it("is JSON.stringify with sorted property names, without ts or etag", () => {
    const r = rec("p\"\\", "r\u0001\ud800", { z: ["String", "1"], a: ["Int32", "2"], "é": ["String", "\n"], B: ["Boolean", "true"] }, { ts: "t", etag: "e" });
    const sorted = Object.fromEntries(Object.keys(r.props).sort().map((k) => [k, r.props[k]]));
    expect(canonicalEntityJson(r)).toBe(JSON.stringify({ pk: r.pk, rk: r.rk, p: sorted }));
    expect(canonicalEntityJson(r)).toBe(String.raw`{"pk":"p\"\\","rk":"r\u0001\ud800","p":{"B":["Boolean","true"],"a":["Int32","2"],"z":["String","1"],"é":["String","\n"]}}`);
  });

  it("does not depend on property insertion order", () => {
    const a = rec("p", "r", { x: ["String", "1"], y: ["String", "2"], c: ["Int32", "3"] });
    const b = rec("p", "r", { c: ["Int32", "3"], y: ["String", "2"], x: ["String", "1"] });
    expect(canonicalEntityJson(a)).toBe(canonicalEntityJson(b));
  });
});

describe("entityHash", () => {
  it("is SHA-256 of the canonical JSON as a big-endian integer", () => {
    const r = base[2]!;
    const hex = createHash("sha256").update(canonicalEntityJson(r), "utf8").digest("hex");
    expect(entityHash(r)).toBe(BigInt("0x" + hex));
  });
});

describe("ContentDigest", () => {
  it("is the sum of entity hashes modulo 2^256", () => {
    const sum = base.reduce((s, r) => (s + entityHash(r)) % MOD, 0n);
    const d = digestOf(base);
    expect(d.hex()).toBe(sum.toString(16).padStart(64, "0"));
    expect(d.value()).toBe(sum);
    expect(d.count).toBe(base.length);
  });

  it("wraps around 2^256 correctly over many additions", () => {
    // Enough additions to cross the lazy-carry normalisation more than once would be slow;
    // instead check a sum that overflows many times against BigInt arithmetic.
    const many: EntityRecord[] = [];
    for (let i = 0; i < 5000; i++) many.push(rec(`p${i % 13}`, `r${i}`, { v: ["Int32", String(i)] }));
    const sum = many.reduce((s, r) => (s + entityHash(r)) % MOD, 0n);
    const d = digestOf(many);
    expect(d.hex()).toBe(sum.toString(16).padStart(64, "0"));
    // hex() in the middle of adding does not disturb the running sum
    const e = new ContentDigest();
    many.forEach((r, i) => {
      e.add(r);
      if (i % 977 === 0) e.hex();
    });
    expect(e.hex()).toBe(d.hex());
  });

  it("carries across every limb and drops the carry out of 2^256", () => {
    const top = ContentDigest.fromHex("f".repeat(64), 0);
    top.add(base[0]!);
    const expected = (MOD - 1n + entityHash(base[0]!)) % MOD;
    expect(top.hex()).toBe(expected.toString(16).padStart(64, "0"));
  });

  it("is independent of order", () => {
    const d = digestOf(base);
    for (let i = 0; i < 10; i++) expect(digestOf(shuffled(base)).equals(d)).toBe(true);
  });

  it("gives the zero digest for no entities", () => {
    const d = new ContentDigest();
    expect(d.hex()).toBe("0".repeat(64));
    expect(d.count).toBe(0);
    expect(d.equals(new ContentDigest())).toBe(true);
  });

  it("ignores ts and etag", () => {
    const withMeta = base.map((r, i) => ({ ...r, ts: `2026-01-0${i + 1}T00:00:00Z`, etag: `W/"${i}"` }));
    expect(digestOf(withMeta).hex()).toBe(digestOf(base).hex());
  });

  it("changes with any change to a key, name, type or value", () => {
    const d = digestOf(base).hex();
    const variants: EntityRecord[][] = [];
    const edit = (i: number, f: (r: EntityRecord) => EntityRecord): void => {
      variants.push(base.map((r, j) => (j === i ? f(r) : r)));
    };
    edit(0, (r) => ({ ...r, pk: "P" }));
    edit(0, (r) => ({ ...r, rk: "1 " }));
    edit(0, (r) => ({ ...r, props: { ...r.props, a: ["String", "y"] } }));
    edit(0, (r) => ({ ...r, props: { ...r.props, b: ["Int64", "1"] } })); // type only
    edit(0, (r) => ({ ...r, props: { A: ["String", "x"], b: ["Int32", "1"] } })); // name only
    edit(0, (r) => ({ ...r, props: { a: ["String", "x"] } })); // property removed
    edit(0, (r) => ({ ...r, props: { ...r.props, c: ["String", ""] } })); // property added
    edit(1, (r) => ({ ...r, props: { ...r.props, n: ["Double", "Infinity"] } }));
    edit(1, (r) => ({ ...r, props: { ...r.props, d: ["DateTime", "2020-01-01T00:00:00.1234568Z"] } }));
    edit(2, (r) => ({ ...r, props: { ...r.props, bin: ["Binary", "AQIE"] } }));
    edit(2, (r) => ({ ...r, props: { ...r.props, t: ["Boolean", "false"] } }));
    edit(2, (r) => ({ ...r, props: { ...r.props, l: ["Int64", "9007199254740992"] } }));
    edit(3, (r) => ({ ...r, props: { x: ["String", ""] } }));
    // swapping values between two names
    edit(0, () => rec("p", "1", { a: ["Int32", "1"], b: ["String", "x"] }));
    // swapping pk and rk contents
    edit(0, (r) => ({ ...r, pk: "1", rk: "p" }));
    variants.push(base.slice(1)); // entity removed
    variants.push([...base, rec("p", "3", {})]); // entity added
    variants.push([...base, base[0]!]); // duplicate
    const seen = new Set<string>([d]);
    for (const v of variants) {
      const h = digestOf(v).hex();
      expect(h).not.toBe(d);
      seen.add(h);
    }
    expect(seen.size).toBe(variants.length + 1);
  });

  it("compares count as well as sum", () => {
    const a = digestOf(base);
    const b = ContentDigest.fromHex(a.hex(), a.count + 1);
    expect(b.hex()).toBe(a.hex());
    expect(a.equals(b)).toBe(false);
    expect(a.equals(ContentDigest.fromHex(a.hex(), a.count))).toBe(true);
  });

  it("merges digests of disjoint parts", () => {
    const a = digestOf(base.slice(0, 2));
    const b = digestOf(base.slice(2));
    a.merge(b);
    expect(a.equals(digestOf(base))).toBe(true);
    const c = ContentDigest.fromHex(digestOf(base.slice(0, 1)).hex(), 1);
    c.add(base[1]!);
    c.add(base[2]!);
    c.add(base[3]!);
    expect(c.equals(digestOf(base))).toBe(true);
  });

  it("rejects a malformed stored digest", () => {
    expect(() => ContentDigest.fromHex("xyz", 1)).toThrow(RangeError);
    expect(() => ContentDigest.fromHex("0".repeat(64), -1)).toThrow(RangeError);
  });
});
