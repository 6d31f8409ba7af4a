import { describe, expect, it } from "vitest";
import { KeyLog } from "../../src/core/keys/key-log";
import { KeyStates } from "../../src/core/keys/key-states";

describe("KeyStates", () => {
  it("remembers every key's state through regrowth, and 0 for keys never set", () => {
    const s = new KeyStates(); // starts at the minimum size: 50k keys force several doublings
    const n = 50_000;
    for (let i = 0; i < n; i++) expect(s.add(`p${i % 97}`, `r${i}`, (i % 3) + 1)).toBe(0);
    expect(s.size).toBe(n);
    for (let i = 0; i < n; i++) expect(s.get(`p${i % 97}`, `r${i}`)).toBe((i % 3) + 1);
    for (let i = n; i < n + 1000; i++) expect(s.get(`p${i % 97}`, `r${i}`)).toBe(0);
    expect(s.bytes).toBeGreaterThanOrEqual((n * 4) / 3 * 17);
  });

  it("keeps the first state of a key, returns it on later adds, and does not count the key twice", () => {
    const s = new KeyStates(10);
    expect(s.add("a", "1", 1)).toBe(0);
    expect(s.add("a", "1", 2)).toBe(1);
    expect(s.get("a", "1")).toBe(1);
    expect(s.size).toBe(1);
  });

  it("tells keys apart that differ only in where pk ends and rk begins, or in case and unicode form", () => {
    const s = new KeyStates();
    const keys: [string, string][] = [["ab", "c"], ["a", "bc"], ["A", "bc"], ["é", "x"], ["e\u0301", "x"], ["", ""], ["", "a"]];
    keys.forEach(([pk, rk], i) => s.add(pk, rk, i + 1));
    keys.forEach(([pk, rk], i) => expect(s.get(pk, rk)).toBe(i + 1));
    expect(s.size).toBe(keys.length);
  });

  it("is sized once for the expected count", () => {
    const s = new KeyStates(1_000_000);
    const before = s.bytes;
    expect(before).toBe(2 ** 21 * 17); // 1M at ≤75% load
    for (let i = 0; i < 10_000; i++) s.add("p", String(i), 1);
    expect(s.bytes).toBe(before);
  });

  it("says how many keys it could not track when the table cannot be allocated", () => {
    expect(() => new KeyStates(2 ** 31)).toThrow(/MB to track [\d,]+ entity keys/);
  });

  it("refuses a state outside 1–255", () => {
    const s = new KeyStates();
    expect(() => s.add("a", "b", 0)).toThrow(RangeError);
    expect(() => s.add("a", "b", 256)).toThrow(RangeError);
    expect(() => s.add("a", "b", 1.5)).toThrow(RangeError);
    expect(s.size).toBe(0);
  });
});

describe("KeyLog", () => {
  it("gives back every key in order, byte for byte, across block boundaries", () => {
    const log = new KeyLog();
    const keys = Array.from({ length: 60_000 }, (_, i) => ({ pk: `partition ${i % 7} ☃ 'q' %`, rk: `row-${i}-${"x".repeat(i % 13)}` }));
    keys.push({ pk: "", rk: "" }, { pk: "😀\ud7ff", rk: "e\u0301" });
    for (const k of keys) log.add(k);
    expect(log.size).toBe(keys.length);
    expect([...log]).toEqual(keys);
  });

  it("holds a key larger than a block", () => {
    const log = new KeyLog();
    const big = { pk: "p", rk: "r".repeat(1_100_000) };
    log.add({ pk: "a", rk: "b" });
    log.add(big);
    log.add({ pk: "c", rk: "d" });
    expect([...log]).toEqual([{ pk: "a", rk: "b" }, big, { pk: "c", rk: "d" }]);
  });

  it("is empty when nothing was added", () => {
    expect([...new KeyLog()]).toEqual([]);
  });
});
