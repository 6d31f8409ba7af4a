import type { TableStore } from "../ports/TableStore";
import type { FileRef } from "../../format/manifest";
import { fileBoundaries, partitionRanges, type PartitionRange } from "../../core/keys/partition-ranges";
import { eachAtOnce } from "../each-at-once";

/** Characters a probe tries at each position: the ones keys are most often made of, in code-unit order. */
const PROBE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Key positions a probe descends before it gives up (keys sharing a longer prefix are read as one range). */
const PROBE_DEPTH = 32;
/** A table that ends within this many pages of keys is read as one range: probing would cost more than it saves. */
const SMALL_TABLE_PAGES = 3;

export interface TableRanges {
  ranges: PartitionRange[];
  /** Where the boundaries came from (for the progress line). */
  source: "key files" | "probe" | "none";
}

/**
 * The PartitionKey ranges to read a table in: split where the files of its latest segment
 * begin (`keyFiles`, each file's first key as the manifest records it), or, without them,
 * where probing the key space finds keys. One range when `concurrency` is 1, when the table
 * is small, or when nothing splits it. Any boundaries give ranges that cover every key once,
 * so a poor split costs time, never data. Throws what the store throws.
 */
export async function tableRanges(store: TableStore, table: string, keyFiles: readonly FileRef[] | undefined, concurrency: number): Promise<TableRanges> {
  if (concurrency <= 1) return { ranges: [{}], source: "none" };
  const fromFiles = fileBoundaries(keyFiles ?? []);
  if (fromFiles.length > 0) return { ranges: partitionRanges(fromFiles), source: "key files" };
  const probed = await probeBoundaries(store, table, concurrency);
  return probed.length > 0 ? { ranges: partitionRanges(probed), source: "probe" } : { ranges: [{}], source: "none" };
}

/**
 * Boundaries found by probing the key space with one-key queries. From the first key, it
 * descends one key position at a time while every key shares the prefix (one query: is there
 * a key under the prefix past the first key's next character?), and at the first position
 * where keys differ asks for the first key at or after `prefix + c` for each character c of
 * a small alphabet. Sequential keys split there into blocks, random ones at the first
 * character; about depth + 62 queries. A table within three pages of keys gives none.
 */
export async function probeBoundaries(store: TableStore, table: string, concurrency: number): Promise<string[]> {
  let pages = 0;
  let first: string | undefined;
  for await (const page of store.scan(table, { keysOnly: true })) {
    first ??= page[0]?.pk;
    if (++pages >= SMALL_TABLE_PAGES) break;
  }
  if (pages < SMALL_TABLE_PAGES || first === undefined) return [];
  let prefix = "";
  for (let depth = 0; depth < PROBE_DEPTH && first.length > prefix.length; depth++) {
    const c = first.charCodeAt(prefix.length);
    const [past] = await firstKeysFrom(store, table, [prefix + String.fromCharCode(c + 1)], 1);
    if (past === undefined || !past.startsWith(prefix)) {
      prefix += first[prefix.length];
      continue;
    }
    const found = await firstKeysFrom(store, table, [prefix, ...[...PROBE_ALPHABET].map((ch) => prefix + ch)], concurrency);
    return found.filter((pk) => pk.startsWith(prefix));
  }
  return [];
}

/** The first PartitionKey at or after each of `starts` (distinct, sorted), `concurrency` queries at a time. */
async function firstKeysFrom(store: TableStore, table: string, starts: readonly string[], concurrency: number): Promise<string[]> {
  const found = new Set<string>();
  await eachAtOnce(starts, concurrency, async (from) => {
    for await (const page of store.scan(table, { keysOnly: true, pageSize: 1, partitions: { from } })) {
      if (page[0]) found.add(page[0].pk);
      break;
    }
  });
  return [...found].sort();
}
