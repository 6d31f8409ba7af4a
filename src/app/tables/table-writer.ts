import { BatchRejectedError, type TableStore, type TableWrite } from "../ports/TableStore";

const MAX_BATCH = 100;
/** The service limit is 4 MiB per transaction; leave room for the multipart envelope. */
const MAX_BATCH_BYTES = 3.5 * 1024 * 1024;

interface Pending {
  writes: TableWrite[];
  bytes: number;
}

/** A write the service refused for good, with what it said (never the entity's values). */
export interface RejectedWrite {
  write: TableWrite;
  status: number;
  serviceCode?: string;
  /** The property the service named, when it named one. */
  property?: string;
  reason: string;
}

/** The key a write is for. */
export function keyOfWrite(w: TableWrite): { pk: string; rk: string } {
  return w.kind === "upsert" ? { pk: w.record.pk, rk: w.record.rk } : w.key;
}

/**
 * Groups writes into entity-group transactions (one partition, ≤100 writes, <4 MiB)
 * and submits up to `concurrency` of them at once. Buffers at most `maxBuffered`
 * writes across partitions: past that, the fullest partitions are submitted until half
 * the room is free again.
 *
 * A transaction the service refuses for its content (BatchRejectedError) is not sent
 * again as it was: it is split, at the write the service blamed when it named one, else
 * in halves, down to single writes, so everything else is written and each write the
 * service refuses on its own lands in `rejected`. Any other failure stops the writer:
 * `flush` throws it.
 */
export class TableWriter {
  readonly #partitions = new Map<string, Pending>();
  readonly #inFlight = new Set<Promise<void>>();
  #buffered = 0;
  #failure: unknown;
  written = 0;
  /** Transactions sent, splits included. */
  requests = 0;
  /** Writes the service refused on their own, in the order they were found. */
  readonly rejected: RejectedWrite[] = [];

  constructor(
    private readonly store: TableStore,
    private readonly table: string,
    private readonly concurrency: number,
    private readonly maxBuffered = 5000,
  ) {}

  /** Queues one write; `bytes` is its approximate serialized size. */
  async add(pk: string, write: TableWrite, bytes: number): Promise<void> {
    let p = this.#partitions.get(pk);
    if (p && (p.writes.length >= MAX_BATCH || p.bytes + bytes > MAX_BATCH_BYTES)) {
      await this.#submit(pk, p);
      p = undefined;
    }
    if (!p) {
      p = { writes: [], bytes: 0 };
      this.#partitions.set(pk, p);
    }
    p.writes.push(write);
    p.bytes += bytes;
    this.#buffered++;
    if (p.writes.length >= MAX_BATCH) await this.#submit(pk, p);
    if (this.#buffered > this.maxBuffered) await this.#drain();
  }

  /**
   * Over the cap: submits the fullest partitions until the buffer is down to half of it.
   * Draining only back to the cap would, with many partial partitions buffered (a restore's
   * incremental changes, a few keys in each of thousands of partitions), submit one tiny
   * transaction per write that follows: at 1M entities it sent 91,000 transactions for 11,000 batches.
   */
  async #drain(): Promise<void> {
    const bySize = [...this.#partitions].sort((a, b) => b[1].writes.length - a[1].writes.length);
    for (const [pk, p] of bySize) {
      if (this.#buffered <= this.maxBuffered / 2) break;
      if (this.#partitions.get(pk) === p) await this.#submit(pk, p);
    }
  }

  /** Submits everything buffered and waits for all transactions. Throws the first failure. */
  async flush(): Promise<void> {
    for (const [pk, p] of [...this.#partitions]) await this.#submit(pk, p);
    await Promise.all(this.#inFlight);
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #submit(pk: string, p: Pending): Promise<void> {
    this.#partitions.delete(pk);
    this.#buffered -= p.writes.length;
    if (this.#failure !== undefined) throw this.#failure;
    while (this.#inFlight.size >= this.concurrency) await Promise.race(this.#inFlight);
    const job = this.#write(p.writes).catch((err: unknown) => {
      this.#failure ??= err;
    });
    this.#inFlight.add(job);
    void job.finally(() => this.#inFlight.delete(job));
  }

  /** Sends one transaction; when the service refuses its content, the parts it splits into. */
  async #write(writes: TableWrite[]): Promise<void> {
    this.requests++;
    try {
      await this.store.submitBatch(this.table, writes);
      this.written += writes.length;
      return;
    } catch (err) {
      if (!(err instanceof BatchRejectedError)) throw err;
      if (writes.length === 1) {
        if (!err.definite) throw err;
        const property = /propert(?:y|ies)(?: name)? '([^']{1,255})'/i.exec(err.reason)?.[1];
        this.rejected.push({ write: writes[0]!, status: err.status, ...(err.serviceCode ? { serviceCode: err.serviceCode } : {}), ...(property ? { property } : {}), reason: err.reason });
        return;
      }
      const i = err.index;
      const parts =
        i !== undefined && Number.isInteger(i) && i >= 0 && i < writes.length
          ? [[writes[i]!], [...writes.slice(0, i), ...writes.slice(i + 1)]]
          : [writes.slice(0, writes.length >> 1), writes.slice(writes.length >> 1)];
      for (const part of parts) if (part.length > 0) await this.#write(part);
    }
  }
}
