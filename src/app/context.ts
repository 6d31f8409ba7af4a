import type { Auditor } from "./audit";
import type { BackupStore } from "./ports/BackupStore";
import type { BlobSource } from "./ports/BlobSource";
import type { KeyProvider, KeyReplica } from "./ports/KeyProvider";
import type { TableStore } from "./ports/TableStore";
import type { SettingsSummary } from "../core/settings-changes";

/** The settings the use cases act on (already validated; no secret among them). */
export interface AppSettings {
  /** Table names, or "*" for every table in the source account. */
  tables: string[] | "*";
  /** With "*": names or prefixes ending in "*" never backed up (LIFEBOAT_EXCLUDE_TABLES). */
  excludeTables: string[];
  /** Blob containers in every point (LIFEBOAT_CONTAINERS). */
  containers: string[];
  /** Containers of the nightly config export (LIFEBOAT_CONFIG_CONTAINERS). */
  configContainers: string[];
  /** Lifeboat's own audit table: never backed up with "*". */
  auditTable: string;
  /** Lifeboat's state table (the active endpoint, the probe): never backed up with "*" either (it is in the backup account, which may be the source in development). */
  stateTable?: string;
  auditContainer: string;
  overlapSeconds: number;
  chunkEntities: number;
  restoreConcurrency: number;
  /** PartitionKey ranges a restore's verification scans at once. */
  scanConcurrency: number;
  retention: { incrementalDays: number; dailyDays: number; weeklyWeeks: number };
  rpoMinutes: number;
  rtoMinutes: number;
  /** Typed-CSV copies of every full segment (LIFEBOAT_CSV_BACKUPS; absent: full). */
  csvBackups?: "full" | "off";
}

/** The ports and settings every audited use case runs on; the CLI and the functions build one from the settings. */
export interface AppContext {
  source: TableStore;
  /** The source account's blob containers (when it has a blob endpoint). */
  blobs?: BlobSource;
  repo: BackupStore;
  /** The encrypted secondary copy of the repository (another region, or a directory), when configured. */
  secondary?: BackupStore;
  /** The same secondary with one retry per request: the copy after a backup gives up fast when it is down, and catches up next time. */
  secondaryCopy?: BackupStore;
  keys: KeyProvider;
  /** With a second vault (LIFEBOAT_KEY_VAULT_URI_SECONDARY): the primary vault alone and the KEK's copy. */
  kekReplication?: { primary: KeyProvider; replica: KeyReplica };
  /** The tamper-evident audit log every action records into. */
  audit: Auditor;
  config: AppSettings;
  /** What each manifest records of the settings, to detect and audit changes. */
  settingsSummary: SettingsSummary;
  /** The effective settings with every secret value redacted: what a config export records. */
  redactedSettings: Record<string, string>;
}
