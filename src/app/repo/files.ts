import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import { IntegrityError } from "../../core/errors";
import type { EntityKey } from "../../core/entity/record";
import { decodeKeyLine } from "../../core/entity/record-lines";
import { sha256Hex } from "../../core/hash";
import { openLines } from "../../format/chunk";
import type { FileRef } from "../../format/manifest";

/**
 * Reads and authenticates one data or key file of a point, after checking its size and
 * SHA-256 against the manifest, and its line count after decrypting. Throws IntegrityError
 * on any mismatch, NotFoundError when the file is missing.
 */
export async function readLines(repo: BackupStore, keys: KeyProvider, f: FileRef): Promise<string[]> {
  return readChecked(repo, f.path, async (bytes) => {
    if (bytes.length !== f.bytes || sha256Hex(bytes) !== f.sha256) {
      throw new IntegrityError(`${f.path}: content does not match the manifest's SHA-256 (corrupted or replaced)`, { path: f.path });
    }
    const lines = await openLines(bytes, (id) => keys.byId(id));
    if (lines.length !== f.records) throw new IntegrityError(`${f.path}: ${lines.length} records, manifest says ${f.records}`, { path: f.path });
    return lines;
  });
}

/**
 * Reads an object and runs `check` on its bytes; when the check fails its integrity
 * (IntegrityError: hash, size, authentication) and the store has another copy
 * (`alternate`, a secondary), runs it on that copy instead. Throws the first copy's
 * error when there is no other copy or it fails too; what reading throws otherwise.
 */
export async function readChecked<T>(repo: BackupStore, path: string, check: (bytes: Buffer) => Promise<T>): Promise<T> {
  const bytes = await repo.get(path);
  try {
    return await check(bytes);
  } catch (err) {
    if (!(err instanceof IntegrityError) || !repo.alternate) throw err;
    const other = await repo.alternate(path);
    if (!other) throw err;
    return check(other);
  }
}

/**
 * Streams the keys of a segment's key files in file and line order, one file in memory
 * at a time (the next one is fetched while this one is read). Throws what readLines throws.
 */
export async function* readKeys(repo: BackupStore, keys: KeyProvider, files: readonly FileRef[]): AsyncGenerator<EntityKey> {
  let next = files.length > 0 ? settle(readLines(repo, keys, files[0]!)) : undefined;
  for (let i = 0; i < files.length; i++) {
    const lines = await (next as Promise<string[]>);
    next = i + 1 < files.length ? settle(readLines(repo, keys, files[i + 1]!)) : undefined;
    for (const line of lines) yield decodeKeyLine(line);
  }
}

/** Keeps an early rejection of a read-ahead from counting as unhandled; it is awaited later. */
export function settle<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** The keys of a keys-only scan's pages, one by one. */
export async function* keysOf(pages: AsyncIterable<readonly EntityKey[]>): AsyncGenerator<EntityKey> {
  for await (const page of pages) for (const r of page) yield { pk: r.pk, rk: r.rk };
}
