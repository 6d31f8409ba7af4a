import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import type { TableStore } from "../ports/TableStore";
import { ALIVE, DELETED, strayKeys } from "../repo/key-diff";
import { keysOf, readLines, settle } from "../repo/files";
import { ProgressMeter, type ProgressSink } from "../progress";
import { TableWriter } from "../tables/table-writer";
import { ContentDigest } from "../../core/entity/content-digest";
import { decodeRecordLine } from "../../core/entity/record-lines";
import { isTombstone } from "../../core/entity/record";
import { KeyStates } from "../../core/keys/key-states";
import { fileBoundaries, partitionRanges } from "../../core/keys/partition-ranges";
import type { EntityKey } from "../../core/entity/record";
import { scanRanges } from "../tables/range-scan";
import type { FileRef, Manifest, TableSegment } from "../../format/manifest";

/**
 * The pieces a table restore is made of, shared by the in-process restore (restoreTable)
 * and restore jobs (one queue task per piece): replaying a chain's incremental files,
 * replaying full data files, sweeping what the point does not hold.
 */

/** A data file in replay order, and whether it belongs to the full segment. */
export interface ReplayFile {
  f: FileRef;
  full: boolean;
}

/** A table's segments along a chain (newest first, ending with the full), and its replay order. */
export interface TableChain {
  segments: TableSegment[];
  /** Incremental files, newest first (each is read from its end). */
  changeFiles: ReplayFile[];
  /** The full segment's files in their order. */
  fullFiles: ReplayFile[];
  /** Records (entities and tombstones) in the incrementals: the size of their key set. */
  changes: number;
  full: TableSegment | undefined;
  head: TableSegment | undefined;
}

export function tableChain(chain: readonly Manifest[], table: string): TableChain {
  const segments = chain.flatMap((m) => m.tables[table] ?? []);
  const incrementals = segments.filter((seg) => seg.mode !== "full");
  const full = segments.find((seg) => seg.mode === "full");
  return {
    segments,
    changeFiles: incrementals.flatMap((seg) => [...seg.data].reverse().map((f) => ({ f, full: false }))),
    fullFiles: (full?.data ?? []).map((f) => ({ f, full: true })),
    changes: incrementals.reduce((n, seg) => n + seg.entities + seg.tombstones, 0),
    full,
    head: chain[0]?.tables[table],
  };
}

export interface ReplayInput {
  repo: BackupStore;
  keys: KeyProvider;
  files: readonly ReplayFile[];
  /** Keys met so far (the incrementals' newest state of each). */
  seen: KeyStates;
  /** Without a writer, only `seen` is filled (a task that needs the incrementals' keys, not their writes). */
  writer?: TableWriter;
  expected?: ContentDigest;
  meter?: ProgressMeter;
  /** Filled with the first PartitionKey of each full-segment file replayed (in file order: the service's key order). */
  firstKeys?: string[];
}

/**
 * Replays data files in order, writing each key once: in an incremental the first record
 * met for a key (files and lines read newest first) is its state at the point, and in the
 * full segment a key is written only when no incremental met it. Fetches ahead while the
 * current file is written.
 */
export async function replayFiles(input: ReplayInput): Promise<void> {
  const { repo, keys, files, seen, writer, expected, meter, firstKeys } = input;
  const fetches: Promise<string[]>[] = [];
  const LOOKAHEAD = 2;
  const fetch = (f: FileRef): Promise<string[]> => settle(readLines(repo, keys, f));
  for (let i = 0; i < Math.min(LOOKAHEAD, files.length); i++) fetches.push(fetch(files[i]!.f));
  for (let i = 0; i < files.length; i++) {
    const lines = await (fetches[i] as Promise<string[]>);
    const next = i + LOOKAHEAD;
    if (next < files.length) fetches.push(fetch(files[next]!.f));
    delete fetches[i];
    let entities = 0;
    let bytes = 0;
    const full = files[i]!.full;
    for (let n = 0; n < lines.length; n++) {
      const line = lines[full ? n : lines.length - 1 - n] as string;
      const r = decodeRecordLine(line);
      if (full && n === 0) firstKeys?.push(r.pk);
      if (full) {
        if (isTombstone(r) || seen.get(r.pk, r.rk) !== 0) continue;
      } else if (seen.add(r.pk, r.rk, isTombstone(r) ? DELETED : ALIVE) !== 0 || isTombstone(r)) continue;
      if (!writer) continue;
      expected?.add(r);
      await writer.add(r.pk, { kind: "upsert", record: r }, line.length);
      entities++;
      bytes += line.length;
    }
    meter?.add(entities, bytes, lines.length);
  }
}

/** The incrementals' key states of a table (read only): what a full-file task must leave alone. */
export async function changedKeys(repo: BackupStore, keys: KeyProvider, chain: TableChain): Promise<KeyStates> {
  const seen = new KeyStates(chain.changes);
  await replayFiles({ repo, keys, files: chain.changeFiles, seen });
  return seen;
}

/**
 * Deletes from `target` every key the point does not hold (entities deleted since, and
 * leftovers of an earlier restore into the same target). Returns the writer (its refused
 * deletes are part of the verification).
 */
export async function sweepStrays(input: {
  store: TableStore;
  repo: BackupStore;
  keys: KeyProvider;
  target: string;
  seen: KeyStates;
  full: TableSegment | undefined;
  concurrency: number;
  /** PartitionKey ranges of the target read at once (split where the full's key files begin). */
  scanConcurrency?: number;
  progress: ProgressSink;
}): Promise<TableWriter> {
  const { store, target } = input;
  const sweeper = new TableWriter(store, target, input.concurrency);
  const meter = new ProgressMeter(input.progress, "sweep", target);
  const fullKeys = input.full?.keys ?? [];
  // In key order (ranges consumed one after another): the diff is a sorted merge.
  const ranges = partitionRanges(fileBoundaries(fullKeys));
  const targetKeys = (): AsyncIterable<EntityKey> => keysOf(scanRanges(store, target, ranges, { keysOnly: true, concurrency: input.scanConcurrency ?? 1 }));
  const stray = await strayKeys({ repo: input.repo, keys: input.keys, target: targetKeys, changes: input.seen, full: fullKeys });
  for (const k of stray.keys) {
    await sweeper.add(k.pk, { kind: "delete", key: k }, 64);
    meter.add(1, 0);
  }
  await sweeper.flush();
  meter.done(stray.reason ? `${stray.method}; ${stray.reason}` : stray.method);
  return sweeper;
}
