import { parse } from "csv-parse/sync";
import type { BackupStore, Retention } from "../ports/BackupStore";
import type { Kek, KeyProvider } from "../ports/KeyProvider";
import { sha256Hex } from "../../core/hash";
import type { EntityRecord } from "../../core/entity/record";
import { IntegrityError } from "../../core/errors";
import { entitySize } from "../../core/csv/entity-size";
import { openCsv, sealCsv } from "../../format/chunk";
import type { FileRef } from "../../format/manifest";
import { typedCsv } from "./csv-writer";
import { BoundedUploads } from "../repo/bounded-uploads";

/** A file is cut at this many bytes of entities (the service's size rule), whatever `perFile` says: big entities must not multiply memory. */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/**
 * Writes a table's typed-CSV copy while a full backup scans it: records are collected into
 * files of at most `perFile` rows (and about 32 MiB), each a complete typed CSV (its own header, from its own
 * rows' property names), gzipped and sealed like every other repository file, and written
 * as soon as it is full with at most `inFlight` uploads pending. Memory is bounded by
 * perFile records plus inFlight files (as bytes, then sealed).
 */
export class CsvBackupWriter {
  #records: EntityRecord[] = [];
  #bytes = 0;
  #seq = 0;
  readonly #uploads: BoundedUploads;
  readonly files: FileRef[] = [];

  constructor(
    private readonly repo: BackupStore,
    private readonly kek: Kek,
    private readonly pathFor: (seq: number) => string,
    private readonly perFile: number,
    private readonly retention?: Retention,
    inFlight = 2,
  ) {
    this.#uploads = new BoundedUploads(inFlight);
  }

  /**
   * Adds one entity. Returns a promise only when the entity completed a file (wait for it:
   * it waits while too many files are still uploading, and throws the first failed upload).
   */
  add(r: EntityRecord): Promise<void> | undefined {
    this.#records.push(r);
    this.#bytes += entitySize(r);
    return this.#records.length >= this.perFile || this.#bytes >= MAX_FILE_BYTES ? this.#flush() : undefined;
  }

  /** Writes what is left and waits for every upload; returns the files in order. */
  async close(): Promise<FileRef[]> {
    if (this.#records.length > 0) await this.#flush();
    await this.#uploads.settle();
    return this.files.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  async #flush(): Promise<void> {
    this.#uploads.throwIfFailed();
    const path = this.pathFor(this.#seq++);
    // The rows as bytes now, off the JavaScript heap, rather than the records while the upload waits
    // (the closure below must not refer to them); dropped once sealed, so that only the sealed
    // file is kept while it uploads.
    const rows = this.#records.length;
    const held = { csv: Buffer.from(typedCsv(this.#records), "utf8") };
    this.#records = [];
    this.#bytes = 0;
    await this.#uploads.add(async () => {
      const sealed = await sealCsv(held.csv, this.kek);
      held.csv = Buffer.alloc(0);
      await this.repo.put(path, sealed, { ifNoneMatch: true, ...(this.retention ? { retention: this.retention } : {}) });
      this.files.push({ path, sha256: sha256Hex(sealed), bytes: sealed.length, records: rows });
    });
  }
}

/**
 * Opens one CSV copy and checks it against its manifest reference: size, SHA-256,
 * authentication, and its row count. Returns the CSV text. Throws IntegrityError on any mismatch.
 */
export async function openCsvCopy(bytes: Buffer, keys: KeyProvider, f: FileRef): Promise<string> {
  if (bytes.length !== f.bytes || sha256Hex(bytes) !== f.sha256) throw new IntegrityError(`${f.path}: content does not match the manifest's SHA-256 (corrupted or replaced)`, { path: f.path });
  const text = await openCsv(bytes, (id) => keys.byId(id));
  let rows: number;
  try {
    rows = (parse(text, { record_delimiter: ["\r\n", "\n"] }) as unknown[]).length - 1;
  } catch (err) {
    throw new IntegrityError(`${f.path}: not a readable CSV (${err instanceof Error ? err.message : String(err)})`, { path: f.path });
  }
  if (rows !== f.records) throw new IntegrityError(`${f.path}: ${rows} rows, manifest says ${f.records}`, { path: f.path });
  return text;
}
