import { createHash } from "node:crypto";
import { IntegrityError } from "../../core/errors";
import type { IndexEntry } from "../../format/container-index";
import type { BackupStore } from "../ports/BackupStore";
import type { BlobProperties, BlobSource } from "../ports/BlobSource";
import type { KeyProvider } from "../ports/KeyProvider";
import { ProgressMeter, type ProgressSink } from "../progress";
import { readContent } from "./content-store";

export interface ContainerRestoreInput {
  blobs: BlobSource;
  repo: BackupStore;
  keys: KeyProvider;
  container: string;
  target: string;
  /** What the container held: a point's index (readIndex) or a config export's files. */
  entries: () => Promise<ReadonlyMap<string, IndexEntry>>;
  /** Their content size, for progress. */
  bytes: number;
  progress: ProgressSink;
}

export interface ContainerRestoreResult {
  container: string;
  target: string;
  files: number;
  bytes: number;
  /** Blobs the target held that the point does not (removed). */
  deleted: number;
}

function propsOf(e: IndexEntry): BlobProperties {
  return {
    ...(e.contentType ? { contentType: e.contentType } : {}),
    ...(e.contentEncoding ? { contentEncoding: e.contentEncoding } : {}),
    ...(e.contentLanguage ? { contentLanguage: e.contentLanguage } : {}),
    ...(e.contentDisposition ? { contentDisposition: e.contentDisposition } : {}),
    ...(e.cacheControl ? { cacheControl: e.cacheControl } : {}),
    metadata: e.metadata,
    tags: e.tags,
    ...(e.tier ? { tier: e.tier } : {}),
  };
}

/** The blobs of `target` that a point's index does not hold: what a restore into it deletes. Throws what listing throws. */
export async function strayBlobs(blobs: BlobSource, target: string, index: ReadonlyMap<string, IndexEntry>): Promise<string[]> {
  if (!(await blobs.containerExists(target))) return [];
  const out: string[] = [];
  for await (const b of blobs.list(target)) if (!index.has(b.path)) out.push(b.path);
  return out;
}

/**
 * Restores one container to a point (or a config export): every blob of its index written from its
 * content objects with its properties, metadata, tags and tier (streamed block by block),
 * then blobs the target holds that the point does not are deleted, then every restored
 * blob is read back and its SHA-256 compared with the backup's. Re-running after a crash
 * finishes the job. Throws IntegrityError when the verification fails.
 */
export async function restoreContainer(input: ContainerRestoreInput): Promise<ContainerRestoreResult> {
  const { blobs, repo, keys, container, target } = input;
  const index = await input.entries();
  const stray = await strayBlobs(blobs, target, index);
  await blobs.createContainer(target);
  const meter = new ProgressMeter(input.progress, "restore files", target, { total: input.bytes, unit: "files" });
  for (const e of index.values()) {
    await blobs.write(target, e.path, readContent(repo, keys, e.blocks), propsOf(e));
    meter.add(1, e.size, e.size);
  }
  meter.done();
  for (const path of stray) await blobs.delete(target, path);

  const verify = new ProgressMeter(input.progress, "verify files", target, { total: input.bytes, unit: "files" });
  const left = new Set(index.keys());
  for await (const b of blobs.list(target)) {
    const e = index.get(b.path);
    if (!e) throw new IntegrityError(`restore of container ${container} into ${target} did not verify: ${target} holds ${b.path}, which the point does not. Was something writing to it?`);
    const hash = createHash("sha256");
    let size = 0;
    for await (const piece of blobs.read(target, b.path)) {
      hash.update(piece);
      size += piece.length;
    }
    if (size !== e.size || hash.digest("hex") !== e.sha256) {
      throw new IntegrityError(`restore of container ${container} into ${target} did not verify: ${b.path} does not match the backup (${size} bytes, the backup ${e.size})`);
    }
    left.delete(b.path);
    verify.add(1, size, size);
  }
  verify.done();
  if (left.size > 0) throw new IntegrityError(`restore of container ${container} into ${target} did not verify: ${left.size} blob(s) of the point are missing from ${target}`);
  return { container, target, files: index.size, bytes: input.bytes, deleted: stray.length };
}
