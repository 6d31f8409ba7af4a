import type { SettingsSummary } from "../core/settings-changes";
import { BACKUP_DEFAULTS } from "./backup";
import { RETENTION_DEFAULTS } from "./retention";
import type { Config } from "./load";
import type { StorageConnection } from "./storage";

function connectionFacts(c: StorageConnection): string {
  if (c.kind === "identity") return `identity ${c.tableServiceUri ?? "-"} ${c.blobServiceUri ?? "-"}`;
  // Only the account and endpoints: the key or SAS of a connection string is a secret.
  const parts = c.connectionString
    .reveal()
    .split(";")
    .map((p) => p.trim())
    .filter((p) => /^(AccountName|UseDevelopmentStorage|TableEndpoint|BlobEndpoint)=/i.test(p));
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
    // Only when set: points taken before the setting existed do not read as a change.
    ...(c.excludeTables.length > 0 ? { LIFEBOAT_EXCLUDE_TABLES: c.excludeTables.join(",") } : {}),
    ...(c.containers.length > 0 ? { LIFEBOAT_CONTAINERS: c.containers.join(",") } : {}),
    ...(c.configContainers.length > 0 ? { LIFEBOAT_CONFIG_CONTAINERS: c.configContainers.join(",") } : {}),
    ...(c.configExportSchedule !== BACKUP_DEFAULTS.LIFEBOAT_CONFIG_EXPORT_SCHEDULE ? { LIFEBOAT_CONFIG_EXPORT_SCHEDULE: c.configExportSchedule } : {}),
    LIFEBOAT_BACKUP: connectionFacts(c.backup),
    LIFEBOAT_BACKUP_CONTAINER: c.backupContainer,
    ...(c.secondary ? { LIFEBOAT_SECONDARY: c.secondary.kind === "path" ? `path ${c.secondary.path}` : `${connectionFacts(c.secondary.connection)} container ${c.secondary.container}` } : {}),
    LIFEBOAT_KEY: c.key.kind === "env" ? "LIFEBOAT_KEK (setting)" : `key vault ${c.key.vaultUri} secret ${c.key.secretName}`,
    RPO_MINUTES: String(c.rpoMinutes),
    RTO_MINUTES: String(c.rtoMinutes),
    LIFEBOAT_FULL_BACKUP_SCHEDULE: c.fullBackupSchedule,
    LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: c.incrementalBackupSchedule,
    LIFEBOAT_OVERLAP_SECONDS: String(c.overlapSeconds),
    LIFEBOAT_CHUNK_ENTITIES: String(c.chunkEntities),
    LIFEBOAT_RESTORE_CONCURRENCY: String(c.restoreConcurrency),
    // Only when changed from the policy's defaults: older points do not read as a change.
    ...(c.immutability ? { LIFEBOAT_IMMUTABILITY: "on" } : {}),
    ...(c.csvBackups !== "full" ? { LIFEBOAT_CSV_BACKUPS: c.csvBackups } : {}),
    ...(c.retention.incrementalDays !== RETENTION_DEFAULTS.RETENTION_INCREMENTAL_DAYS ? { RETENTION_INCREMENTAL_DAYS: String(c.retention.incrementalDays) } : {}),
    ...(c.retention.dailyDays !== RETENTION_DEFAULTS.RETENTION_DAILY_DAYS ? { RETENTION_DAILY_DAYS: String(c.retention.dailyDays) } : {}),
    ...(c.retention.weeklyWeeks !== RETENTION_DEFAULTS.RETENTION_WEEKLY_WEEKS ? { RETENTION_WEEKLY_WEEKS: String(c.retention.weeklyWeeks) } : {}),
  };
}
