import type { Kek } from "../../core/kek";
import { decodeIndexLine, encodeIndexLine, type IndexEntry } from "../../format/container-index";
import { paths, type ContainerSegment } from "../../format/manifest";
import type { BackupStore, Retention } from "../ports/BackupStore";
import type { BlobSource } from "../ports/BlobSource";
import type { KeyProvider } from "../ports/KeyProvider";
import { ProgressMeter, type ProgressSink } from "../progress";
import { ChunkedWriter } from "../repo/chunked-writer";
import { readLines } from "../repo/files";
import { copyBlob, entryOf, type CopyOutcome } from "./copy-blob";
import { BLOCK_BYTES } from "./content-store";
import { settle } from "../repo/files";
import type { SourceBlob } from "../ports/BlobSource";

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
  /** How long this point's files and the content it references must be kept (WORM). */
  retention?: Retention;
  progress: ProgressSink;
}

/** Small files copied at once. */
const FILES_IN_FLIGHT = 8;

/** The index of a container at a point, as a map by path. Throws what reading throws. */
export async function readIndex(repo: BackupStore, keys: KeyProvider, seg: ContainerSegment): Promise<Map<string, IndexEntry>> {
  const out = new Map<string, IndexEntry>();
  for (const f of seg.index) for (const line of await readLines(repo, keys, f)) {
    const e = decodeIndexLine(line);
    out.set(e.path, e);
  }
  return out;
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
  const index = new ChunkedWriter(repo, kek, (n) => paths.indexFile(pointId, container, n), input.chunkEntries, 3, input.retention);
  const skipped: ContainerSegment["skipped"] = [];
  const seen = new Set<string>();
  const meter = new ProgressMeter(input.progress, input.previous ? "changed files" : "files", container, { unit: "files" });
  let files = 0;
  let bytes = 0;
  let read = 0;
  let readBytes = 0;
  let written = 0;

  // Small files are copied a few at a time (each is a few round trips); the index is
  // still written in listing order. A large file goes alone: memory stays a few blocks.
  const window: { listed: SourceBlob; copied: boolean; outcome: Promise<CopyOutcome> }[] = [];
  const settleOne = async (): Promise<void> => {
    const { listed, copied, outcome } = window.shift()!;
    const r = await outcome;
    if (r.kind === "skipped") skipped.push({ path: listed.path, reason: r.reason });
    if (r.kind !== "stored") return;
    if (copied) {
      written += r.written;
      read++;
      readBytes += r.entry.size;
      meter.add(1, r.entry.size);
    }
    await index.add(encodeIndexLine(r.entry));
    files++;
    bytes += r.entry.size;
  };
  for await (const listed of blobs.list(container)) {
    seen.add(listed.path);
    const prev = previous.get(listed.path);
    if (prev && prev.etag === listed.etag && prev.lastModified === listed.lastModified) {
      window.push({ listed, copied: false, outcome: Promise.resolve({ kind: "stored", entry: entryOf(listed, prev), written: 0 }) });
    } else if (listed.size >= BLOCK_BYTES) {
      while (window.length > 0) await settleOne();
      window.push({ listed, copied: true, outcome: copyBlob(blobs, repo, kek, container, listed, undefined, input.retention) });
      await settleOne();
      continue;
    } else {
      window.push({ listed, copied: true, outcome: settle(copyBlob(blobs, repo, kek, container, listed, undefined, input.retention)) });
    }
    if (window.length >= FILES_IN_FLIGHT) await settleOne();
  }
  while (window.length > 0) await settleOne();
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
