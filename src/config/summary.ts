import type { Config, StorageConnection } from "./index";

/** The non-secret facts of the settings that change what Lifeboat does. Values are strings. */
export type SettingsSummary = Record<string, string>;

function connectionFacts(c: StorageConnection): string {
  if (c.kind === "identity") return `identity ${c.tableServiceUri ?? "-"} ${c.blobServiceUri ?? "-"}`;
  // Only the account and endpoints: the key or SAS of a connection string is a secret.
  const parts = c.connectionString.split(";").map((p) => p.trim()).filter((p) => /^(AccountName|UseDevelopmentStorage|TableEndpoint|BlobEndpoint)=/i.test(p));
  return `connection string ${parts.join(";")}`;
}

/**
 * The settings as recorded in each manifest, so that a change between two backups is
 * detected and audited. Holds no secret: connection strings are reduced to account and
 * endpoints, and the KEK to where it comes from.
 */
export function settingsSummary(c: Config): SettingsSummary {
  return {
    LIFEBOAT_SOURCE: connectionFacts(c.source),
    LIFEBOAT_TABLES: c.tables === "*" ? "*" : c.tables.join(","),
    LIFEBOAT_BACKUP: connectionFacts(c.backup),
    LIFEBOAT_BACKUP_CONTAINER: c.backupContainer,
    LIFEBOAT_KEY: c.key.kind === "env" ? "LIFEBOAT_KEK (setting)" : `key vault ${c.key.vaultUri} secret ${c.key.secretName}`,
    RPO_MINUTES: String(c.rpoMinutes),
    RTO_MINUTES: String(c.rtoMinutes),
    LIFEBOAT_FULL_BACKUP_SCHEDULE: c.fullBackupSchedule,
    LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: c.incrementalBackupSchedule,
    LIFEBOAT_OVERLAP_SECONDS: String(c.overlapSeconds),
    LIFEBOAT_CHUNK_ENTITIES: String(c.chunkEntities),
    LIFEBOAT_RESTORE_CONCURRENCY: String(c.restoreConcurrency),
  };
}

/** The settings that differ between two summaries, with before and after. Empty when equal. */
export function settingsChanges(before: SettingsSummary, after: SettingsSummary): { setting: string; before: string | null; after: string | null }[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names
    .filter((n) => before[n] !== after[n])
    .map((n) => ({ setting: n, before: before[n] ?? null, after: after[n] ?? null }));
}
