import { AlreadyExistsError } from "../../core/errors";
import { sealJson } from "../../format/chunk";
import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";

/** Where the repository records the tables Lifeboat created (docs/format.md §1). */
const PREFIX = "registry/tables/";

/** A table Lifeboat created in the source account: a restore target (later: drill scratch, CSV import). */
export interface CreatedTable {
  table: string;
  by: "restore";
  /** The restore point it was restored from. */
  point: string;
}

/**
 * Records, once, that Lifeboat created `table`, so "*" backups leave it out. Written
 * before the table is created (a crash in between leaves a harmless record), sealed like
 * every file, never overwritten (a second record of the same table is a no-op). Throws
 * what the store throws.
 */
export async function recordCreatedTable(repo: BackupStore, keys: KeyProvider, entry: CreatedTable, now = new Date()): Promise<void> {
  const sealed = await sealJson({ ...entry, at: now.toISOString() }, await keys.active());
  try {
    await repo.put(`${PREFIX}${entry.table.toLowerCase()}.json.lbe`, sealed, { ifNoneMatch: true, metadata: { table: entry.table, by: entry.by, point: entry.point } });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

/** Every table recorded by recordCreatedTable, from the listing index (names only; no secret). Throws what listing throws. */
export async function createdTables(repo: BackupStore): Promise<CreatedTable[]> {
  const out: CreatedTable[] = [];
  for await (const o of repo.list(PREFIX)) {
    const table = o.metadata.table ?? o.path.slice(PREFIX.length).replace(/\.json\.lbe$/, "");
    out.push({ table, by: "restore", point: o.metadata.point ?? "?" });
  }
  return out;
}

/** The exclusions a "*" backup applies for Lifeboat's own tables: its audit table and every table it created. */
export async function ownTables(repo: BackupStore, auditTable: string): Promise<{ table: string; reason: string }[]> {
  return [
    { table: auditTable, reason: "Lifeboat's audit table" },
    ...(await createdTables(repo)).map((c) => ({ table: c.table, reason: `created by a Lifeboat ${c.by} (point ${c.point})` })),
  ];
}
