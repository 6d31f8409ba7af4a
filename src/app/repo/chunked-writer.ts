import type { BackupStore, Retention } from "../ports/BackupStore";
import type { Kek } from "../ports/KeyProvider";
import { sha256Hex } from "../../core/hash";
import { sealLines } from "../../format/chunk";
import type { FileRef } from "../../format/manifest";
import { BoundedUploads } from "./bounded-uploads";

/**
 * Collects NDJSON lines into encrypted files of at most `perFile` lines and writes
 * each as soon as it is full, keeping at most `inFlight` uploads pending. Memory is
 * bounded by perFile × inFlight lines, whatever the table size.
 */
export class ChunkedWriter {
  #lines: string[] = [];
  #seq = 0;
  readonly #uploads: BoundedUploads;
  readonly files: FileRef[] = [];
  bytes = 0;
  records = 0;

  constructor(
    private readonly repo: BackupStore,
    private readonly kek: Kek,
    private readonly pathFor: (seq: number) => string,
    private readonly perFile: number,
    inFlight = 3,
    /** How long the files must be kept, and their tier (WORM; see BackupStore.put). */
    private readonly retention?: Retention,
  ) {
    this.#uploads = new BoundedUploads(inFlight);
  }

  /** Adds one line; waits when too many files are still uploading. */
  async add(line: string): Promise<void> {
    this.#lines.push(line);
    if (this.#lines.length >= this.perFile) await this.#flush();
  }

  /** Writes what is left and waits for every upload; returns the files in order. */
  async close(): Promise<FileRef[]> {
    if (this.#lines.length > 0) await this.#flush();
    await this.#uploads.settle();
    this.files.sort((a, b) => (a.path < b.path ? -1 : 1));
    return this.files;
  }

  async #flush(): Promise<void> {
    this.#uploads.throwIfFailed();
    const lines = this.#lines;
    this.#lines = [];
    const path = this.pathFor(this.#seq++);
    await this.#uploads.add(async () => {
      const sealed = await sealLines(lines, this.kek);
      await this.repo.put(path, sealed, { ifNoneMatch: true, ...(this.retention ? { retention: this.retention } : {}) });
      this.files.push({ path, sha256: sha256Hex(sealed), bytes: sealed.length, records: lines.length });
      this.bytes += sealed.length;
      this.records += lines.length;
    });
  }
}
