import { BatchRejectedError, TransientWriteError, type ScanOptions, type TableStore, type TableWrite } from "../app/ports/TableStore";
import type { EntityKey, EntityRecord } from "../core/entity/record";

/** How RetryingTableStore retries a write that may pass. */
export interface WriteRetryPolicy {
  /** Retries of throttling (429), busy (503), timeouts and dropped connections. */
  maxRetries: number;
  /** Retries of a server error (500): the service answered, so the transaction itself may be what it cannot take. */
  serverErrorRetries: number;
  /** First back-off; doubled each retry (with jitter), up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Eight retries over about a minute, as the SDK's own policy; two for a server error. */
export const DEFAULT_WRITE_RETRY: WriteRetryPolicy = { maxRetries: 8, serverErrorRetries: 2, baseDelayMs: 250, maxDelayMs: 30_000 };

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A TableStore whose `submitBatch` retries TransientWriteError with exponential back-off
 * and jitter, and never retries BatchRejectedError (the same writes would be refused
 * again). A multi-write batch that keeps failing with a server error (500) after its
 * retries is handed back as a BatchRejectedError that is not definite, so the writer
 * splits it (Azurite answers 500 to any transaction holding U+2028, and writes that entity
 * alone); a single write that does so throws the TransientWriteError: the service is
 * failing, not the entity. Everything else passes through to `inner`.
 */
export class RetryingTableStore implements TableStore {
  constructor(
    private readonly inner: TableStore,
    private readonly policy: WriteRetryPolicy = DEFAULT_WRITE_RETRY,
  ) {}

  listTables(): Promise<string[]> {
    return this.inner.listTables();
  }
  tableExists(table: string): Promise<boolean> {
    return this.inner.tableExists(table);
  }
  createTable(table: string): Promise<void> {
    return this.inner.createTable(table);
  }
  deleteTable(table: string): Promise<void> {
    return this.inner.deleteTable(table);
  }
  scan(table: string, options?: ScanOptions): AsyncIterable<EntityRecord[]> {
    return this.inner.scan(table, options);
  }
  read(table: string, key: EntityKey): Promise<EntityRecord | null> {
    return this.inner.read(table, key);
  }

  async submitBatch(table: string, writes: TableWrite[]): Promise<void> {
    const sleep = this.policy.sleep ?? realSleep;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.inner.submitBatch(table, writes);
        return;
      } catch (err) {
        if (!(err instanceof TransientWriteError)) throw err;
        const serverError = err.status === 500;
        if (attempt >= (serverError ? this.policy.serverErrorRetries : this.policy.maxRetries)) {
          if (serverError && writes.length > 1) {
            throw new BatchRejectedError(500, undefined, `the service failed this transaction ${attempt + 1} times with a server error`, false, undefined, { cause: err });
          }
          throw err;
        }
        const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** attempt);
        await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
      }
    }
  }
}
