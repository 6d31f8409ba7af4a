import type { EntityKey } from "../entity/record";

/**
 * The order the Table service returns entities in: PartitionKey, then RowKey, each
 * compared by UTF-16 code unit (JavaScript's `<`), which is how Azurite sorts. Azure
 * documents "sorted by PartitionKey, then by RowKey" without naming the collation, and
 * the Cosmos DB Table API does not sort at all; so nothing relies on this order without
 * checking it (see `ascending`). Never throws.
 */
export function compareKeys(a: EntityKey, b: EntityKey): number {
  if (a.pk !== b.pk) return a.pk < b.pk ? -1 : 1;
  if (a.rk !== b.rk) return a.rk < b.rk ? -1 : 1;
  return 0;
}

/** A key stream that a sorted merge needs ascending was not (the keys themselves are customer data, so not kept). */
export class KeysOutOfOrder extends Error {
  constructor(readonly source: string) {
    super(`${source}: keys are not in ascending (PartitionKey, RowKey) order`);
    this.name = "KeysOutOfOrder";
  }
}

type Keys = AsyncIterable<EntityKey> | Iterable<EntityKey>;

/**
 * Passes the keys through, checking that each is strictly greater than the one before.
 * Throws KeysOutOfOrder (naming `source`) at the first that is not.
 */
export async function* ascending(keys: Keys, source: string): AsyncGenerator<EntityKey> {
  let last: EntityKey | undefined;
  for await (const k of keys) {
    if (last && compareKeys(last, k) >= 0) throw new KeysOutOfOrder(source);
    last = k;
    yield k;
  }
}

/** The keys of two ascending streams, each once, ascending. Throws what the streams throw. */
export async function* union(a: AsyncIterable<EntityKey>, b: AsyncIterable<EntityKey>): AsyncGenerator<EntityKey> {
  const ia = a[Symbol.asyncIterator]();
  const ib = b[Symbol.asyncIterator]();
  let x = await ia.next();
  let y = await ib.next();
  while (!x.done || !y.done) {
    const c = x.done ? 1 : y.done ? -1 : compareKeys(x.value, y.value);
    if (c <= 0) yield (x as IteratorYieldResult<EntityKey>).value;
    else yield (y as IteratorYieldResult<EntityKey>).value;
    if (c <= 0) x = await ia.next();
    if (c >= 0) y = await ib.next();
  }
}

/**
 * The keys of ascending `candidates` that ascending `present` lacks, ascending. Both are
 * read to the end, so that a stream out of order anywhere throws (wrap each in `ascending`):
 * a result is only true when the whole of both inputs was sorted, and callers must not act
 * on any of it before the generator has finished.
 */
export async function* missingFrom(candidates: AsyncIterable<EntityKey>, present: AsyncIterable<EntityKey>): AsyncGenerator<EntityKey> {
  const ip = present[Symbol.asyncIterator]();
  let p = await ip.next();
  for await (const c of candidates) {
    while (!p.done && compareKeys(p.value, c) < 0) p = await ip.next();
    if (p.done || compareKeys(p.value, c) !== 0) yield c;
  }
  while (!p.done) p = await ip.next();
}
