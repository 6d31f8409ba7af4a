import type { TokenCredential } from "@azure/core-auth";
import type { BackupStore } from "./app/ports/BackupStore";
import type { KeyProvider } from "./app/ports/KeyProvider";
import type { TableStore } from "./app/ports/TableStore";
import type { Config, StorageConnection } from "./config";
import { blobServiceClient, tableClient, tableServiceClient } from "./adapters/azure/clients";
import { AzureTableStore } from "./adapters/azure/AzureTableStore";
import { BlobBackupStore } from "./adapters/azure/BlobBackupStore";
import { createCredential } from "./adapters/credential";
import { createKeyProvider } from "./adapters/keys";

/** The container, in the backup account, that holds repository locks (kept mutable: no WORM policy). */
export const LOCK_CONTAINER = "lifeboat-locks";

/** The ports the use cases run on, wired to Azure (or Azurite) from the settings. */
export interface Services {
  config: Config;
  source: TableStore;
  repo: BackupStore;
  keys: KeyProvider;
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

/** Wires every port from the settings. Creates no resources and sends no request. */
export function createServices(config: Config): Services {
  const keyCred = config.backup.kind === "identity" ? config.backup.clientId : undefined;
  return {
    config,
    source: createTableStore(config.source, "LIFEBOAT_SOURCE"),
    repo: createBlobStore(config.backup, config.backupContainer, "LIFEBOAT_BACKUP"),
    keys: createKeyProvider(config.key, config.key.kind === "keyVault" ? createCredential(keyCred) : undefined),
  };
}
