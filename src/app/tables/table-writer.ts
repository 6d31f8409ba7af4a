import type { TableStore, TableWrite } from "../ports/TableStore";

const MAX_BATCH = 100;
/** The service limit is 4 MiB per transaction; leave room for the multipart envelope. */
const MAX_BATCH_BYTES = 3.5 * 1024 * 1024;

interface Pending {
  writes: TableWrite[];
  bytes: number;
}

/**
 * Groups writes into entity-group transactions (one partition, ≤100 writes, <4 MiB)
 * and submits up to `concurrency` of them at once. Buffers at most `maxBuffered`
 * writes across partitions: past that, the fullest partitions are submitted until half
 * the room is free again.
 */
export class TableWriter {
  readonly #partitions = new Map<string, Pending>();
  readonly #inFlight = new Set<Promise<void>>();
  #buffered = 0;
  #failure: unknown;
  written = 0;

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
    const job = this.store
      .submitBatch(this.table, p.writes)
      .then(() => {
        this.written += p.writes.length;
      })
      .catch((err: unknown) => {
        this.#failure ??= err;
      });
    this.#inFlight.add(job);
    void job.finally(() => this.#inFlight.delete(job));
  }
}
