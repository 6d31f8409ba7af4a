import type { TokenCredential } from "@azure/core-auth";
import type { BackupStore } from "./app/ports/BackupStore";
import type { KeyProvider } from "./app/ports/KeyProvider";
import type { TableStore } from "./app/ports/TableStore";
import type { Config, StorageConnection } from "./config/index";
import { blobServiceClient, tableClient, tableServiceClient } from "./adapters/azure/clients";
import { AzureTableStore } from "./adapters/azure/AzureTableStore";
import { BlobBackupStore } from "./adapters/azure/BlobBackupStore";
import { createCredential } from "./adapters/credential";
import { createKeyProvider } from "./adapters/keys";
import { AzureAuditLog } from "./adapters/azure/AzureAuditLog";
import { BlobDigestStore } from "./adapters/azure/BlobDigestStore";
import { Auditor } from "./app/audit/index";
import { connectionStringSecrets } from "./core/audit/sanitize";

/** The container, in the backup account, that holds repository locks (kept mutable: no WORM policy). */
export const LOCK_CONTAINER = "lifeboat-locks";

/** The ports the use cases run on, wired to Azure (or Azurite) from the settings. */
export interface Services {
  config: Config;
  source: TableStore;
  repo: BackupStore;
  keys: KeyProvider;
  /** The tamper-evident audit log every action records into (see app/audit.ts: `audited`, `refused`). */
  audit: Auditor;
}

function credentialFor(conn: StorageConnection): () => TokenCredential {
  let cred: TokenCredential | undefined;
  return () => (cred ??= createCredential(conn.kind === "identity" ? conn.clientId : undefined));
}

/** A TableStore for a storage connection (the source account, or a failover account). */
export function createTableStore(conn: StorageConnection, what: string): TableStore {
  const cred = credentialFor(conn);
  return new AzureTableStore(tableServiceClient(conn, cred, what), (t) => tableClient(conn, cred, t, what));
}

/** A BackupStore over a container of a storage connection. */
export function createBlobStore(conn: StorageConnection, container: string, what: string): BackupStore {
  const service = blobServiceClient(conn, credentialFor(conn), what);
  return new BlobBackupStore(service.getContainerClient(container), service.getContainerClient(LOCK_CONTAINER));
}

/** Secret setting values an audit entry must never contain (exact-match redaction on top of the patterns). */
export function settingSecrets(config: Config): string[] {
  const out: string[] = [];
  for (const c of [config.source, config.backup, config.audit]) {
    if (c.kind === "connectionString") out.push(...connectionStringSecrets(c.connectionString));
  }
  if (config.key.kind === "env") out.push(config.key.keyBase64);
  return out;
}

/**
 * The Auditor over the audit table and digest container of the settings, using `keys`
 * for entry MACs and digest HMACs. Creates no resources (the table and container are
 * created on first write) and sends no request.
 */
export function createAuditor(config: Config, keys: KeyProvider, now?: () => Date): Auditor {
  const cred = credentialFor(config.audit);
  const log = new AzureAuditLog(tableClient(config.audit, cred, config.auditTable, "LIFEBOAT_AUDIT"));
  const digests = new BlobDigestStore(blobServiceClient(config.audit, cred, "LIFEBOAT_AUDIT").getContainerClient(config.auditContainer));
  return new Auditor({ log, digests, keys, secrets: settingSecrets(config), ...(now ? { now } : {}) });
}

/** Wires every port from the settings. Creates no resources and sends no request. */
export function createServices(config: Config): Services {
  const keyCred = config.backup.kind === "identity" ? config.backup.clientId : undefined;
  const keys = createKeyProvider(config.key, config.key.kind === "keyVault" ? createCredential(keyCred) : undefined);
  return {
    config,
    source: createTableStore(config.source, "LIFEBOAT_SOURCE"),
    repo: createBlobStore(config.backup, config.backupContainer, "LIFEBOAT_BACKUP"),
    keys,
    audit: createAuditor(config, keys),
  };
}
