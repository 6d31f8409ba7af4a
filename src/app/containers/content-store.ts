import { createHash } from "node:crypto";
import { AlreadyExistsError, IntegrityError } from "../../core/errors";
import { contentId, contentIdKey } from "../../core/hash";
import type { Kek } from "../../core/kek";
import { openBytes, sealBytes } from "../../format/chunk";
import { paths } from "../../format/manifest";
import type { BackupStore, Retention } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import { readChecked, settle } from "../repo/files";

/** Content is split into blocks of this size, each its own encrypted object: memory holds a block or two. */
export const BLOCK_BYTES = 4 * 1024 * 1024;
/** Blocks of one file uploaded at once. */
const UPLOADS_IN_FLIGHT = 3;
/** Blocks at least this big are looked for before they are uploaded; smaller ones are uploaded with If-None-Match. */
const PROBE_BYTES = 256 * 1024;

/** A file's content as stored: its size, SHA-256, and the blocks it is made of, in order. */
export interface StoredContent {
  size: number;
  sha256: string;
  blocks: [string, number][];
  /** Bytes of new objects this call wrote (blocks already stored are not written again). */
  written: number;
}

/** Splits a stream of buffers into blocks of exactly `size` bytes (the last may be shorter). */
export async function* rechunk(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const piece of source) {
    let p = piece;
    while (have + p.length >= size) {
      const take = size - have;
      parts.push(p.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      have = 0;
      p = p.subarray(take);
    }
    if (p.length > 0) {
      parts.push(p);
      have += p.length;
    }
  }
  if (have > 0) yield Buffer.concat(parts);
}

/**
 * Stores a file's content as content-addressed, encrypted blocks: each block's id is an
 * HMAC of its bytes under a key derived from the KEK, and a block already in the
 * repository (any point, any path) is not written again. Streams: memory holds a few blocks.
 * Throws what reading `source` or the store throws.
 */
export async function storeContent(repo: BackupStore, kek: Kek, source: AsyncIterable<Buffer>, retention?: Retention): Promise<StoredContent> {
  const idKey = contentIdKey(kek.key.reveal(), kek.id);
  const hash = createHash("sha256");
  const blocks: [string, number][] = [];
  let size = 0;
  let written = 0;
  // Up to UPLOADS_IN_FLIGHT uploads while the next block is read: reading and writing
  // overlap, and memory holds at most that many blocks (and their sealed copies) more.
  const pending: Promise<void>[] = [];
  const store = async (id: string, block: Buffer): Promise<void> => {
    const path = paths.object(id);
    // A large block is looked for first (a round trip beats uploading megabytes again);
    // a small one is simply written: "already there" is the answer to the same question.
    // A block stored before (by this or another point or path) is kept at least as long
    // as this point needs it.
    const keep = async (): Promise<void> => {
      if (retention) await repo.extendRetention?.(path, retention);
    };
    if (block.length >= PROBE_BYTES && (await repo.exists(path))) return keep();
    const sealed = await sealBytes(block, kek);
    try {
      await repo.put(path, sealed, { ifNoneMatch: true, ...(retention ? { retention } : {}) });
      written += sealed.length;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      await keep();
    }
  };
  for await (const block of rechunk(source, BLOCK_BYTES)) {
    hash.update(block);
    size += block.length;
    const id = contentId(idKey, block);
    blocks.push([id, block.length]);
    pending.push(settle(store(id, block)));
    if (pending.length >= UPLOADS_IN_FLIGHT) await pending.shift();
  }
  for (const p of pending) await p;
  return { size, sha256: hash.digest("hex"), blocks, written };
}

/**
 * Reads a file's content back from its blocks, in order, each decrypted, authenticated,
 * and checked against its id and size. Throws IntegrityError on a mismatch, NotFoundError
 * when a block is missing, what the key provider throws for an unknown KEK.
 */
export async function* readContent(repo: BackupStore, keys: KeyProvider, blocks: readonly (readonly [string, number])[]): AsyncGenerator<Buffer> {
  const idKeys = new Map<string, Buffer>();
  for (const [id, size] of blocks) {
    yield await readChecked(repo, paths.object(id), async (bytes) => {
      const { data, kekId } = await openBytes(bytes, (k) => keys.byId(k));
      let key = idKeys.get(kekId);
      if (!key) {
        const kek = await keys.byId(kekId);
        key = contentIdKey(kek.key.reveal(), kek.id);
        idKeys.set(kekId, key);
      }
      if (data.length !== size || contentId(key, data) !== id) throw new IntegrityError(`${paths.object(id)}: content does not match its id (corrupted or replaced)`, { path: paths.object(id) });
      return data;
    });
  }
}
