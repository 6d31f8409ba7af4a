import type { AppContext } from "./app/context";
import { Auditor } from "./app/audit";
import type { BlobSource } from "./app/ports/BlobSource";
import type { KeyProvider } from "./app/ports/KeyProvider";
import type { Config } from "./config";
import { settingSecrets } from "./config/secrets";
import { settingsSummary } from "./config/summary";
import { effectiveSettings } from "./config/effective";
import { redactSettings } from "./core/config-files/redact-settings";
import { createAuditStores, createBlobSource, createBlobStore, createTableStore, type StoreOptions } from "./adapters/azure/stores";
import { createKeyProvider } from "./adapters/keys";

/** The ports the use cases run on, wired to Azure (or Azurite) from the settings, with the settings themselves. */
export interface Services extends AppContext {
  config: Config;
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

/**
 * Wires every port from the settings. Creates no resources and sends no request.
 * `retries: "quick"` makes every store give up after one retry (lifeboat doctor).
 */
export function createServices(config: Config, options: StoreOptions = {}): Services {
  const keys = createKeyProvider(config.key, config.backup.kind === "identity" ? config.backup.clientId : undefined);
  return {
    config,
    settingsSummary: settingsSummary(config),
    redactedSettings: redactSettings(effectiveSettings(config)),
    source: createTableStore(config.source, "LIFEBOAT_SOURCE", options),
    ...sourceBlobs(config, options),
    repo: createBlobStore(config.backup, config.backupContainer, "LIFEBOAT_BACKUP", options),
    keys,
    audit: createAuditor(config, keys, undefined, options),
  };
}
