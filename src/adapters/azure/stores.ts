import type { TokenCredential } from "@azure/core-auth";
import type { AuditLog, DigestStore } from "../../app/ports/AuditLog";
import type { BackupStore } from "../../app/ports/BackupStore";
import type { TableStore } from "../../app/ports/TableStore";
import type { StorageConnection } from "../../config";
import { createCredential } from "../credential";
import { RetryingTableStore } from "../retrying-table-store";
import { AzureAuditLog } from "./AzureAuditLog";
import { AzureTableStore } from "./AzureTableStore";
import { BlobBackupStore } from "./BlobBackupStore";
import { BlobDigestStore } from "./BlobDigestStore";
import { blobServiceClient, tableClient, tableServiceClient } from "./clients";

/** The container, in the backup account, that holds repository locks (kept mutable: no WORM policy). */
export const LOCK_CONTAINER = "lifeboat-locks";

/** The credential of a connection, created on first use (a connection string needs none). */
function credentialFor(conn: StorageConnection): () => TokenCredential {
  let cred: TokenCredential | undefined;
  return () => (cred ??= createCredential(conn.kind === "identity" ? conn.clientId : undefined));
}

/**
 * A TableStore for a storage connection (the source account, or a failover account).
 * `what` names the setting in errors. Sends no request; throws CONFIG.MISSING when the
 * connection has no table endpoint.
 */
export function createTableStore(conn: StorageConnection, what: string): TableStore {
  const cred = credentialFor(conn);
  return new RetryingTableStore(new AzureTableStore(tableServiceClient(conn, cred, what), (t, retries) => tableClient(conn, cred, t, what, retries)));
}

/** A BackupStore over a container of a storage connection, locking in LOCK_CONTAINER. Sends no request. */
export function createBlobStore(conn: StorageConnection, container: string, what: string): BackupStore {
  const service = blobServiceClient(conn, credentialFor(conn), what);
  return new BlobBackupStore(service.getContainerClient(container), service.getContainerClient(LOCK_CONTAINER));
}

/** The audit log's table and digest container on one connection. Creates nothing and sends no request. */
export function createAuditStores(conn: StorageConnection, table: string, container: string): { log: AuditLog; digests: DigestStore } {
  const cred = credentialFor(conn);
  return {
    log: new AzureAuditLog(tableClient(conn, cred, table, "LIFEBOAT_AUDIT")),
    digests: new BlobDigestStore(blobServiceClient(conn, cred, "LIFEBOAT_AUDIT").getContainerClient(container)),
  };
}
