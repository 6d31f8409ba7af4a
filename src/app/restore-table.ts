import type { BackupStore } from "./ports/BackupStore";
import type { KeyProvider } from "./ports/KeyProvider";
import type { TableStore } from "./ports/TableStore";
import { ProgressMeter, type ProgressSink } from "./progress";
import { TableWriter } from "./table-writer";
import { ContentDigest } from "../core/digest";
import { decodeRecordLine, keyId } from "../core/record-lines";
import { IntegrityError } from "../core/errors";
import { isTombstone } from "../core/record";
import { openLines, sha256Hex } from "../format/chunk";
import type { FileRef, Manifest } from "../format/manifest";

export interface TableRestoreInput {
  store: TableStore;
  repo: BackupStore;
  keys: KeyProvider;
  table: string;
  target: string;
  /** Newest first, ending with the point holding this table's full segment. */
  chain: Manifest[];
  concurrency: number;
  progress: ProgressSink;
}

export interface TableRestoreResult {
  table: string;
  target: string;
  written: number;
  deleted: number;
  entities: number;
  digest: string;
}

/** Reads and authenticates one data file; checks its digest and line count first. */
async function readFile(repo: BackupStore, keys: KeyProvider, f: FileRef): Promise<string[]> {
  const bytes = await repo.get(f.path);
  if (bytes.length !== f.bytes || sha256Hex(bytes) !== f.sha256) {
    throw new IntegrityError(`${f.path}: content does not match the manifest's SHA-256 (corrupted or replaced)`, { path: f.path });
  }
  const lines = await openLines(bytes, (id) => keys.byId(id));
  if (lines.length !== f.records) throw new IntegrityError(`${f.path}: ${lines.length} records, manifest says ${f.records}`, { path: f.path });
  return lines;
}

/**
 * Restores one table. Walks the chain newest → oldest and each file and line from the
 * end, so the first record seen for a key is its state at the point; later (older)
 * ones are skipped. Keys seen are kept as 16-byte ids, so memory grows with the key
 * count, not with entity size.
 */
export async function restoreTable(input: TableRestoreInput): Promise<TableRestoreResult> {
  const { store, repo, keys, table, target } = input;
  await store.createTable(target);
  const alive = new Map<string, boolean>();
  const expected = new ContentDigest();
  const writer = new TableWriter(store, target, input.concurrency);
  const meter = new ProgressMeter(input.progress, "restore", target);

  const files = input.chain.flatMap((m) => [...(m.tables[table]?.data ?? [])].reverse());
  // Fetch ahead while the current file is being written.
  const fetches: Promise<string[]>[] = [];
  const LOOKAHEAD = 2;
  const fetch = (f: FileRef): Promise<string[]> => {
    const p = readFile(repo, keys, f);
    p.catch(() => undefined); // awaited in order below; this only keeps an early failure from being "unhandled"
    return p;
  };
  for (let i = 0; i < Math.min(LOOKAHEAD, files.length); i++) fetches.push(fetch(files[i] as FileRef));
  for (let i = 0; i < files.length; i++) {
    const lines = await (fetches[i] as Promise<string[]>);
    const next = i + LOOKAHEAD;
    if (next < files.length) fetches.push(fetch(files[next] as FileRef));
    delete fetches[i];
    let entities = 0;
    let bytes = 0;
    for (let j = lines.length - 1; j >= 0; j--) {
      const line = lines[j] as string;
      const r = decodeRecordLine(line);
      const id = keyId(r.pk, r.rk);
      if (alive.has(id)) continue;
      if (isTombstone(r)) {
        alive.set(id, false);
        continue;
      }
      alive.set(id, true);
      expected.add(r);
      await writer.add(r.pk, { kind: "upsert", record: r }, line.length);
      entities++;
      bytes += line.length;
    }
    meter.add(entities, bytes);
  }
  await writer.flush();
  meter.done();
  const written = writer.written;

  // Remove what the point does not hold: deleted entities (in place) and leftovers of
  // an earlier restore into the same target.
  const sweeper = new TableWriter(store, target, input.concurrency);
  for await (const page of store.scan(target, { keysOnly: true })) {
    for (const r of page) {
      if (alive.get(keyId(r.pk, r.rk)) !== true) await sweeper.add(r.pk, { kind: "delete", key: { pk: r.pk, rk: r.rk } }, 64);
    }
  }
  await sweeper.flush();

  // Verify: what the target holds now must be exactly what the backup says.
  const actual = new ContentDigest();
  const verifyMeter = new ProgressMeter(input.progress, "verify", target);
  for await (const page of store.scan(target)) {
    for (const r of page) actual.add(r);
    verifyMeter.add(page.length, 0);
  }
  verifyMeter.done();
  if (!actual.equals(expected)) {
    throw new IntegrityError(
      `restore of ${table} into ${target} did not verify: the target holds ${actual.count} entities (digest ${actual.hex().slice(0, 12)}…), ` +
        `the backup ${expected.count} (digest ${expected.hex().slice(0, 12)}…). Was something writing to ${target} during the restore?`,
      { table, target, expectedCount: expected.count, actualCount: actual.count },
    );
  }
  const head = input.chain[0];
  const seg = head?.tables[table];
  if (seg?.mode === "full" && seg.contentDigest && seg.contentDigest !== expected.hex()) {
    throw new IntegrityError(`restore of ${table}: the data files do not add up to the digest recorded at backup time`, { table });
  }
  return { table, target, written, deleted: sweeper.written, entities: expected.count, digest: expected.hex() };
}
