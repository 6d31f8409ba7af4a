import type { BackupStore, Retention } from "../ports/BackupStore";
import type { Kek, KeyProvider } from "../ports/KeyProvider";
import type { TableStore } from "../ports/TableStore";
import { ChunkedWriter } from "../repo/chunked-writer";
import { CsvBackupWriter } from "../csv/csv-backup-writer";
import { ProgressMeter, type ProgressSink } from "../progress";
import { ContentDigest } from "../../core/entity/content-digest";
import { removedKeys, uncapturedKeys } from "../repo/key-diff";
import { tableTime } from "../../core/entity/timestamp";
import { encodeRecordLine, keyHashHex } from "../../core/entity/record-lines";
import type { EntityRecord } from "../../core/entity/record";
import { KeyLog } from "../../core/keys/key-log";
import { paths, type FileRef, type TableSegment } from "../../format/manifest";
import type { PartitionRange } from "../../core/keys/partition-ranges";
import { scanRanges } from "../tables/range-scan";
import { RecentRows, writeFullPages, writeKeyPages } from "./table-scans";

/** Point reads in flight for entities written behind the change scan. */
const LATE_READS_IN_FLIGHT = 16;

/** A table of a point being written: where it is read from, where its files go, under which key. */
export interface PointTable {
  source: TableStore;
  repo: BackupStore;
  keys: KeyProvider;
  kek: Kek;
  pointId: string;
  table: string;
}

export interface TableBackupInput extends PointTable {
  /** The table's segment in the previous point, or undefined for a full scan. */
  previous: TableSegment | undefined;
  /** When this table's scan starts by the local clock: the watermark when the service does not say its time. */
  scanStart: Date;
  /** Hears how far the local clock is ahead of the service's (ms; negative: behind), once per table. */
  onClock?: (localAheadMs: number) => void;
  overlapSeconds: number;
  chunkEntities: number;
  progress: ProgressSink;
  /** How long this point's files must be kept, and their tier (WORM). */
  retention?: Retention;
  /** A full scan also writes the table's typed-CSV copy (LIFEBOAT_CSV_BACKUPS=full), from the same pages. */
  csv?: boolean;
  /** PartitionKey ranges the scans read, in key order (tableRanges); default: the table as one range. */
  ranges?: readonly PartitionRange[];
  /** Ranges read at once (LIFEBOAT_SCAN_CONCURRENCY); pages are still consumed in key order. */
  scanConcurrency?: number;
  /** Where the ranges came from, for the progress line ("key files", "probe"). */
  rangeSource?: string;
  /** The table's entities at the latest point, if any: full and key scans report a percentage and the time left against it. */
  expectedEntities?: number;
  /**
   * An incremental's key scan done elsewhere (fanned out over instances: fanout.ts): the
   * table's key files in key order, and the keys written at or after `since` among them.
   * Default: read here, in `ranges`.
   */
  keyScan?: (since: string | null) => Promise<KeyScanResult>;
}

/** What a key scan leaves: the key files (the table's complete key set, in key order), and the keys it found written at or after the change scan's filter time. */
export interface KeyScanResult {
  files: FileRef[];
  recentKeys: KeyLog;
}

/** A scan's start on the service's clock: the Date of its first response, less a second (the header has whole seconds and is stamped after the query began). */
export function serviceStart(service: Date): Date {
  return new Date(Math.floor(service.getTime() / 1000) * 1000 - 1000);
}

/**
 * Backs up one table into the point: a full scan, or the changes since the previous
 * point's watermark (minus the overlap) plus tombstones from a key-set diff.
 */
export async function backupTable(input: TableBackupInput): Promise<TableSegment> {
  const { source, repo, kek, pointId, table, previous, overlapSeconds, chunkEntities } = input;
  const mode = previous ? "incremental" : "full";
  // The watermark is on the service's clock, as the Timestamps it is compared with: the
  // Date of the change scan's first response, less a second (the header has whole seconds
  // and is stamped after the query began). The local clock is only the fallback for a
  // service that sends no Date; how far off it is goes to `onClock`.
  let start = input.scanStart;
  const recent = new RecentRows(tableTime(new Date(start.getTime() - overlapSeconds * 1000)));
  const onServiceTime = (service: Date): void => {
    start = serviceStart(service);
    recent.from = tableTime(new Date(start.getTime() - overlapSeconds * 1000));
    input.onClock?.(input.scanStart.getTime() - service.getTime());
  };
  const since = previous?.watermark
    ? tableTime(new Date(new Date(previous.watermark).getTime() - overlapSeconds * 1000))
    : null;
  const skip = new Set((previous?.recent ?? []).map(([h, e]) => `${h} ${e}`));

  const data = new ChunkedWriter(repo, kek, (n) => paths.dataFile(pointId, table, n), chunkEntities, 3, input.retention);
  const keys = new ChunkedWriter(repo, kek, (n) => paths.keyFile(pointId, table, n), chunkEntities * 4, 3, input.retention);
  const digest = mode === "full" ? new ContentDigest() : undefined;
  const csv = mode === "full" && input.csv ? new CsvBackupWriter(repo, kek, (n) => paths.csvFile(pointId, table, n), chunkEntities, input.retention) : undefined;
  // Keys captured by this incremental's data scan: a key deleted between the data scan
  // and the key scan must still get a tombstone, or a restore would bring it back.
  const changed = new KeyLog();
  const total = input.expectedEntities !== undefined && input.expectedEntities > 0 ? { total: input.expectedEntities } : {};
  const meter = new ProgressMeter(input.progress, mode === "full" ? "full scan" : "changes", table, mode === "full" ? total : {});

  const ranges = input.ranges ?? [{}];
  const concurrency = input.scanConcurrency ?? 1;
  // What the progress line says of the split: on-call can see why a scan reads one stream.
  const split = ranges.length > 1 ? `${ranges.length} PartitionKey ranges, ${Math.min(concurrency, ranges.length)} at a time${input.rangeSource ? ` (split at ${input.rangeSource})` : ""}` : "one stream";
  const pages = scanRanges(source, table, ranges, { ...(since ? { since } : {}), onServiceTime, concurrency });
  let entities = digest
    ? await writeFullPages(pages, { data, keys, ...(csv ? { csv } : {}), digest }, recent, meter)
    : await writeChangePages(pages, data, skip, recent, changed, meter);
  meter.done(split);

  let tombstones = 0;
  let keyCount = entities;
  let keyFiles: FileRef[];
  if (previous) {
    // Entities the key scan finds written since the change scan's filter time: the
    // change scan met most of them; the rest were written after it passed them.
    const scanned = input.keyScan
      ? await input.keyScan(since)
      : await localKeyScan(keys, () => scanRanges(source, table, ranges, { keysOnly: true, concurrency }), since, new ProgressMeter(input.progress, "key scan", table, total), split);
    keyFiles = scanned.files;
    const recentKeys = scanned.recentKeys;
    keyCount = keyFiles.reduce((n, f) => n + f.records, 0);
    // Deletions: keys of the previous point (or of this change scan) that the key scan
    // no longer found. Tombstones are written only once the whole diff is known.
    const diffMeter = new ProgressMeter(input.progress, "deletions", table);
    const removed = await removedKeys({ repo, keys: input.keys, previous: previous.keys, changed, current: keyFiles, currentCount: keyCount });
    diffMeter.add(removed.keys.size, 0);
    diffMeter.done(removed.reason ? `${removed.method}; ${removed.reason}` : removed.method);
    for (const k of removed.keys) {
      await data.add(encodeRecordLine({ pk: k.pk, rk: k.rk, deleted: true }));
      tombstones++;
    }
    // Written during this backup behind the change scan (a delete before it, a re-create
    // after it passed: without this the point would keep the state from before the
    // delete). Their state now is one they had during the backup; gone again, a tombstone.
    const lateMeter = new ProgressMeter(input.progress, "late changes", table);
    const late = await uncapturedKeys(recentKeys, changed);
    const keysLate = [...late.keys];
    for (let i = 0; i < keysLate.length; i += LATE_READS_IN_FLIGHT) {
      const states = await Promise.all(keysLate.slice(i, i + LATE_READS_IN_FLIGHT).map((k) => source.read(table, k).then((r) => ({ k, r }))));
      for (const { k, r } of states) {
        if (r) {
          const line = encodeRecordLine(r);
          await data.add(line);
          entities++;
          lateMeter.add(1, line.length);
        } else {
          await data.add(encodeRecordLine({ pk: k.pk, rk: k.rk, deleted: true }));
          tombstones++;
          lateMeter.add(1, 0);
        }
      }
    }
    lateMeter.done(late.reason ? `${late.method}; ${late.reason}` : late.method);
  } else {
    keyFiles = await keys.close();
  }

  return {
    mode,
    since,
    watermark: tableTime(start),
    entities,
    tombstones,
    data: await data.close(),
    keys: keyFiles,
    keyCount,
    recent: recent.rows,
    contentDigest: digest ? digest.hex() : null,
    ...(csv ? { csv: await csv.close() } : {}),
  };
}

/**
 * Writes an incremental's changed rows to `data`, skipping those the previous point holds
 * unchanged (`skip`: key hash and ETag), and logs every key met in `changed`. Returns the rows written.
 */
async function writeChangePages(pages: AsyncIterable<EntityRecord[]>, data: ChunkedWriter, skip: ReadonlySet<string>, recent: RecentRows, changed: KeyLog, meter: ProgressMeter): Promise<number> {
  let entities = 0;
  for await (const page of pages) {
    let pageBytes = 0;
    for (const r of page) {
      const isRecent = recent.wants(r.ts, r.etag);
      const hash = isRecent || (skip.size > 0 && r.etag !== undefined) ? keyHashHex(r.pk, r.rk) : "";
      if (r.etag && skip.has(`${hash} ${r.etag}`)) {
        // Unchanged since the previous point, which holds this state: met all the same.
        changed.add(r);
        continue;
      }
      if (isRecent) recent.add(hash, r.etag!);
      const line = encodeRecordLine(r);
      pageBytes += line.length;
      entities++;
      const wait = data.add(line);
      if (wait) await wait;
      changed.add(r);
    }
    meter.add(page.length, pageBytes);
  }
  return entities;
}

/** An incremental's key scan read here: every key into `keys` (closed at the end), the recent ones noted. */
async function localKeyScan(keys: ChunkedWriter, pages: () => AsyncIterable<EntityRecord[]>, since: string | null, meter: ProgressMeter, split: string): Promise<KeyScanResult> {
  const recentKeys = new KeyLog();
  await writeKeyPages(pages(), keys, since, recentKeys, meter);
  meter.done(split);
  return { files: await keys.close(), recentKeys };
}
