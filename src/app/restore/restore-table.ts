import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import type { TableStore } from "../ports/TableStore";
import { ALIVE, DELETED, strayKeys } from "../repo/key-diff";
import { ProgressMeter, type ProgressSink } from "../progress";
import { keysOf, readLines, settle } from "../repo/files";
import { TableWriter } from "../tables/table-writer";
import { ContentDigest } from "../../core/entity/content-digest";
import { decodeRecordLine } from "../../core/entity/record-lines";
import { KeyStates } from "../../core/keys/key-states";
import { IntegrityError } from "../../core/errors";
import { rejectedEntity, verifyTarget, type RejectedEntity } from "./verify-target";
import { isTombstone } from "../../core/entity/record";
import type { FileRef, Manifest } from "../../format/manifest";

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
  /** Called before the restore creates the target table (not when it exists already). */
  onCreate?: (target: string) => Promise<void>;
}

export interface TableRestoreResult {
  table: string;
  target: string;
  written: number;
  deleted: number;
  entities: number;
  digest: string;
  /** Transactions sent (more than the batches when refused ones were split). */
  transactions: number;
  /** Entities the service refused to write or delete; everything else is restored and verified. */
  rejected: RejectedEntity[];
}

/**
 * Restores one table, writing each entity once: the first record met for a key is its
 * state at the point, and later ones are skipped. Incrementals are read newest → oldest,
 * each file and line from the end, and their keys remembered. The full segment comes last
 * and holds each key once, so it is read forwards (the target's keys then arrive in
 * ascending order, which a sorted index inserts fastest) and only checked against the
 * incrementals' keys. Keys are kept as 16-byte ids off the V8 heap (KeyStates, ~36 bytes a
 * key): memory grows with the changes since the full, never with the table or entity size.
 * A target that existed before is then swept of what the point does not hold, found by a
 * sorted merge of its keys with the full's key files (see strayKeys).
 */
export async function restoreTable(input: TableRestoreInput): Promise<TableRestoreResult> {
  const { store, repo, keys, table, target } = input;
  // A table this restore creates holds only what it writes: no sweep needed (a second
  // writer would still show in the verification below).
  const fresh = !(await store.tableExists(target));
  if (fresh) await input.onCreate?.(target);
  await store.createTable(target);
  const headSeg = input.chain[0]?.tables[table];
  const segments = input.chain.flatMap((m) => m.tables[table] ?? []);
  const changes = segments.filter((seg) => seg.mode !== "full").reduce((n, seg) => n + seg.entities + seg.tombstones, 0);
  const seen = new KeyStates(changes);
  const expected = new ContentDigest();
  const writer = new TableWriter(store, target, input.concurrency);
  const files = segments.flatMap((seg) => (seg.mode === "full" ? seg.data.map((f) => ({ f, full: true })) : [...seg.data].reverse().map((f) => ({ f, full: false }))));
  // Progress counts the backup's records read: their number is known from the manifests.
  const meter = new ProgressMeter(input.progress, "restore", target, { total: files.reduce((n, x) => n + x.f.records, 0) });
  // Fetch ahead while the current file is being written.
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
      if (full) {
        if (isTombstone(r) || seen.get(r.pk, r.rk) !== 0) continue;
      } else if (seen.add(r.pk, r.rk, isTombstone(r) ? DELETED : ALIVE) !== 0 || isTombstone(r)) continue;
      expected.add(r);
      await writer.add(r.pk, { kind: "upsert", record: r }, line.length);
      entities++;
      bytes += line.length;
    }
    meter.add(entities, bytes, lines.length);
  }
  await writer.flush();
  meter.done();
  const written = writer.written;

  // Remove what the point does not hold: deleted entities (in place) and leftovers of
  // an earlier restore into the same target.
  const sweeper = new TableWriter(store, target, input.concurrency);
  if (!fresh) {
    const sweepMeter = new ProgressMeter(input.progress, "sweep", target);
    const fullSeg = segments.find((seg) => seg.mode === "full");
    const stray = await strayKeys({ repo, keys, target: () => keysOf(store.scan(target, { keysOnly: true })), changes: seen, full: fullSeg?.keys ?? [] });
    for (const k of stray.keys) {
      await sweeper.add(k.pk, { kind: "delete", key: k }, 64);
      sweepMeter.add(1, 0);
    }
    await sweeper.flush();
    sweepMeter.done(stray.reason ? `${stray.method}; ${stray.reason}` : stray.method);
  }

  // Verify: what the target holds now must be exactly what the backup says, less what the service refused.
  const refused = [...writer.rejected, ...sweeper.rejected];
  await verifyTarget({ store, table, target, expected, rejected: refused, progress: input.progress });
  if (headSeg?.mode === "full" && headSeg.contentDigest && headSeg.contentDigest !== expected.hex()) {
    throw new IntegrityError(`restore of ${table}: the data files do not add up to the digest recorded at backup time`, { table });
  }
  return {
    table,
    target,
    written,
    deleted: sweeper.written,
    entities: expected.count,
    digest: expected.hex(),
    transactions: writer.requests + sweeper.requests,
    rejected: refused.map((r) => rejectedEntity(table, target, r)),
  };
}
