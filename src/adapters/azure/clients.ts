import { TableServiceClient, TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { BlobServiceClient, type StoragePipelineOptions } from "@azure/storage-blob";
import { QueueServiceClient, type StoragePipelineOptions as QueuePipelineOptions } from "@azure/storage-queue";
import type { TokenCredential } from "@azure/core-auth";
import type { StorageConnection } from "../../config";
import type { QueueConnection } from "../../config/jobs";
import { LifeboatError } from "../../core/errors";

/**
 * How a client retries throttling (429/503), timeouts and network errors: "standard",
 * with exponential back-off up to 30 s (about a minute in all); "quick", once (a check
 * that must answer fast); "none", for a caller that retries itself.
 */
export type Retries = "standard" | "quick" | "none" | { maxRetries: number };

const RETRY_MODES = {
  standard: { maxRetries: 8, retryDelayInMs: 250, maxRetryDelayInMs: 30_000 },
  quick: { maxRetries: 1, retryDelayInMs: 250, maxRetryDelayInMs: 1_000 },
  none: { maxRetries: 0, retryDelayInMs: 250, maxRetryDelayInMs: 1_000 },
} as const;

/** The retry options of a mode; a count is "standard" with that many retries (LIFEBOAT_STORAGE_RETRIES). */
export function retryOptions(r: Retries): { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number } {
  return typeof r === "string" ? RETRY_MODES[r] : { ...RETRY_MODES.standard, maxRetries: r.maxRetries };
}

function isHttpOnly(connectionString: string): boolean {
  return /Endpoint=http:\/\//i.test(connectionString) || /UseDevelopmentStorage=true/i.test(connectionString);
}

/** A TableServiceClient for a connection (connection string, or URI + managed identity). */
export function tableServiceClient(conn: StorageConnection, credential: () => TokenCredential, what: string, retries: Retries = "standard"): TableServiceClient {
  const options: TableServiceClientOptions = { retryOptions: retryOptions(retries) };
  if (conn.kind === "connectionString") {
    if (isHttpOnly(conn.connectionString.reveal())) options.allowInsecureConnection = true;
    return TableServiceClient.fromConnectionString(conn.connectionString.reveal(), options);
  }
  if (!conn.tableServiceUri) {
    throw new LifeboatError("CONFIG.MISSING", `${what}: no table service URI configured (${what}__tableServiceUri)`);
  }
  return new TableServiceClient(conn.tableServiceUri, credential(), options);
}

/** A TableClient for one table of a connection. */
export function tableClient(conn: StorageConnection, credential: () => TokenCredential, table: string, what: string, retries: Retries = "standard"): TableClient {
  const options: TableServiceClientOptions = { retryOptions: retryOptions(retries) };
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
export function blobServiceClient(conn: StorageConnection, credential: () => TokenCredential, what: string, retries: Retries = "standard"): BlobServiceClient {
  const r = retryOptions(retries);
  const options: StoragePipelineOptions = {
    retryOptions: { maxTries: r.maxRetries + 1, retryDelayInMs: r.retryDelayInMs, maxRetryDelayInMs: r.maxRetryDelayInMs },
  };
  if (conn.kind === "connectionString") return BlobServiceClient.fromConnectionString(conn.connectionString.reveal(), options);
  if (!conn.blobServiceUri) {
    throw new LifeboatError("CONFIG.MISSING", `${what}: no blob service URI configured (${what}__blobServiceUri)`);
  }
  return new BlobServiceClient(conn.blobServiceUri, credential(), options);
}

/** A QueueServiceClient for the jobs queue's account. */
export function queueServiceClient(conn: QueueConnection, credential: () => TokenCredential, retries: Retries = "standard"): QueueServiceClient {
  const r = retryOptions(retries);
  const options: QueuePipelineOptions = { retryOptions: { maxTries: r.maxRetries + 1, retryDelayInMs: r.retryDelayInMs, maxRetryDelayInMs: r.maxRetryDelayInMs } };
  if (conn.kind === "connectionString") return QueueServiceClient.fromConnectionString(conn.connectionString.reveal(), options);
  return new QueueServiceClient(conn.queueServiceUri, credential(), options);
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
