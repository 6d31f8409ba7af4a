import type { Config } from "./load";
import type { StorageConnection } from "./storage";

function connectionSettings(name: string, c: StorageConnection): Record<string, string> {
  if (c.kind === "connectionString") return { [name]: c.connectionString.reveal() };
  return {
    ...(c.tableServiceUri ? { [`${name}__tableServiceUri`]: c.tableServiceUri } : {}),
    ...(c.blobServiceUri ? { [`${name}__blobServiceUri`]: c.blobServiceUri } : {}),
    ...(c.clientId ? { [`${name}__clientId`]: c.clientId } : {}),
    [`${name}__credential`]: "managedidentity",
  };
}

/**
 * Lifeboat's effective settings as name → value, defaults applied: what the config
 * export records (after redaction, core/config-files/redact-settings). Holds secrets
 * (connection strings, the KEK): never log or store it unredacted. Never throws.
 */
export function effectiveSettings(c: Config): Record<string, string> {
  return {
    ...connectionSettings("LIFEBOAT_SOURCE", c.source),
    LIFEBOAT_TABLES: c.tables === "*" ? "*" : c.tables.join(","),
    LIFEBOAT_EXCLUDE_TABLES: c.excludeTables.join(","),
    LIFEBOAT_CONTAINERS: c.containers.join(","),
    LIFEBOAT_CONFIG_CONTAINERS: c.configContainers.join(","),
    ...connectionSettings("LIFEBOAT_BACKUP", c.backup),
    LIFEBOAT_BACKUP_CONTAINER: c.backupContainer,
    ...(c.secondary?.kind === "path" ? { LIFEBOAT_SECONDARY_PATH: c.secondary.path } : {}),
    ...(c.secondary?.kind === "blob" ? { ...connectionSettings("LIFEBOAT_SECONDARY", c.secondary.connection), LIFEBOAT_SECONDARY_CONTAINER: c.secondary.container } : {}),
    ...(c.key.kind === "env" ? { LIFEBOAT_KEK: c.key.keyBase64.reveal() } : { LIFEBOAT_KEY_VAULT_URI: c.key.vaultUri, LIFEBOAT_KEK_SECRET: c.key.secretName, ...(c.key.secondaryVaultUri ? { LIFEBOAT_KEY_VAULT_URI_SECONDARY: c.key.secondaryVaultUri } : {}) }),
    RPO_MINUTES: String(c.rpoMinutes),
    RTO_MINUTES: String(c.rtoMinutes),
    LIFEBOAT_FULL_BACKUP_SCHEDULE: c.fullBackupSchedule,
    LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: c.incrementalBackupSchedule,
    LIFEBOAT_CONFIG_EXPORT_SCHEDULE: c.configExportSchedule,
    LIFEBOAT_OVERLAP_SECONDS: String(c.overlapSeconds),
    LIFEBOAT_CHUNK_ENTITIES: String(c.chunkEntities),
    LIFEBOAT_FANOUT_ENTITIES: String(c.fanoutEntities),
    LIFEBOAT_RESTORE_CONCURRENCY: String(c.restoreConcurrency),
    LIFEBOAT_SCAN_CONCURRENCY: String(c.scanConcurrency),
    LIFEBOAT_STORAGE_RETRIES: String(c.storageRetries),
    RETENTION_INCREMENTAL_DAYS: String(c.retention.incrementalDays),
    RETENTION_DAILY_DAYS: String(c.retention.dailyDays),
    RETENTION_WEEKLY_WEEKS: String(c.retention.weeklyWeeks),
    LIFEBOAT_IMMUTABILITY: c.immutability ? "on" : "off",
    ...connectionSettings("LIFEBOAT_AUDIT", c.audit),
    LIFEBOAT_AUDIT_TABLE: c.auditTable,
    LIFEBOAT_AUDIT_CONTAINER: c.auditContainer,
    LIFEBOAT_JOBS_TABLE: c.jobs.table,
    LIFEBOAT_JOBS_QUEUE: c.jobs.queueName,
    ...(c.drills.target ? connectionSettings("LIFEBOAT_DRILL", c.drills.target) : {}),
    LIFEBOAT_ROLE: c.role.kind,
    ...(c.role.kind === "standby" ? { LIFEBOAT_PRIMARY_APP_URL: c.role.primaryAppUrl } : {}),
    LIFEBOAT_DRILL_RESTORE_SCHEDULE: c.drills.schedules["restore-test"],
    LIFEBOAT_DRILL_CONFIG_SCHEDULE: c.drills.schedules["config-restore-test"],
    LIFEBOAT_DRILL_FAILOVER_SCHEDULE: c.drills.schedules["failover-simulation"],
    LIFEBOAT_DRILL_FULL_SCHEDULE: c.drills.schedules["full-drill"],
    LIFEBOAT_CSV_BACKUPS: c.csvBackups,
    ...(c.jobs.queue?.kind === "connectionString" ? { AzureWebJobsStorage: c.jobs.queue.connectionString.reveal() } : {}),
    ...(c.jobs.queue?.kind === "identity"
      ? { AzureWebJobsStorage__queueServiceUri: c.jobs.queue.queueServiceUri, ...(c.jobs.queue.clientId ? { AzureWebJobsStorage__clientId: c.jobs.queue.clientId } : {}) }
      : {}),
    ...(c.failover ? connectionSettings("LIFEBOAT_FAILOVER", c.failover) : {}),
    LIFEBOAT_FAILOVER_AFTER_MINUTES: String(c.failoverAfterMinutes),
    LIFEBOAT_AUTO_FAILOVER: c.autoFailover ? "on" : "off",
    LIFEBOAT_ACTIVE_ENDPOINT_SECRET: c.activeEndpointSecret,
    LIFEBOAT_STATE_TABLE: c.stateTable,
    LIFEBOAT_PRIMARY_PROBE_SCHEDULE: c.primaryProbeSchedule,
  };
}
