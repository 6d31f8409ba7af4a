import type { ChunkedWriter } from "../repo/chunked-writer";
import type { CsvBackupWriter } from "../csv/csv-backup-writer";
import type { ProgressMeter } from "../progress";
import type { ContentDigest } from "../../core/entity/content-digest";
import type { EntityRecord } from "../../core/entity/record";
import { atOrAfter } from "../../core/entity/timestamp";
import { encodeKeyLine, encodeRecordLine, keyHashHex } from "../../core/entity/record-lines";
import type { KeyLog } from "../../core/keys/key-log";

/**
 * The two scans a table backup is made of, shared by a backup that reads the whole table
 * itself (backupTable) and a range task that reads one PartitionKey range of it on another
 * instance (range-task.ts): the same lines, files and digest either way.
 */

/** Entities near the watermark remembered for de-duplication; past this, duplicates are just stored. */
export const MAX_RECENT = 50_000;

/**
 * Entities written near the watermark, as [key hash, ETag]: the next incremental re-reads
 * the overlap window and skips these unchanged ones. `from` (a table time) moves once the
 * service's clock is known; past `max` rows the list is dropped (`overflow`).
 */
export class RecentRows {
  rows: [string, string][] = [];
  overflow = false;
  constructor(
    public from: string,
    private readonly max = MAX_RECENT,
  ) {}

  /** Whether a row with this Timestamp and ETag is to be remembered (its key hash is then needed). */
  wants(ts: string | undefined, etag: string | undefined): boolean {
    // Compared as text: a shorter fraction only ever compares as later, which merely remembers one more row.
    return !this.overflow && ts !== undefined && ts >= this.from && etag !== undefined;
  }

  add(hash: string, etag: string): void {
    this.rows.push([hash, etag]);
    if (this.rows.length > this.max) {
      this.overflow = true;
      this.rows = [];
    }
  }
}

/** Where a full scan's rows go: data, key and typed-CSV files, and the content digest. */
export interface FullScanSinks {
  data: ChunkedWriter;
  keys: ChunkedWriter;
  csv?: CsvBackupWriter;
  digest: ContentDigest;
}

/** Writes every row of `pages` (in key order) to the full scan's files and digest; returns the rows written. */
export async function writeFullPages(pages: AsyncIterable<EntityRecord[]>, sinks: FullScanSinks, recent: RecentRows, meter: ProgressMeter): Promise<number> {
  const { data, keys, csv, digest } = sinks;
  let entities = 0;
  for await (const page of pages) {
    let pageBytes = 0;
    for (const r of page) {
      // Hashing costs ~2 µs an entity: only for rows the overlap window may repeat.
      if (recent.wants(r.ts, r.etag)) recent.add(keyHashHex(r.pk, r.rk), r.etag!);
      const line = encodeRecordLine(r);
      pageBytes += line.length;
      entities++;
      // The writers return a promise only when a file is complete: no await per entity.
      let wait = data.add(line, r.pk);
      if (wait) await wait;
      digest.add(r);
      wait = keys.add(encodeKeyLine(r), r.pk);
      if (wait) await wait;
      wait = csv?.add(r);
      if (wait) await wait;
    }
    meter.add(page.length, pageBytes);
  }
  return entities;
}

/**
 * Writes the keys of a keys-only scan to `keys` (in key order) and notes in `recentKeys` those
 * written at or after `since` (every key when since is null): the late-change check needs them.
 * Past `maxRecent` notes, stops noting and returns false (the caller finds them another way).
 */
export async function writeKeyPages(pages: AsyncIterable<EntityRecord[]>, keys: ChunkedWriter, since: string | null, recentKeys: KeyLog, meter: ProgressMeter, maxRecent = Infinity): Promise<boolean> {
  let complete = true;
  for await (const page of pages) {
    for (const r of page) {
      const wait = keys.add(encodeKeyLine(r), r.pk);
      if (wait) await wait;
      if (complete && (since === null || (r.ts !== undefined && atOrAfter(r.ts, since)))) {
        if (recentKeys.size >= maxRecent) complete = false;
        else recentKeys.add(r);
      }
    }
    meter.add(page.length, 0);
  }
  return complete;
}
