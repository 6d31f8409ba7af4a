import type { BackupStore, Retention } from "../ports/BackupStore";
import type { Kek } from "../ports/KeyProvider";
import { sha256Hex } from "../../core/hash";
import { ndjsonBytes, sealNdjson } from "../../format/chunk";
import type { FileRef } from "../../format/manifest";
import { BoundedUploads } from "./bounded-uploads";

/**
 * Lines are turned into bytes this many at a time. A file's lines would otherwise live as
 * strings until the file is full, long enough to be copied into the old generation and
 * collected there, which cost a full backup more than the encoding itself.
 */
const BLOCK_LINES = 500;

/**
 * Collects NDJSON lines into encrypted files of at most `perFile` lines and writes
 * each as soon as it is full, keeping at most `inFlight` uploads pending. Memory is
 * bounded by perFile × inFlight lines, whatever the table size.
 */
export class ChunkedWriter {
  #lines: string[] = [];
  /** The current file's lines so far, as NDJSON bytes (off the JavaScript heap). */
  #blocks: Buffer[] = [];
  #count = 0;
  /** The PartitionKey of the current file's first line, when the caller gives keys. */
  #firstPk: string | undefined;
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

  /**
   * Adds one line. Returns a promise only when the line completed a file (wait for it: it
   * settles once the file is queued for upload, later while too many are still uploading);
   * otherwise nothing, so a caller adding millions of lines need not await each one. `pk`,
   * for lines in key order, is the line's PartitionKey: the manifest records each file's
   * first one, so that a later scan can split the table into ranges without reading the file.
   */
  add(line: string, pk?: string): Promise<void> | undefined {
    if (this.#count === 0 && this.#lines.length === 0) this.#firstPk = pk;
    this.#lines.push(line);
    if (this.#lines.length >= BLOCK_LINES || this.#count + this.#lines.length >= this.perFile) this.#block();
    return this.#count >= this.perFile ? this.#flush() : undefined;
  }

  #block(): void {
    this.#blocks.push(ndjsonBytes(this.#lines));
    this.#count += this.#lines.length;
    this.#lines = [];
  }

  /** Writes what is left and waits for every upload; returns the files in order. */
  async close(): Promise<FileRef[]> {
    if (this.#lines.length > 0) this.#block();
    if (this.#count > 0) await this.#flush();
    await this.#uploads.settle();
    this.files.sort((a, b) => (a.path < b.path ? -1 : 1));
    return this.files;
  }

  async #flush(): Promise<void> {
    this.#uploads.throwIfFailed();
    // Handed over in a holder that is emptied once sealed: the plain bytes are not kept while the upload runs.
    const held = { blocks: this.#blocks };
    const count = this.#count;
    const firstPk = this.#firstPk;
    this.#blocks = [];
    this.#count = 0;
    const path = this.pathFor(this.#seq++);
    await this.#uploads.add(async () => {
      const sealed = await sealNdjson(held.blocks, this.kek);
      held.blocks = [];
      await this.repo.put(path, sealed, { ifNoneMatch: true, ...(this.retention ? { retention: this.retention } : {}) });
      this.files.push({ path, sha256: sha256Hex(sealed), bytes: sealed.length, records: count, ...(firstPk !== undefined ? { firstPk } : {}) });
      this.bytes += sealed.length;
      this.records += count;
    });
  }
}
