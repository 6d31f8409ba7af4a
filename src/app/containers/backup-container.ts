import { ensureErrorType, NotFoundError } from "../../core/errors";
import type { Kek } from "../../core/kek";
import { decodeIndexLine, encodeIndexLine, type IndexEntry } from "../../format/container-index";
import { paths, type ContainerSegment } from "../../format/manifest";
import type { BackupStore } from "../ports/BackupStore";
import { BlobChangedError, type BlobSource, type SourceBlob } from "../ports/BlobSource";
import type { KeyProvider } from "../ports/KeyProvider";
import { ProgressMeter, type ProgressSink } from "../progress";
import { ChunkedWriter } from "../repo/chunked-writer";
import { readLines } from "../repo/files";
import { storeContent } from "./content-store";

/** How often a blob that keeps changing while it is read is tried before it is skipped. */
const READ_ATTEMPTS = 3;

export interface ContainerBackupInput {
  blobs: BlobSource;
  repo: BackupStore;
  keys: KeyProvider;
  kek: Kek;
  pointId: string;
  container: string;
  /** The container's segment in the parent point: unchanged blobs reuse its content. */
  previous: ContainerSegment | undefined;
  /** Index lines per index file. */
  chunkEntries: number;
  progress: ProgressSink;
}

/** The index of a container at a point, as a map by path. Throws what reading throws. */
export async function readIndex(repo: BackupStore, keys: KeyProvider, seg: ContainerSegment): Promise<Map<string, IndexEntry>> {
  const out = new Map<string, IndexEntry>();
  for (const f of seg.index) for (const line of await readLines(repo, keys, f)) {
    const e = decodeIndexLine(line);
    out.set(e.path, e);
  }
  return out;
}

/** The entry for a blob whose content is already stored (`content`), with the listing's current properties. */
function entryOf(b: SourceBlob, content: Pick<IndexEntry, "size" | "sha256" | "blocks">): IndexEntry {
  const { path, etag, lastModified, metadata, tags, ...props } = b;
  const { size: _listed, ...headers } = props;
  void _listed;
  return { path, etag, lastModified, ...content, ...headers, metadata, tags };
}

/**
 * Backs up one container into the point: lists every blob; a blob whose ETag and
 * Last-Modified match the parent's index keeps its content objects (properties, tags and
 * tier, which can change without a new ETag, come from the listing), any other is read
 * (that exact version: If-Match) into content-addressed objects. A blob that changes
 * while read is listed again and read again, up to three times, then skipped with its
 * reason; one deleted meanwhile is left out (it was deleted during the backup). The
 * point's index lists the whole container, so deletions are what it lacks.
 * Throws NotFoundError (CONTAINER.NOT_FOUND) for a missing container.
 */
export async function backupContainer(input: ContainerBackupInput): Promise<{ segment: ContainerSegment; written: number }> {
  const { blobs, repo, keys, kek, pointId, container } = input;
  const previous = input.previous ? await readIndex(repo, keys, input.previous) : new Map<string, IndexEntry>();
  const index = new ChunkedWriter(repo, kek, (n) => paths.indexFile(pointId, container, n), input.chunkEntries);
  const skipped: ContainerSegment["skipped"] = [];
  const seen = new Set<string>();
  const meter = new ProgressMeter(input.progress, input.previous ? "changed files" : "files", container);
  let files = 0;
  let bytes = 0;
  let read = 0;
  let readBytes = 0;
  let written = 0;

  for await (const listed of blobs.list(container)) {
    seen.add(listed.path);
    const prev = previous.get(listed.path);
    let entry: IndexEntry | undefined;
    if (prev && prev.etag === listed.etag && prev.lastModified === listed.lastModified) {
      entry = entryOf(listed, prev);
    } else {
      let b: SourceBlob | null = listed;
      for (let attempt = 1; b && !entry; attempt++) {
        try {
          const stored = await storeContent(repo, kek, blobs.read(container, b.path, b.etag));
          entry = entryOf(b, stored);
          written += stored.written;
          read++;
          readBytes += stored.size;
          meter.add(1, stored.size);
        } catch (err) {
          if (err instanceof NotFoundError) b = null; // deleted during the backup: a state it had
          else if (!(err instanceof BlobChangedError)) throw err;
          else if (attempt >= READ_ATTEMPTS) {
            skipped.push({ path: b.path, reason: `changed while being read, ${READ_ATTEMPTS} times (${ensureErrorType(err).message})` });
            b = null;
          } else b = await blobs.properties(container, b.path);
        }
      }
    }
    if (!entry) continue;
    await index.add(encodeIndexLine(entry));
    files++;
    bytes += entry.size;
  }
  meter.done();
  let removed = 0;
  for (const p of previous.keys()) if (!seen.has(p)) removed++;
  const segment: ContainerSegment = {
    mode: input.previous ? "incremental" : "full",
    files,
    bytes,
    read,
    readBytes,
    removed,
    index: await index.close(),
    skipped,
  };
  return { segment, written };
}
