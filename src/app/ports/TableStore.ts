import type { EntityKey, EntityRecord } from "../../core/entity/record";
import { LifeboatError } from "../../core/errors";

/** One write in an entity-group transaction: all of a batch share one partition key. */
export type TableWrite =
  | { kind: "upsert"; record: EntityRecord }
  | { kind: "delete"; key: EntityKey };

export interface ScanOptions {
  /** Only entities whose Timestamp is at or after this ISO-8601 instant. */
  since?: string;
  /** Only PartitionKey, RowKey and Timestamp (the props of returned records are empty). */
  keysOnly?: boolean;
  /** Entities per service page (max 1000). */
  pageSize?: number;
  /** Only partitions in [from, before) (either end open when absent): one of several ranges read at once. */
  partitions?: { from?: string; before?: string };
  /** Called once with the service's clock at the first page (its Date header), when the service sends one. */
  onServiceTime?: (serviceTime: Date) => void;
}

/**
 * The service refused a transaction for its content (400, 409, 413): sending the same
 * writes again will fail again. `index` is the write the service blamed, when it said
 * (its position in the batch). `definite` is false for a batch that kept failing with a
 * server error (500) although the service answered: possibly its content, possibly the
 * service; a single write that fails so is the service's fault, not the entity's.
 * `reason` is the service's message: never entity values.
 */
export class BatchRejectedError extends LifeboatError {
  override readonly name = "BatchRejectedError";
  constructor(
    readonly status: number,
    readonly serviceCode: string | undefined,
    readonly reason: string,
    readonly definite: boolean,
    readonly index?: number,
    options?: { cause?: unknown },
  ) {
    super("TABLE.WRITE_REJECTED", `the table service rejected the write: ${status}${serviceCode ? ` ${serviceCode}` : ""}: ${reason}`, options);
  }
}

/**
 * A write failed for a reason that may pass (throttled 429, busy 503, a timeout, the
 * connection dropped, a server error): the same request may succeed later. `status` is
 * the HTTP status, when there was a response.
 */
export class TransientWriteError extends LifeboatError {
  override readonly name = "TransientWriteError";
  constructor(readonly status: number | undefined, message: string, options?: { cause?: unknown }) {
    super("TABLE.UNAVAILABLE", message, options);
  }
}

/**
 * Azure Table Storage as Lifeboat sees it: exact records in, exact records out.
 * Errors: a missing table throws NotFoundError (code TABLE.NOT_FOUND). `submitBatch`
 * throws BatchRejectedError when the service refuses the writes themselves, and
 * TransientWriteError for throttling, timeouts and server errors (the Azure adapter is
 * wrapped in a retrying store, so those surface only once its retries are exhausted);
 * reads and scans retry inside the adapter.
 */
export interface TableStore {
  /** Every table name in the account, sorted. */
  listTables(): Promise<string[]>;
  /** True when the table exists. */
  tableExists(table: string): Promise<boolean>;
  /** Creates the table; does nothing when it exists. */
  createTable(table: string): Promise<void>;
  /** Deletes the table; does nothing when it is missing. */
  deleteTable(table: string): Promise<void>;
  /**
   * Streams the table page by page in the service's order (PartitionKey, RowKey).
   * Throws NotFoundError when the table is missing.
   */
  scan(table: string, options?: ScanOptions): AsyncIterable<EntityRecord[]>;
  /**
   * The entity's current state (a point read), or null when it does not exist.
   * Throws NotFoundError (TABLE.NOT_FOUND) when the table is missing.
   */
  read(table: string, key: EntityKey): Promise<EntityRecord | null>;
  /**
   * Applies up to 100 writes of one partition atomically (< 4 MiB in total).
   * Upserts replace the whole entity; deleting a missing entity is not an error.
   * Throws BatchRejectedError or TransientWriteError (above); nothing is written then.
   */
  submitBatch(table: string, writes: TableWrite[]): Promise<void>;
}
