import type { TableStore, TableWrite } from "./ports/TableStore";

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
 * writes across partitions: past that, the fullest partitions are flushed first.
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
    while (this.#buffered > this.maxBuffered) {
      let fullest: [string, Pending] | undefined;
      for (const e of this.#partitions) if (!fullest || e[1].writes.length > fullest[1].writes.length) fullest = e;
      if (!fullest) break;
      await this.#submit(fullest[0], fullest[1]);
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
