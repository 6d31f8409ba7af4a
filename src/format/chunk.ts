import { promisify } from "node:util";
import { gunzip as gunzipCb, gzip as gzipCb } from "node:zlib";
import type { Kek } from "../core/kek";
import { IntegrityError, LifeboatError } from "../core/errors";
import { openFile, sealFile, type ContentType, type KeyLookup } from "./envelope";

// The callback forms run on the libuv thread pool, so compression overlaps with I/O and
// with other chunks; the *Sync forms would block the event loop.
const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);
const GZIP_LEVEL = 1;
/**
 * zlib's output chunk. The default (16 KiB) makes a 1 MB chunk take ~60 round trips between the
 * thread pool and a busy main thread; one large chunk keeps compression off the event loop's queue.
 */
const ZLIB_CHUNK = 1 << 20;

/**
 * Lines as NDJSON bytes (each line + "\n", UTF-8), not compressed: a block of a file that is
 * sealed later (`sealNdjson`). Throws LifeboatError (FORMAT.INVALID_LINE) if a line contains "\n".
 */
export function ndjsonBytes(lines: readonly string[]): Buffer {
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes("\n")) {
      throw new LifeboatError("FORMAT.INVALID_LINE", `line ${i} contains a newline; NDJSON lines must be single-line`);
    }
  }
  return Buffer.from(lines.length === 0 ? "" : lines.join("\n") + "\n", "utf8");
}

/**
 * Encodes lines as NDJSON (each line + "\n", UTF-8) and gzips it (level 1, off the main thread).
 * Throws LifeboatError (FORMAT.INVALID_LINE) if a line contains "\n".
 */
export async function encodeLines(lines: string[]): Promise<Buffer> {
  return gzipNdjson([ndjsonBytes(lines)]);
}

function gzipNdjson(blocks: readonly Buffer[]): Promise<Buffer> {
  const raw = blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
  return gzip(raw, { level: GZIP_LEVEL, chunkSize: ZLIB_CHUNK });
}

/**
 * Reverses `encodeLines`: gunzips, decodes UTF-8 and splits on "\n".
 * Throws IntegrityError if the data is not gzip, not valid UTF-8, or the last line is unterminated.
 */
export async function decodeLines(buf: Buffer): Promise<string[]> {
  let raw: Buffer;
  try {
    raw = await gunzip(buf, { chunkSize: ZLIB_CHUNK });
  } catch (e) {
    throw new IntegrityError(`chunk is not valid gzip: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = decodeUtf8(raw, "chunk");
  if (text === "") return [];
  if (!text.endsWith("\n")) throw new IntegrityError("chunk is truncated: last line has no terminating newline");
  return text.slice(0, -1).split("\n");
}


/**
 * Encodes lines (`encodeLines`) and seals them under `kek` (`sealFile`, content type "ndjson+gzip").
 * Throws as those do.
 */
export async function sealLines(lines: string[], kek: Kek): Promise<Buffer> {
  return sealFile(await encodeLines(lines), kek, "ndjson+gzip");
}

/** Seals NDJSON blocks made by `ndjsonBytes`, in order, as one file: the same bytes `sealLines` writes for their lines. */
export async function sealNdjson(blocks: readonly Buffer[], kek: Kek): Promise<Buffer> {
  return sealFile(await gzipNdjson(blocks), kek, "ndjson+gzip");
}

/**
 * Opens a sealed NDJSON chunk and returns its lines. Throws IntegrityError if the file does not
 * authenticate, is not of content type "ndjson+gzip", or does not decode; `keyFor` errors pass through.
 */
export async function openLines(bytes: Buffer, keyFor: KeyLookup): Promise<string[]> {
  return decodeLines(await openExpecting(bytes, keyFor, "ndjson+gzip"));
}

/**
 * Seals `value` as plain UTF-8 JSON (content type "json", not compressed), e.g. a manifest.
 * Throws TypeError if the value cannot be JSON-encoded (cycles, BigInt) or encodes to nothing.
 */
export async function sealJson(value: unknown, kek: Kek): Promise<Buffer> {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError("sealJson: value has no JSON representation");
  return sealFile(Buffer.from(json, "utf8"), kek, "json");
}

/**
 * Opens a file sealed by `sealJson` and parses it. Throws IntegrityError if it does not
 * authenticate, is not content type "json", or is not valid UTF-8 JSON; `keyFor` errors pass through.
 */
export async function openJson(bytes: Buffer, keyFor: KeyLookup): Promise<unknown> {
  const text = decodeUtf8(await openExpecting(bytes, keyFor, "json"), "JSON file");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new IntegrityError("sealed JSON file does not contain valid JSON");
  }
}

/**
 * Seals a typed-CSV copy of table rows (text, or its UTF-8 bytes; gzipped off the main thread) as content
 * type "csv+gzip" (docs/format.md §11). Never throws for a string.
 */
export async function sealCsv(text: string | Buffer, kek: Kek): Promise<Buffer> {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  return sealFile(await gzip(bytes, { level: GZIP_LEVEL, chunkSize: ZLIB_CHUNK }), kek, "csv+gzip");
}

/**
 * Opens a file sealed by `sealCsv`: its CSV text. Throws IntegrityError if it does not
 * authenticate, is not content type "csv+gzip", or is not gzip of UTF-8; `keyFor` errors pass through.
 */
export async function openCsv(bytes: Buffer, keyFor: KeyLookup): Promise<string> {
  const plain = await openExpecting(bytes, keyFor, "csv+gzip");
  let raw: Buffer;
  try {
    raw = await gunzip(plain, { chunkSize: ZLIB_CHUNK });
  } catch (e) {
    throw new IntegrityError(`CSV copy is not valid gzip: ${e instanceof Error ? e.message : String(e)}`);
  }
  return decodeUtf8(raw, "CSV copy");
}

/** Seals a block of file content as it is (content type "bytes", not compressed: configs are small, database files rarely compress). */
export function sealBytes(data: Buffer, kek: Kek): Promise<Buffer> {
  return sealFile(data, kek, "bytes");
}

/**
 * Opens a file sealed by `sealBytes`: its content and the KEK id its header names.
 * Throws IntegrityError if it does not authenticate or is not content type "bytes".
 */
export async function openBytes(bytes: Buffer, keyFor: KeyLookup): Promise<{ data: Buffer; kekId: string }> {
  const { plaintext, header } = await openFile(bytes, keyFor);
  if (header.contentType !== "bytes") throw new IntegrityError(`expected content type "bytes", the file holds "${header.contentType}"`);
  return { data: plaintext, kekId: header.kek };
}

async function openExpecting(bytes: Buffer, keyFor: KeyLookup, expected: ContentType): Promise<Buffer> {
  const { plaintext, header } = await openFile(bytes, keyFor);
  if (header.contentType !== expected) {
    throw new IntegrityError(`expected content type "${expected}", the file holds "${header.contentType}"`);
  }
  return plaintext;
}

function decodeUtf8(raw: Buffer, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    throw new IntegrityError(`${what} is not valid UTF-8`);
  }
}
