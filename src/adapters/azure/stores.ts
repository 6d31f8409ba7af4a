import type { TokenCredential } from "@azure/core-auth";
import type { AuditLog, DigestStore } from "../../app/ports/AuditLog";
import type { BackupStore } from "../../app/ports/BackupStore";
import type { BlobSource } from "../../app/ports/BlobSource";
import type { TableStore } from "../../app/ports/TableStore";
import type { StorageConnection } from "../../config";
import { createCredential } from "../credential";
import { DEFAULT_WRITE_RETRY, RetryingTableStore } from "../retrying-table-store";
import { labelled, safeEndpoint } from "../store-errors";
import { AzureAuditLog } from "./AzureAuditLog";
import { AzureBlobSource } from "./AzureBlobSource";
import { AzureEndpointState } from "./AzureEndpointState";
import type { EndpointState } from "../../app/ports/EndpointState";
import { AzureTableStore } from "./AzureTableStore";
import { BlobBackupStore } from "./BlobBackupStore";
import { BlobDigestStore } from "./BlobDigestStore";
import { blobServiceClient, queueServiceClient, tableClient, tableServiceClient, type Retries } from "./clients";
import type { JobStore } from "../../app/ports/JobStore";
import type { JobQueue } from "../../app/ports/JobQueue";
import type { QueueConnection } from "../../config/jobs";
import { AzureJobStore } from "./AzureJobStore";
import { AzureJobQueue } from "./AzureJobQueue";

/** The container, in the backup account, that holds repository locks (each lock blob written once, then only leased). */
export const LOCK_CONTAINER = "lifeboat-locks";

/** How a store's clients retry: "standard" (about a minute of back-off) or "quick" (one retry: `lifeboat doctor`). */
export interface StoreOptions {
  retries?: Retries;
}

/** The credential of a connection, created on first use (a connection string needs none). */
function credentialFor(conn: StorageConnection): () => TokenCredential {
  let cred: TokenCredential | undefined;
  return () => (cred ??= createCredential(conn.kind === "identity" ? conn.clientId : undefined));
}

/**
 * A TableStore for a storage connection (the source account, or a failover account).
 * `what` names the setting in errors, `role` the store ("source tables"). Failures
 * about the store name it, its endpoint and the cause in words. Sends no request;
 * throws CONFIG.MISSING when the connection has no table endpoint.
 */
export function createTableStore(conn: StorageConnection, what: string, options: StoreOptions & { role?: string; needs?: string } = {}): TableStore {
  const cred = credentialFor(conn);
  const retries = options.retries ?? "standard";
  const service = tableServiceClient(conn, cred, what, retries);
  const store = new AzureTableStore(service, (t, retrying) => tableClient(conn, cred, t, what, retrying ? retries : "none"));
  const policy =
    retries === "quick"
      ? { ...DEFAULT_WRITE_RETRY, maxRetries: 1, serverErrorRetries: 1 }
      : typeof retries === "object"
        ? { ...DEFAULT_WRITE_RETRY, maxRetries: retries.maxRetries, serverErrorRetries: Math.min(DEFAULT_WRITE_RETRY.serverErrorRetries, retries.maxRetries) }
        : DEFAULT_WRITE_RETRY;
  return labelled(new RetryingTableStore(store, policy), {
    role: options.role ?? "source tables",
    endpoint: safeEndpoint(service.url),
    setting: what,
    needs: options.needs ?? "Storage Table Data Reader (Contributor to restore in place)",
  });
}

/** A BackupStore over a container of a storage connection, locking in LOCK_CONTAINER. Sends no request. */
export function createBlobStore(conn: StorageConnection, container: string, what: string, options: StoreOptions & { role?: string; immutability?: boolean } = {}): BackupStore {
  const service = blobServiceClient(conn, credentialFor(conn), what, options.retries ?? "standard");
  const store = new BlobBackupStore(service.getContainerClient(container), service.getContainerClient(LOCK_CONTAINER), { immutability: options.immutability === true });
  return labelled(store, { role: options.role ?? "backup store", endpoint: safeEndpoint(service.getContainerClient(container).url), setting: what, needs: "Storage Blob Data Contributor" });
}

/** The source account's blob containers. Sends no request; throws CONFIG.MISSING without a blob endpoint. */
export function createBlobSource(conn: StorageConnection, what: string, options: StoreOptions = {}): BlobSource {
  const service = blobServiceClient(conn, credentialFor(conn), what, options.retries ?? "standard");
  return labelled(new AzureBlobSource(service), { role: "source containers", endpoint: safeEndpoint(service.url), setting: what, needs: "Storage Blob Data Reader (Contributor to restore in place)" });
}

/** The audit log's table and digest container on one connection. Creates nothing and sends no request. */
export function createAuditStores(conn: StorageConnection, table: string, container: string, options: StoreOptions = {}): { log: AuditLog; digests: DigestStore } {
  const cred = credentialFor(conn);
  const retries = options.retries ?? "standard";
  const tables = tableClient(conn, cred, table, "LIFEBOAT_AUDIT", retries);
  const blobs = blobServiceClient(conn, cred, "LIFEBOAT_AUDIT", retries).getContainerClient(container);
  return {
    log: labelled(new AzureAuditLog(tables), { role: "audit log", endpoint: safeEndpoint(tables.url), setting: "LIFEBOAT_AUDIT (default: the backup account)", needs: "Storage Table Data Contributor" }),
    digests: labelled(new BlobDigestStore(blobs), { role: "audit digests", endpoint: safeEndpoint(blobs.url), setting: "LIFEBOAT_AUDIT (default: the backup account)", needs: "Storage Blob Data Contributor" }),
  };
}

/** Restore-job state in `table` of the backup account's table endpoint. Creates the table on first use. */
export function createJobStore(conn: StorageConnection, table: string, options: StoreOptions = {}): JobStore {
  const client = tableClient(conn, credentialFor(conn), table, "LIFEBOAT_BACKUP", options.retries ?? "standard");
  return labelled(new AzureJobStore(client), { role: "job state", endpoint: safeEndpoint(client.url), setting: "LIFEBOAT_BACKUP (LIFEBOAT_JOBS_TABLE)", needs: "Storage Table Data Contributor" });
}

/** The jobs queue `name` of the Functions host's account. Creates it on first send. */
export function createJobQueue(conn: QueueConnection, name: string, options: StoreOptions = {}): JobQueue {
  let cred: TokenCredential | undefined;
  const service = queueServiceClient(conn, () => (cred ??= createCredential(conn.kind === "identity" ? conn.clientId : undefined)), options.retries ?? "standard");
  const client = service.getQueueClient(name);
  return labelled(new AzureJobQueue(client), { role: "jobs queue", endpoint: safeEndpoint(client.url), setting: "AzureWebJobsStorage", needs: "Storage Queue Data Contributor" });
}

/** The state table (active endpoint, switch mark, probe state) in the backup account. Creates nothing and sends no request. */
export function createEndpointState(conn: StorageConnection, table: string, options: StoreOptions = {}): EndpointState {
  const client = tableClient(conn, credentialFor(conn), table, "LIFEBOAT_BACKUP", options.retries ?? "standard");
  return labelled(new AzureEndpointState(client), { role: "state table", endpoint: safeEndpoint(client.url), setting: "LIFEBOAT_BACKUP and LIFEBOAT_STATE_TABLE", needs: "Storage Table Data Contributor" });
}
