import { ensureErrorType, NotFoundError } from "../../core/errors";
import type { Kek } from "../../core/kek";
import type { IndexEntry } from "../../format/container-index";
import type { BackupStore, Retention } from "../ports/BackupStore";
import { BlobChangedError, type BlobSource, type SourceBlob } from "../ports/BlobSource";
import { storeContent } from "./content-store";

/** How often a blob that keeps changing while it is read is tried before it is skipped. */
export const READ_ATTEMPTS = 3;

/** How copying one blob ended: stored (with its index entry), gone meanwhile, or skipped with why. */
export type CopyOutcome =
  | { kind: "stored"; entry: IndexEntry; written: number; content?: Buffer }
  | { kind: "gone" }
  | { kind: "skipped"; reason: string };

/** The index entry of a listed blob whose content is stored (`content`); properties, tags and tier from the listing. */
export function entryOf(b: SourceBlob, content: Pick<IndexEntry, "size" | "sha256" | "blocks">): IndexEntry {
  const { path, etag, lastModified, metadata, tags, size: _listed, ...headers } = b;
  void _listed;
  return { path, etag, lastModified, ...content, ...headers, metadata, tags };
}

/**
 * Copies one blob version into content objects (If-Match on its ETag, so a torn read is
 * impossible). One that changes while read is listed again and read again, up to
 * READ_ATTEMPTS times, then skipped with its reason; one deleted meanwhile is "gone".
 * With `keep` true for the blob, its whole content is returned as well (for a parse
 * check: only for small files). Throws what the store or the source throws otherwise.
 */
export async function copyBlob(
  blobs: BlobSource,
  repo: BackupStore,
  kek: Kek,
  container: string,
  listed: SourceBlob,
  keep: (b: SourceBlob) => boolean = () => false,
  retention?: Retention,
): Promise<CopyOutcome> {
  let b: SourceBlob | null = listed;
  for (let attempt = 1; b; attempt++) {
    const pieces: Buffer[] | undefined = keep(b) ? [] : undefined;
    const source = blobs.read(container, b.path, b.etag);
    const teed = pieces
      ? (async function* () {
          for await (const p of source) {
            pieces.push(p);
            yield p;
          }
        })()
      : source;
    try {
      const stored = await storeContent(repo, kek, teed, retention);
      return { kind: "stored", entry: entryOf(b, stored), written: stored.written, ...(pieces ? { content: Buffer.concat(pieces) } : {}) };
    } catch (err) {
      if (err instanceof NotFoundError) return { kind: "gone" };
      if (!(err instanceof BlobChangedError)) throw err;
      if (attempt >= READ_ATTEMPTS) return { kind: "skipped", reason: `changed while being read, ${READ_ATTEMPTS} times (${ensureErrorType(err).message})` };
      b = await blobs.properties(container, b.path);
    }
  }
  return { kind: "gone" };
}
