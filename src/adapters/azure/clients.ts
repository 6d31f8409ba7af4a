import { TableServiceClient, TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { BlobServiceClient, type StoragePipelineOptions } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/core-auth";
import type { StorageConnection } from "../../config";
import { LifeboatError } from "../../core/errors";

/** Retries for throttling (429/503) and timeouts, with exponential backoff up to 30 s. */
const RETRY = { maxRetries: 8, retryDelayInMs: 250, maxRetryDelayInMs: 30_000 };

function isHttpOnly(connectionString: string): boolean {
  return /Endpoint=http:\/\//i.test(connectionString) || /UseDevelopmentStorage=true/i.test(connectionString);
}

/** A TableServiceClient for a connection (connection string, or URI + managed identity). */
export function tableServiceClient(conn: StorageConnection, credential: () => TokenCredential, what: string): TableServiceClient {
  const options: TableServiceClientOptions = { retryOptions: RETRY };
  if (conn.kind === "connectionString") {
    if (isHttpOnly(conn.connectionString.reveal())) options.allowInsecureConnection = true;
    return TableServiceClient.fromConnectionString(conn.connectionString.reveal(), options);
  }
  if (!conn.tableServiceUri) {
    throw new LifeboatError("CONFIG.MISSING", `${what}: no table service URI configured (${what}__tableServiceUri)`);
  }
  return new TableServiceClient(conn.tableServiceUri, credential(), options);
}

/** A TableClient for one table of a connection; `retries: false` for one whose caller retries itself. */
export function tableClient(conn: StorageConnection, credential: () => TokenCredential, table: string, what: string, retries = true): TableClient {
  const options: TableServiceClientOptions = { retryOptions: retries ? RETRY : { maxRetries: 0 } };
  if (conn.kind === "connectionString") {
    if (isHttpOnly(conn.connectionString.reveal())) options.allowInsecureConnection = true;
    return TableClient.fromConnectionString(conn.connectionString.reveal(), table, options);
  }
  if (!conn.tableServiceUri) {
    throw new LifeboatError("CONFIG.MISSING", `${what}: no table service URI configured (${what}__tableServiceUri)`);
  }
  return new TableClient(conn.tableServiceUri, table, credential(), options);
}

/** A BlobServiceClient for a connection. */
export function blobServiceClient(conn: StorageConnection, credential: () => TokenCredential, what: string): BlobServiceClient {
  const options: StoragePipelineOptions = {
    retryOptions: { maxTries: RETRY.maxRetries + 1, retryDelayInMs: RETRY.retryDelayInMs, maxRetryDelayInMs: RETRY.maxRetryDelayInMs },
  };
  if (conn.kind === "connectionString") return BlobServiceClient.fromConnectionString(conn.connectionString.reveal(), options);
  if (!conn.blobServiceUri) {
    throw new LifeboatError("CONFIG.MISSING", `${what}: no blob service URI configured (${what}__blobServiceUri)`);
  }
  return new BlobServiceClient(conn.blobServiceUri, credential(), options);
}

/** The HTTP status of an Azure SDK error, if it has one. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err === "object" && err !== null && "statusCode" in err) {
    const s = (err as { statusCode?: unknown }).statusCode;
    return typeof s === "number" ? s : undefined;
  }
  return undefined;
}

/** The service error code of an Azure SDK error (e.g. "BlobAlreadyExists"), if it has one. */
export function codeOf(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const c = (err as { code?: unknown }).code;
    if (typeof c === "string") return c;
  }
  if (typeof err === "object" && err !== null && "details" in err) {
    const d = (err as { details?: { errorCode?: unknown } }).details;
    if (d && typeof d.errorCode === "string") return d.errorCode;
  }
  return undefined;
}
