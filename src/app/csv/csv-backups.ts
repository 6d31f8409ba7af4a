import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import { listPoints, loadManifest } from "../repo/catalog";

/** One table's typed-CSV copy in a restore point. */
export interface CsvBackup {
  pointId: string;
  /** When the point's backup started (ISO-8601). */
  time: string;
  table: string;
  /** The sealed files (docs/format.md §11), in order: each a complete typed CSV. */
  files: { path: string; rows: number; bytes: number; sha256: string }[];
  rows: number;
  bytes: number;
}

/**
 * Every typed-CSV copy in the repository, oldest point first (points taken with
 * LIFEBOAT_CSV_BACKUPS=off, or before CSV backups existed, have none). Reads each point's
 * manifest. Throws what loading a manifest throws (IntegrityError, a store error).
 */
export async function listCsvBackups(repo: BackupStore, keys: KeyProvider): Promise<CsvBackup[]> {
  const out: CsvBackup[] = [];
  for (const p of await listPoints(repo)) {
    const m = await loadManifest(repo, keys, p.id);
    for (const [table, seg] of Object.entries(m.tables).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!seg.csv) continue;
      out.push({
        pointId: p.id,
        time: m.startedAt,
        table,
        files: seg.csv.map((f) => ({ path: f.path, rows: f.records, bytes: f.bytes, sha256: f.sha256 })),
        rows: seg.csv.reduce((n, f) => n + f.records, 0),
        bytes: seg.csv.reduce((n, f) => n + f.bytes, 0),
      });
    }
  }
  return out;
}
