import type { z } from "zod";
import { LifeboatError } from "../core/errors";
import { auditConnection } from "./audit";
import { readContainers, readExcludePatterns, readTables } from "./backup";
import type { Issue } from "./fields";
import { readFailover, stateConnection } from "./failover";
import { readKeySource, type KeySource } from "./keys";
import { schema, type ParsedSettings } from "./schema";
import { connection, type StorageConnection } from "./storage";
import { readSecondary, type SecondaryStore } from "./secondary";
import { readJobsQueue, type QueueConnection } from "./jobs";
import { readDrills, type DrillSchedules } from "./drills";
import { readRole, type AppRole } from "./role";

export interface Config {
  source: StorageConnection;
  /** Table names, or "*" for every table in the source account. */
  tables: string[] | "*";
  /** With "*": names or prefixes ending in "*" to leave out (LIFEBOAT_EXCLUDE_TABLES). */
  excludeTables: string[];
  /** Blob containers of the source account in every point (LIFEBOAT_CONTAINERS); empty: tables only. */
  containers: string[];
  /** Containers of the nightly config export (LIFEBOAT_CONFIG_CONTAINERS, default LIFEBOAT_CONTAINERS). */
  configContainers: string[];
  backup: StorageConnection;
  backupContainer: string;
  /** The encrypted secondary copy (another account, or a directory); null without one. */
  secondary: SecondaryStore | null;
  key: KeySource;
  rpoMinutes: number;
  rtoMinutes: number;
  fullBackupSchedule: string;
  incrementalBackupSchedule: string;
  configExportSchedule: string;
  /** How far before the watermark an incremental re-reads, for writes in flight at scan time. */
  overlapSeconds: number;
  /** Entities per data file. Memory is bounded by this, not by table size. */
  chunkEntities: number;
  /** Tables at least this big at the latest point fan their full and key scans out over instances (LIFEBOAT_FANOUT_ENTITIES; 0: never). */
  fanoutEntities: number;
  /** Partitions written in parallel during a restore. */
  restoreConcurrency: number;
  /** PartitionKey ranges a scan reads at once: backups, the restore's sweep and verification (LIFEBOAT_SCAN_CONCURRENCY). */
  scanConcurrency: number;
  /** Retries of a storage request that may pass (LIFEBOAT_STORAGE_RETRIES): how long a store is waited for before it counts as down. */
  storageRetries: number;
  /** Retention tiers: incremental points (days), dailies (days), weeklies (weeks). */
  retention: { incrementalDays: number; dailyDays: number; weeklyWeeks: number };
  /** Every backup blob immutable until its tier ends (LIFEBOAT_IMMUTABILITY=on; Azure only). */
  immutability: boolean;
  /**
   * Where the audit log lives: LIFEBOAT_AUDIT when set, else the backup account. Has
   * both a table URI (entries) and a blob URI (digests) in identity mode.
   */
  audit: StorageConnection;
  /** The audit table (one partition per UTC day). */
  auditTable: string;
  /** The container of audit digests (under an immutability policy in Azure). */
  auditContainer: string;
  /** Typed-CSV copies of every full segment (LIFEBOAT_CSV_BACKUPS). */
  csvBackups: "full" | "off";
  /** Restore jobs: their state table (in the backup account) and queue account (AzureWebJobsStorage; null when unset). */
  jobs: { table: string; queueName: string; queue: QueueConnection | null };
  /** The failover account the standby tables are restored into (LIFEBOAT_FAILOVER); null: failover is not configured. */
  failover: StorageConnection | null;
  /** Minutes of continuous primary failure before the probe fails over (LIFEBOAT_FAILOVER_AFTER_MINUTES). */
  failoverAfterMinutes: number;
  /** The probe fails over on its own (LIFEBOAT_AUTO_FAILOVER=on), or only logs primary_down (off). */
  autoFailover: boolean;
  /** The Key Vault secret applications read the active endpoint from (LIFEBOAT_ACTIVE_ENDPOINT_SECRET). */
  activeEndpointSecret: string;
  /** The table holding the active endpoint record and the probe state (LIFEBOAT_STATE_TABLE). */
  stateTable: string;
  /** Its account: the backup account's table endpoint. */
  state: StorageConnection;
  /** The primaryProbe timer's schedule (LIFEBOAT_PRIMARY_PROBE_SCHEDULE). */
  primaryProbeSchedule: string;
  /** Drills: the account their scratch copies go to (null: the source account) and their schedules. */
  drills: { target: StorageConnection | null; schedules: DrillSchedules };
  /** The primary app, or the standby in the secondary region (LIFEBOAT_ROLE). */
  role: AppRole;
}

/** A settings problem, naming every bad setting and why. Never echoes a value. */
export class ConfigError extends LifeboatError {
  override readonly name = "ConfigError";
  constructor(readonly issues: Issue[]) {
    super("CONFIG.INVALID", "invalid settings:\n" + issues.map((i) => `  ${i.setting}: ${i.message}`).join("\n"));
  }
}

/** The settings issues of a failed parse, one per field, each naming the setting. */
export function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({ setting: String(i.path[0] ?? "settings"), message: i.message }));
}

/** Each field parsed on its own; a field that fails reads as unset ("" for the required table list). */
function lenient(env: Record<string, string | undefined>): ParsedSettings {
  const out: Record<string, unknown> = {};
  for (const [k, field] of Object.entries(schema.shape)) {
    const r = (field as z.ZodType).safeParse(env[k]);
    out[k] = r.success ? r.data : undefined;
  }
  out.LIFEBOAT_TABLES ??= "";
  return out as ParsedSettings;
}

/**
 * Parses settings from a plain object (process.env, or a local.settings.json `Values`).
 * Throws ConfigError naming every bad setting; never includes a setting's value.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  // On a schema failure, go on with the fields that did parse, so that one run names
  // every bad setting (the cross-setting checks below included), not just the first.
  const issues: Issue[] = result.success ? [] : issuesOf(result.error);
  const p: ParsedSettings = result.success ? result.data : lenient(env);
  const source = connection("LIFEBOAT_SOURCE", p, "table", issues);
  const backup = connection("LIFEBOAT_BACKUP", p, "blob", issues);
  const audit = auditConnection(p, backup, issues);
  const tables = readTables(p.LIFEBOAT_TABLES, issues);
  const excludeTables = readExcludePatterns(p.LIFEBOAT_EXCLUDE_TABLES, issues);
  const containers = readContainers(p.LIFEBOAT_CONTAINERS, issues);
  const configContainers = p.LIFEBOAT_CONFIG_CONTAINERS === undefined ? containers : readContainers(p.LIFEBOAT_CONFIG_CONTAINERS, issues, "LIFEBOAT_CONFIG_CONTAINERS");
  if ((containers.length > 0 || configContainers.length > 0) && source.kind === "identity" && !source.blobServiceUri) {
    issues.push({ setting: "LIFEBOAT_SOURCE__blobServiceUri", message: "is required with LIFEBOAT_CONTAINERS or LIFEBOAT_CONFIG_CONTAINERS: the source account's blob URI" });
  }
  const key = readKeySource(p, issues);
  const secondary = readSecondary(p, p.LIFEBOAT_BACKUP_CONTAINER, issues);
  const jobsQueue = readJobsQueue(p, issues);
  const failover = readFailover(p, issues);
  const drills = readDrills(p, issues);
  const role = readRole(p, issues);

  if (issues.length > 0 || !key) throw new ConfigError(issues);
  return {
    source,
    tables,
    excludeTables,
    containers,
    configContainers,
    backup,
    backupContainer: p.LIFEBOAT_BACKUP_CONTAINER,
    secondary,
    key,
    rpoMinutes: p.RPO_MINUTES,
    rtoMinutes: p.RTO_MINUTES,
    fullBackupSchedule: p.LIFEBOAT_FULL_BACKUP_SCHEDULE,
    incrementalBackupSchedule: p.LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE,
    configExportSchedule: p.LIFEBOAT_CONFIG_EXPORT_SCHEDULE,
    overlapSeconds: p.LIFEBOAT_OVERLAP_SECONDS,
    chunkEntities: p.LIFEBOAT_CHUNK_ENTITIES,
    fanoutEntities: p.LIFEBOAT_FANOUT_ENTITIES,
    restoreConcurrency: p.LIFEBOAT_RESTORE_CONCURRENCY,
    scanConcurrency: p.LIFEBOAT_SCAN_CONCURRENCY,
    storageRetries: p.LIFEBOAT_STORAGE_RETRIES,
    retention: { incrementalDays: p.RETENTION_INCREMENTAL_DAYS, dailyDays: p.RETENTION_DAILY_DAYS, weeklyWeeks: p.RETENTION_WEEKLY_WEEKS },
    immutability: p.LIFEBOAT_IMMUTABILITY === "on",
    audit,
    auditTable: p.LIFEBOAT_AUDIT_TABLE,
    auditContainer: p.LIFEBOAT_AUDIT_CONTAINER,
    jobs: { table: p.LIFEBOAT_JOBS_TABLE, queueName: p.LIFEBOAT_JOBS_QUEUE, queue: jobsQueue },
    failover,
    failoverAfterMinutes: p.LIFEBOAT_FAILOVER_AFTER_MINUTES,
    autoFailover: p.LIFEBOAT_AUTO_FAILOVER === "on",
    activeEndpointSecret: p.LIFEBOAT_ACTIVE_ENDPOINT_SECRET,
    stateTable: p.LIFEBOAT_STATE_TABLE,
    state: stateConnection(backup),
    primaryProbeSchedule: p.LIFEBOAT_PRIMARY_PROBE_SCHEDULE,
    drills,
    role,
    csvBackups: p.LIFEBOAT_CSV_BACKUPS,
  };
}
