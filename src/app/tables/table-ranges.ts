import type { TableStore } from "../ports/TableStore";
import type { FileRef } from "../../format/manifest";
import { fileBoundaries, partitionRanges, type PartitionRange } from "../../core/keys/partition-ranges";

/** Characters a probe tries at each position: the ones keys are most often made of, in code-unit order. */
const PROBE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Key positions a probe descends before it gives up (keys sharing a longer prefix are read as one range). */
const PROBE_DEPTH = 8;
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
 * Boundaries found by probing: the first key at or after `prefix + c` for each character c
 * of a small alphabet, descending one key position at a time while every key found shares
 * the prefix. Stops at the first position where keys differ (sequential keys split there
 * into blocks; random ones at the first character). Pure reads, `concurrency` at a time.
 */
export async function probeBoundaries(store: TableStore, table: string, concurrency: number): Promise<string[]> {
  let pages = 0;
  for await (const _page of store.scan(table, { keysOnly: true })) if (++pages >= SMALL_TABLE_PAGES) break;
  if (pages < SMALL_TABLE_PAGES) return [];
  let prefix = "";
  for (let depth = 0; depth < PROBE_DEPTH; depth++) {
    const found = await firstKeysFrom(store, table, [...PROBE_ALPHABET].map((c) => prefix + c), concurrency);
    const under = found.filter((pk) => pk.startsWith(prefix));
    if (under.length >= 2) return under;
    const only = under[0];
    if (only === undefined || only.length <= prefix.length) return [];
    prefix = only.slice(0, prefix.length + 1);
  }
  return [];
}

/** The first PartitionKey at or after each of `starts` (distinct, sorted), `concurrency` queries at a time. */
async function firstKeysFrom(store: TableStore, table: string, starts: readonly string[], concurrency: number): Promise<string[]> {
  const found = new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < starts.length) {
      const from = starts[next++]!;
      for await (const page of store.scan(table, { keysOnly: true, pageSize: 1, partitions: { from } })) {
        if (page[0]) found.add(page[0].pk);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, starts.length) }, worker));
  return [...found].sort();
}
