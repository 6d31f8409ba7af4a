/**
 * Uploads running in the background, at most `inFlight` at once: `add` waits while that
 * many are pending. The first failure is kept and thrown by the next `add` or by `settle`,
 * so a writer never goes on past a file that was not written.
 */
export class BoundedUploads {
  readonly #pending = new Set<Promise<void>>();
  #failure: unknown;

  constructor(private readonly inFlight: number) {}

  /** Starts one upload; resolves once fewer than `inFlight` are pending. Throws an earlier upload's failure. */
  async add(upload: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    const job = upload().catch((err: unknown) => {
      this.#failure ??= err;
    });
    this.#pending.add(job);
    void job.finally(() => this.#pending.delete(job));
    while (this.#pending.size >= this.inFlight) await Promise.race(this.#pending);
    this.throwIfFailed();
  }

  /** Waits for every upload; throws the first failure. */
  async settle(): Promise<void> {
    await Promise.all(this.#pending);
    this.throwIfFailed();
  }

  throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
