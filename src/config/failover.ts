import { z } from "zod";
import { intSetting, optionalString, scheduleSetting, tableSetting, type Issue } from "./fields";
import { connection, connectionShape, tableUriFromBlobUri, text, type ConnectionValues, type StorageConnection } from "./storage";

/** Defaults of the failover settings. The secret name matches infra/main.bicep's activeEndpointSecretName. */
export const FAILOVER_DEFAULTS = {
  LIFEBOAT_FAILOVER_AFTER_MINUTES: 10,
  LIFEBOAT_AUTO_FAILOVER: "on",
  LIFEBOAT_ACTIVE_ENDPOINT_SECRET: "lifeboat-active-endpoint",
  LIFEBOAT_STATE_TABLE: "LifeboatState",
  LIFEBOAT_PRIMARY_PROBE_SCHEDULE: "0 * * * * *",
} as const;

/** The primary probe's schedule: read on its own when the timer registers (see timerSchedules). */
export const probeScheduleShape = {
  LIFEBOAT_PRIMARY_PROBE_SCHEDULE: scheduleSetting(FAILOVER_DEFAULTS.LIFEBOAT_PRIMARY_PROBE_SCHEDULE),
};

/** Failover and failback: the failover account, the automatic switch, where the active endpoint is recorded. */
export const failoverShape = {
  ...connectionShape("LIFEBOAT_FAILOVER"),
  LIFEBOAT_FAILOVER_AFTER_MINUTES: intSetting(FAILOVER_DEFAULTS.LIFEBOAT_FAILOVER_AFTER_MINUTES, 1, 1440),
  LIFEBOAT_AUTO_FAILOVER: optionalString
    .transform((s) => s ?? FAILOVER_DEFAULTS.LIFEBOAT_AUTO_FAILOVER)
    .pipe(z.enum(["on", "off"], { error: "must be on or off" })),
  LIFEBOAT_ACTIVE_ENDPOINT_SECRET: optionalString
    .transform((s) => s ?? FAILOVER_DEFAULTS.LIFEBOAT_ACTIVE_ENDPOINT_SECRET)
    .pipe(z.string().regex(/^[0-9A-Za-z-]{1,127}$/, "must be a Key Vault secret name (1-127 letters, digits and dashes)")),
  LIFEBOAT_STATE_TABLE: tableSetting(FAILOVER_DEFAULTS.LIFEBOAT_STATE_TABLE),
  ...probeScheduleShape,
};

/**
 * The failover account (LIFEBOAT_FAILOVER: a connection string, or __tableServiceUri with
 * a managed identity), or null when none of its settings is set: failover and failback
 * then refuse with CONFIG.MISSING. Reports a malformed connection into `issues`.
 */
export function readFailover(p: ConnectionValues, issues: Issue[]): StorageConnection | null {
  if (!text(p, "LIFEBOAT_FAILOVER") && !text(p, "LIFEBOAT_FAILOVER__tableServiceUri") && !text(p, "LIFEBOAT_FAILOVER__blobServiceUri")) return null;
  return connection("LIFEBOAT_FAILOVER", p, "table", issues);
}

/**
 * The account of the state table (LIFEBOAT_STATE_TABLE): the backup account, whose table
 * endpoint is LIFEBOAT_BACKUP's connection string, LIFEBOAT_BACKUP__tableServiceUri, or
 * derived from its standard blob URI. Sends nothing; a missing table URI surfaces as
 * CONFIG.MISSING from the first use.
 */
export function stateConnection(backup: StorageConnection): StorageConnection {
  if (backup.kind === "connectionString") return backup;
  const tableServiceUri = backup.tableServiceUri ?? tableUriFromBlobUri(backup.blobServiceUri);
  return { ...backup, ...(tableServiceUri ? { tableServiceUri } : {}) };
}
