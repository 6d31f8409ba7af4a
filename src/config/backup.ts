import { z } from "zod";
import { CONTAINER_NAME, CONTAINER_NAME_RULE, TABLE_NAME, TABLE_NAME_RULE } from "../core/names";
import { containerSetting, intSetting, optionalString, scheduleSetting, type Issue } from "./fields";

/** Defaults of the backup settings (the DR policy's schedules). */
export const BACKUP_DEFAULTS = {
  LIFEBOAT_BACKUP_CONTAINER: "lifeboat",
  LIFEBOAT_FULL_BACKUP_SCHEDULE: "0 0 1 * * *",
  LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: "0 */15 * * * *",
  LIFEBOAT_OVERLAP_SECONDS: 300,
  LIFEBOAT_CHUNK_ENTITIES: 5000,
  LIFEBOAT_FANOUT_ENTITIES: 5_000_000,
  LIFEBOAT_CONFIG_EXPORT_SCHEDULE: "0 30 0 * * *",
} as const;

const TABLES_REQUIRED = "is required: comma-separated table names, or * for every table";

/** The timer schedules: read on their own when functions register (see timerSchedules). */
export const scheduleShape = {
  LIFEBOAT_FULL_BACKUP_SCHEDULE: scheduleSetting(BACKUP_DEFAULTS.LIFEBOAT_FULL_BACKUP_SCHEDULE),
  LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: scheduleSetting(BACKUP_DEFAULTS.LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE),
  LIFEBOAT_CONFIG_EXPORT_SCHEDULE: scheduleSetting(BACKUP_DEFAULTS.LIFEBOAT_CONFIG_EXPORT_SCHEDULE),
};

/** What to back up, where, and how (the connections are in storage.ts). */
export const backupShape = {
  LIFEBOAT_TABLES: z.string({ error: TABLES_REQUIRED }).transform((s) => s.trim()).pipe(z.string().min(1, TABLES_REQUIRED)),
  LIFEBOAT_BACKUP_CONTAINER: containerSetting(BACKUP_DEFAULTS.LIFEBOAT_BACKUP_CONTAINER),
  ...scheduleShape,
  LIFEBOAT_OVERLAP_SECONDS: intSetting(BACKUP_DEFAULTS.LIFEBOAT_OVERLAP_SECONDS, 0, 86400),
  LIFEBOAT_CHUNK_ENTITIES: intSetting(BACKUP_DEFAULTS.LIFEBOAT_CHUNK_ENTITIES, 100, 100000),
  /** A table whose latest point holds at least this many entities has its full and key scans fanned out as range tasks on the jobs queue (0: never). */
  LIFEBOAT_FANOUT_ENTITIES: intSetting(BACKUP_DEFAULTS.LIFEBOAT_FANOUT_ENTITIES, 0, 1_000_000_000),
  LIFEBOAT_EXCLUDE_TABLES: optionalString,
  LIFEBOAT_CONTAINERS: optionalString,
  LIFEBOAT_CONFIG_CONTAINERS: optionalString,
};

/** LIFEBOAT_CONTAINERS: blob containers of the source account in every point (empty: tables only). Reports bad names into `issues`. */
export function readContainers(text: string | undefined, issues: Issue[], setting = "LIFEBOAT_CONTAINERS"): string[] {
  const names = (text ?? "").split(",").map((t) => t.trim()).filter((t) => t.length > 0);
  const bad = names.filter((n) => !CONTAINER_NAME.test(n));
  if (bad.length > 0) issues.push({ setting, message: `${bad.map((b) => JSON.stringify(b)).join(", ")} not a valid container name (${CONTAINER_NAME_RULE})` });
  return [...new Set(names)];
}

const PATTERN = /^[A-Za-z][A-Za-z0-9]{0,62}\*?$/;

/** LIFEBOAT_EXCLUDE_TABLES: names or prefixes ending in "*" that a "*" backup leaves out. Reports bad entries into `issues`. */
export function readExcludePatterns(text: string | undefined, issues: Issue[]): string[] {
  const patterns = (text ?? "").split(",").map((t) => t.trim()).filter((t) => t.length > 0);
  const bad = patterns.filter((p) => !PATTERN.test(p));
  if (bad.length > 0) {
    issues.push({ setting: "LIFEBOAT_EXCLUDE_TABLES", message: `${bad.map((b) => JSON.stringify(b)).join(", ")}: each must be a table name, or a prefix (a letter, then letters or digits) ending in *` });
  }
  return patterns;
}

/** LIFEBOAT_TABLES as a list of valid table names, or "*". Reports bad names into `issues`. */
export function readTables(text: string | undefined, issues: Issue[]): string[] | "*" {
  if (text === undefined || text === "*" || text === "") return "*";
  const tables = text.split(",").map((t) => t.trim()).filter((t) => t.length > 0);
  const bad = tables.filter((t) => !TABLE_NAME.test(t));
  if (bad.length > 0) {
    issues.push({ setting: "LIFEBOAT_TABLES", message: `${bad.map((b) => JSON.stringify(b)).join(", ")} not a valid table name (${TABLE_NAME_RULE})` });
  }
  if (tables.length === 0) issues.push({ setting: "LIFEBOAT_TABLES", message: "names no table" });
  return tables;
}
