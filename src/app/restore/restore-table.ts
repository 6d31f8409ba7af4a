import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import type { TableStore } from "../ports/TableStore";
import { ProgressMeter, type ProgressSink } from "../progress";
import { TableWriter } from "../tables/table-writer";
import { ContentDigest } from "../../core/entity/content-digest";
import { KeyStates } from "../../core/keys/key-states";
import { IntegrityError } from "../../core/errors";
import { refusedOf, rejectedEntity, verifyTarget, type RejectedEntity } from "./verify-target";
import { replayFiles, sweepStrays, tableChain, type TableChain } from "./table-parts";
import type { Manifest } from "../../format/manifest";

export interface TableRestoreInput {
  store: TableStore;
  repo: BackupStore;
  keys: KeyProvider;
  table: string;
  target: string;
  /** Newest first, ending with the point holding this table's full segment. */
  chain: Manifest[];
  concurrency: number;
  /** PartitionKey ranges the verification reads at once. */
  scanConcurrency?: number;
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
  const chain = tableChain(input.chain, table);
  const seen = new KeyStates(chain.changes);
  const expected = new ContentDigest();
  const writer = new TableWriter(store, target, input.concurrency);
  const files = [...chain.changeFiles, ...chain.fullFiles];
  // Progress counts the backup's records read: their number is known from the manifests.
  const meter = new ProgressMeter(input.progress, "restore", target, { total: files.reduce((n, x) => n + x.f.records, 0) });
  const firstKeys: string[] = [];
  await replayFiles({ repo, keys, files, seen, writer, expected, meter, firstKeys });
  await writer.flush();
  meter.done();

  // Remove what the point does not hold: deleted entities (in place) and leftovers of
  // an earlier restore into the same target.
  const swept = fresh ? null : await sweepStrays({ store, repo, keys, target, seen, full: chain.full, concurrency: input.concurrency, scanConcurrency: input.scanConcurrency ?? 1, progress: input.progress });

  // Verify: what the target holds now must be exactly what the backup says, less what the service refused.
  const refused = [...writer.rejected, ...(swept?.rejected ?? [])];
  await verifyTarget({ store, table, target, expected, refused: refusedOf(refused), progress: input.progress, boundaries: firstKeys, concurrency: input.scanConcurrency ?? 1 });
  checkRecordedDigest(table, chain, expected);
  return {
    table,
    target,
    written: writer.written,
    deleted: swept?.written ?? 0,
    entities: expected.count,
    digest: expected.hex(),
    transactions: writer.requests + (swept?.requests ?? 0),
    rejected: refused.map((r) => rejectedEntity(table, target, r)),
  };
}

/** A point whose table is a full segment records its content digest: what was restored must add up to it. Throws IntegrityError. */
export function checkRecordedDigest(table: string, chain: TableChain, restored: ContentDigest): void {
  if (chain.head?.mode === "full" && chain.head.contentDigest && chain.head.contentDigest !== restored.hex()) {
    throw new IntegrityError(`restore of ${table}: the data files do not add up to the digest recorded at backup time`, { table });
  }
}
