import type { AppContext } from "./app/context";
import { Auditor } from "./app/audit";
import type { BlobSource } from "./app/ports/BlobSource";
import type { BackupStore } from "./app/ports/BackupStore";
import type { KeyProvider } from "./app/ports/KeyProvider";
import type { SecondaryStore } from "./config/secondary";
import { FsBackupStore } from "./adapters/fs/FsBackupStore";
import { FallbackBackupStore } from "./adapters/fallback-backup-store";
import { HttpPrimaryApp } from "./adapters/http-primary-app";
import { ValidationError } from "./core/errors";
import { labelled } from "./adapters/store-errors";
import { DEFAULTS, type Config } from "./config";
import { settingSecrets } from "./config/secrets";
import { settingsSummary } from "./config/summary";
import { effectiveSettings } from "./config/effective";
import { redactSettings } from "./core/config-files/redact-settings";
import { createAuditStores, createBlobSource, createBlobStore, createEndpointState, createJobQueue, createJobStore, createTableStore, type StoreOptions } from "./adapters/azure/stores";
import type { JobStore } from "./app/ports/JobStore";
import type { JobQueue } from "./app/ports/JobQueue";
import type { JobDeps } from "./app/jobs";
import type { DrillDeps } from "./app/drills/deps";
import { followActiveEndpoint } from "./app/failover/follow-endpoint";

import { createEndpointPublisher, createKeyProvider } from "./adapters/keys";
import type { FailoverPorts, FailoverSite } from "./app/failover/ports";
import { publicEndpoints } from "./config/endpoints";
import type { StorageConnection } from "./config";

/** The ports the use cases run on, wired to Azure (or Azurite) from the settings, with the settings themselves. */
export interface Services extends AppContext {
  config: Config;
  /** Restore-job state (LIFEBOAT_JOBS_TABLE in the backup account's table endpoint, as the state table). */
  jobs?: JobStore;
  /** The jobs queue (AzureWebJobsStorage); absent when no queue account is set. */
  jobQueue?: JobQueue;
  /** Failover and failback: the failover account, the state table, where the endpoint is published. */
  failover: FailoverPorts;
}

/**
 * The Auditor over the audit table and digest container of the settings, using `keys`
 * for entry MACs and digest HMACs. Creates no resources (the table and container are
 * created on first write) and sends no request.
 */
export function createAuditor(config: Config, keys: KeyProvider, now?: () => Date, options: StoreOptions = {}): Auditor {
  const stores = createAuditStores(config.audit, config.auditTable, config.auditContainer, options);
  return new Auditor({ ...stores, keys, secrets: settingSecrets(config), ...(now ? { now } : {}) });
}

/**
 * The source account's blob containers: always when LIFEBOAT_CONTAINERS names some (a
 * connection without a blob endpoint then fails here, loudly), else when the connection
 * has one (a restore of an older point with containers needs it).
 */
function sourceBlobs(config: Config, options: StoreOptions): { blobs?: BlobSource } {
  if (config.containers.length > 0) return { blobs: createBlobSource(config.source, "LIFEBOAT_SOURCE", options) };
  if (config.source.kind === "identity" && !config.source.blobServiceUri) return {};
  try {
    return { blobs: createBlobSource(config.source, "LIFEBOAT_SOURCE", options) };
  } catch {
    return {}; // a table-only connection string (a SAS without BlobEndpoint)
  }
}

/** The encrypted secondary copy: a container of another account, or a directory. Sends no request. */
function createSecondaryStore(secondary: SecondaryStore, options: StoreOptions, immutability: boolean): BackupStore {
  if (secondary.kind === "path") {
    return labelled(new FsBackupStore(secondary.path), { role: "secondary store", endpoint: `file://${secondary.path}`, setting: "LIFEBOAT_SECONDARY_PATH", needs: "write access to the directory" });
  }
  return createBlobStore(secondary.connection, secondary.container, "LIFEBOAT_SECONDARY", { ...options, role: "secondary store", immutability });
}

/**
 * Wires every port from the settings. Creates no resources and sends no request.
 * `retries: "quick"` makes every store give up after one retry (lifeboat doctor).
 */
export function createServices(config: Config, given: StoreOptions = {}, notes: { keyFallback?: (note: string) => void } = {}): Services {
  const options: StoreOptions = given.retries ? given : config.storageRetries === DEFAULTS.LIFEBOAT_STORAGE_RETRIES ? {} : { retries: { maxRetries: config.storageRetries } };
  const { keys, replication } = createKeyProvider(config.key, config.backup.kind === "identity" ? config.backup.clientId : undefined, notes.keyFallback);
  return {
    config,
    settingsSummary: settingsSummary(config),
    redactedSettings: redactSettings(effectiveSettings(config)),
    source: createTableStore(config.source, "LIFEBOAT_SOURCE", options),
    ...sourceBlobs(config, options),
    repo: createBlobStore(config.backup, config.backupContainer, "LIFEBOAT_BACKUP", { ...options, immutability: config.immutability }),
    ...(config.secondary
      ? { secondary: createSecondaryStore(config.secondary, options, config.immutability), secondaryCopy: createSecondaryStore(config.secondary, { retries: "quick" }, config.immutability) }
      : {}),
    keys,
    ...(replication ? { kekReplication: replication } : {}),
    audit: createAuditor(config, keys, undefined, options),
    jobs: createJobStore(config.state, config.jobs.table, options),
    ...(config.jobs.queue ? { jobQueue: createJobQueue(config.jobs.queue, config.jobs.queueName, options) } : {}),
    failover: createFailoverPorts(config, options),
  };
}

/**
 * The failover account (when LIFEBOAT_FAILOVER is set), the state table in the backup
 * account, and the endpoint publisher (the Key Vault secret, or nothing without a
 * vault). Sends no request.
 */
function createFailoverPorts(config: Config, options: StoreOptions): FailoverPorts {
  const clientId = config.backup.kind === "identity" ? config.backup.clientId : undefined;
  const primary = publicEndpoints(config.source);
  return {
    site: config.failover ? createFailoverSite(config, config.failover, options) : null,
    primary: { tableServiceUri: primary.tableServiceUri ?? "(the source account)", ...(primary.blobServiceUri ? { blobServiceUri: primary.blobServiceUri } : {}) },
    probe: createTableStore(config.source, "LIFEBOAT_SOURCE", { retries: "quick" }),
    state: createEndpointState(config.state, config.stateTable, options),
    publisher: createEndpointPublisher(config.key, config.activeEndpointSecret, clientId),
    afterMinutes: config.failoverAfterMinutes,
    auto: config.autoFailover,
    ...(config.role.kind === "standby" ? { primaryApp: new HttpPrimaryApp(config.role.primaryAppUrl) } : {}),
  };
}

function createFailoverSite(config: Config, conn: StorageConnection, options: StoreOptions): FailoverSite {
  const endpoints = publicEndpoints(conn);
  return {
    tables: createTableStore(conn, "LIFEBOAT_FAILOVER", { ...options, role: "failover tables", needs: "Storage Table Data Contributor" }),
    // Containers are restored into the failover account only when it has a blob endpoint.
    ...(endpoints.blobServiceUri ? { blobs: createBlobSource(conn, "LIFEBOAT_FAILOVER", options) } : {}),
    endpoints: { tableServiceUri: endpoints.tableServiceUri ?? "(the failover account)", ...(endpoints.blobServiceUri ? { blobServiceUri: endpoints.blobServiceUri } : {}) },
    settingsSummary: settingsSummary({ ...config, source: conn }),
  };
}

/** Which copy of the repository a restore or verify reads. */
export type StoreChoice = "primary" | "secondary" | "auto";

/**
 * The services reading from the chosen copy of the repository: the primary, the
 * secondary, or (auto, the default) the primary falling back to the secondary when it is
 * unreachable, lacks a file, or a file fails its check; `onFallback` hears each time it
 * does. Auto without a secondary is the primary. Throws ValidationError (field --from)
 * for "secondary" when none is configured.
 */
export function servicesReadingFrom(s: Services, from: StoreChoice, onFallback?: (note: string) => void): Services {
  if (from === "primary" || (from === "auto" && !s.secondary)) return s;
  if (!s.secondary) throw new ValidationError("--from", "secondary: no secondary store is configured (LIFEBOAT_SECONDARY or LIFEBOAT_SECONDARY_PATH)");
  if (from === "secondary") return { ...s, repo: s.secondary };
  return { ...s, repo: new FallbackBackupStore(s.repo, s.secondary, onFallback) };
}

/** The services as restore jobs use them: each job reads the repository from the copy it asked for. */
export function jobDeps(s: Services): JobDeps {
  return {
    ...s,
    readingFrom: (from) => servicesReadingFrom(s, from),
    backupSource: async () => {
      const { ctx, account } = await followActiveEndpoint(s);
      return { source: ctx.source, account };
    },
  };
}

/** The services as drills use them: scratch copies go to LIFEBOAT_DRILL (default: the source account). Sends no request. */
export function drillDeps(s: Services): DrillDeps {
  const target = s.config.drills.target;
  const scratch = target
    ? { tables: createTableStore(target, "LIFEBOAT_DRILL", { role: "drill tables", needs: "Storage Table Data Contributor" }), ...(publicEndpoints(target).blobServiceUri ? { blobs: createBlobSource(target, "LIFEBOAT_DRILL") } : {}) }
    : { tables: s.source, ...(s.blobs ? { blobs: s.blobs } : {}) };
  return { ...s, readingFrom: (from) => servicesReadingFrom(s, from), scratch, schedules: s.config.drills.schedules };
}
