import { describe, expect, it } from "vitest";
import { ascending, compareKeys, KeysOutOfOrder, missingFrom, union } from "../../src/core/keys/key-merge";
import type { EntityKey } from "../../src/core/entity/record";

const k = (pk: string, rk: string): EntityKey => ({ pk, rk });

async function all(keys: AsyncIterable<EntityKey>): Promise<EntityKey[]> {
  const out: EntityKey[] = [];
  for await (const x of keys) out.push(x);
  return out;
}

/** A deterministic pseudo-random key set, sorted the service's way. */
function keySet(n: number, seed: number): EntityKey[] {
  let x = seed;
  const rnd = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const chars = ["a", "b", "Z", "é", "😀", "\uffff", "'", "%", " "];
  const word = (): string => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => chars[Math.floor(rnd() * chars.length)]).join("");
  const seen = new Map<string, EntityKey>();
  while (seen.size < n) {
    const key = k(word(), word());
    seen.set(`${key.pk}\u0000${key.rk}`, key);
  }
  return [...seen.values()].sort(compareKeys);
}

describe("compareKeys", () => {
  it("orders by PartitionKey, then RowKey, by UTF-16 code unit (as Azurite sorts)", () => {
    const keys = [k("b", "a"), k("a", "b"), k("a", "a"), k("a", ""), k("", "z"), k("\uffff", "a"), k("😀", "a"), k("Z", "a")];
    expect([...keys].sort(compareKeys)).toEqual([k("", "z"), k("Z", "a"), k("a", ""), k("a", "a"), k("a", "b"), k("b", "a"), k("😀", "a"), k("\uffff", "a")]);
    // Not the order of the concatenation: "a" + "b…" would sort after "ab" + "".
    expect(compareKeys(k("a", "bz"), k("ab", ""))).toBeLessThan(0);
    expect(compareKeys(k("x", "y"), k("x", "y"))).toBe(0);
  });
});

describe("ascending", () => {
  it("passes sorted keys through and refuses a key that is not greater than the one before", async () => {
    expect(await all(ascending([k("a", "1"), k("a", "2"), k("b", "0")], "s"))).toEqual([k("a", "1"), k("a", "2"), k("b", "0")]);
    const err = await all(ascending([k("a", "2"), k("a", "1")], "key scan")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeysOutOfOrder);
    expect((err as KeysOutOfOrder).message).toBe("key scan: keys are not in ascending (PartitionKey, RowKey) order");
    // A repeated key is out of order too: a merge would count it once on one side only.
    await expect(all(ascending([k("a", "1"), k("a", "1")], "s"))).rejects.toBeInstanceOf(KeysOutOfOrder);
  });
});

describe("union and missingFrom", () => {
  it("agree with a set difference on random sorted inputs, each key once", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const before = keySet(300, seed);
      const after = keySet(300, seed + 100);
      const changed = keySet(40, seed + 200);
      const id = (x: EntityKey): string => `${x.pk}\u0000${x.rk}`;
      const afterIds = new Set(after.map(id));
      const expected = [...new Map([...before, ...changed].map((x) => [id(x), x])).values()].filter((x) => !afterIds.has(id(x))).sort(compareKeys);
      const got = await all(missingFrom(union(ascending(before, "before"), ascending(changed, "changed")), ascending(after, "after")));
      expect(got).toEqual(expected);
    }
  });

  it("handle empty inputs on either side", async () => {
    const some = [k("a", "1"), k("b", "2")];
    expect(await all(missingFrom(ascending([], "c"), ascending(some, "p")))).toEqual([]);
    expect(await all(missingFrom(ascending(some, "c"), ascending([], "p")))).toEqual(some);
    expect(await all(union(ascending([], "a"), ascending(some, "b")))).toEqual(some);
    expect(await all(union(ascending(some, "a"), ascending([], "b")))).toEqual(some);
  });

  it("read both inputs to the end, so disorder after the last candidate still fails the merge", async () => {
    // Every candidate is settled before the present stream goes out of order; the result
    // would look complete, but the unsorted tail could hold a candidate.
    const candidates = [k("a", "1")];
    const present = [k("b", "1"), k("c", "1"), k("a", "1")];
    await expect(all(missingFrom(ascending(candidates, "c"), ascending(present, "present")))).rejects.toThrow(/^present: /);
    // And the other way round: candidates out of order after the present stream ended.
    await expect(all(missingFrom(ascending([k("b", "1"), k("a", "1")], "cand"), ascending([k("a", "0")], "p")))).rejects.toThrow(/^cand: /);
  });
});
