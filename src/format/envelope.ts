import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Kek } from "../core/kek";
import { firstIssue, IntegrityError, LifeboatError } from "../core/errors";

/**
 * Archive format v1 file envelope (byte layout in docs/format.md):
 *
 *   "LBOATv1\n" | uint32 BE header length | header (UTF-8 JSON) | ciphertext | 16-byte GCM tag
 *
 * The payload is AES-256-GCM under a random per-file data key; the data key is wrapped
 * with the KEK by AES-256 key wrap (RFC 3394). Everything before the ciphertext is the
 * GCM additional authenticated data, so the header cannot be edited undetected either.
 */
export const MAGIC = Buffer.from("LBOATv1\n", "latin1");
const LENGTH_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
/** RFC 3394 wrap of a 32-byte key: 8-byte integrity block + 32 bytes. */
const WRAPPED_KEY_BYTES = 40;
/** A v1 header is ~200 bytes; anything past this is corruption, not a header. */
const MAX_HEADER_BYTES = 64 * 1024;
/** RFC 3394 section 2.2.3.1 default initial value. */
const KW_DEFAULT_IV = Buffer.from("A6A6A6A6A6A6A6A6", "hex");

export const CONTENT_TYPES = ["ndjson+gzip", "json", "bytes", "csv+gzip"] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64Of = (bytes: number) =>
  z
    .string()
    .regex(BASE64, "must be base64")
    .refine((s) => Buffer.from(s, "base64").length === bytes, `must decode to ${bytes} bytes`);

const headerSchema = z.object({
  alg: z.literal("A256GCM"),
  kw: z.literal("A256KW"),
  kek: z.string().min(1),
  wrappedKey: base64Of(WRAPPED_KEY_BYTES),
  iv: base64Of(IV_BYTES),
  contentType: z.enum(CONTENT_TYPES),
});

/** The clear-text (but authenticated) header of a sealed file. */
export type EnvelopeHeader = z.infer<typeof headerSchema>;

/** Looks up the KEK a file's header names (normally `KeyProvider.byId`). */
export type KeyLookup = (kekId: string) => Promise<Kek>;

/**
 * Wraps a 32-byte data key with a 32-byte KEK (AES-256 key wrap, RFC 3394, default IV).
 * Returns 40 bytes. Throws LifeboatError (KEY.INVALID) if either key has the wrong length.
 */
export function wrapKey(kek: Buffer, dataKey: Buffer): Buffer {
  checkKeyLength(kek, "KEK");
  checkKeyLength(dataKey, "data key");
  // One update() call: in wrap mode each update() is a complete, separate wrap operation.
  const c = createCipheriv("id-aes256-wrap", kek, KW_DEFAULT_IV);
  return Buffer.concat([c.update(dataKey), c.final()]);
}

/**
 * Reverses `wrapKey`. Throws IntegrityError when the RFC 3394 integrity check fails
 * (wrong KEK or damaged wrapped key) and LifeboatError (KEY.INVALID) for a KEK of the wrong length.
 */
export function unwrapKey(kek: Buffer, wrapped: Buffer): Buffer {
  checkKeyLength(kek, "KEK");
  try {
    const d = createDecipheriv("id-aes256-wrap", kek, KW_DEFAULT_IV);
    const key = Buffer.concat([d.update(wrapped), d.final()]);
    if (key.length !== DATA_KEY_BYTES) throw new Error("unexpected unwrapped length");
    return key;
  } catch {
    // OpenSSL's message ("unsupported state") is unhelpful; the cause is always one of these.
    throw new IntegrityError("key unwrap failed: the file was not encrypted under this KEK, or its wrapped key is damaged");
  }
}

/**
 * Encrypts and authenticates `plaintext` into a v1 envelope under a fresh random data key
 * wrapped by `kek`. Throws LifeboatError (KEY.INVALID) if the KEK is not 32 bytes.
 */
export async function sealFile(plaintext: Buffer, kek: Kek, contentType: ContentType): Promise<Buffer> {
  const dataKey = randomBytes(DATA_KEY_BYTES);
  const iv = randomBytes(IV_BYTES);
  try {
    const header: EnvelopeHeader = {
      alg: "A256GCM",
      kw: "A256KW",
      kek: kek.id,
      wrappedKey: wrapKey(kek.key.reveal(), dataKey).toString("base64"),
      iv: iv.toString("base64"),
      contentType,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
    const length = Buffer.alloc(LENGTH_BYTES);
    length.writeUInt32BE(headerBytes.length, 0);
    const aad = Buffer.concat([MAGIC, length, headerBytes]);

    const cipher = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([aad, ciphertext, cipher.getAuthTag()]);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Reads a sealed file's header without any key. The header is NOT authenticated until
 * `openFile` succeeds, so use it only to pick the key or for display.
 * Throws IntegrityError if the bytes are not a well-formed v1 envelope.
 */
export function readEnvelopeHeader(bytes: Buffer): EnvelopeHeader {
  return parseEnvelope(bytes).header;
}

/**
 * Decrypts and authenticates a sealed file. Asks `keyFor` for the KEK named in the header.
 * Throws IntegrityError for anything that does not verify: bad magic, truncation, an edited
 * header, flipped ciphertext or tag, or a KEK other than the one the file was sealed with.
 * Errors thrown by `keyFor` (e.g. NotFoundError for an unknown key version) pass through unchanged.
 */
export async function openFile(bytes: Buffer, keyFor: KeyLookup): Promise<{ plaintext: Buffer; header: EnvelopeHeader }> {
  const { header, aadEnd } = parseEnvelope(bytes);
  const kek = await keyFor(header.kek);
  const dataKey = unwrapKey(kek.key.reveal(), Buffer.from(header.wrappedKey, "base64"));
  try {
    const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(header.iv, "base64"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(bytes.subarray(0, aadEnd));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plaintext = Buffer.concat([decipher.update(bytes.subarray(aadEnd, bytes.length - TAG_BYTES)), decipher.final()]);
    return { plaintext, header };
  } catch {
    throw new IntegrityError(`authentication failed: the file (KEK ${header.kek}) has been modified or damaged`, {
      kek: header.kek,
    });
  } finally {
    dataKey.fill(0);
  }
}

function parseEnvelope(bytes: Buffer): { header: EnvelopeHeader; aadEnd: number } {
  const fixed = MAGIC.length + LENGTH_BYTES;
  if (bytes.length < fixed || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new IntegrityError("not a Lifeboat v1 file: bad magic (expected \"LBOATv1\\n\")");
  }
  const headerLength = bytes.readUInt32BE(MAGIC.length);
  if (headerLength > MAX_HEADER_BYTES || fixed + headerLength + TAG_BYTES > bytes.length) {
    throw new IntegrityError(`truncated or damaged file: header length ${headerLength} does not fit in ${bytes.length} bytes`);
  }
  const aadEnd = fixed + headerLength;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(fixed, aadEnd)));
  } catch {
    throw new IntegrityError("damaged file: header is not valid UTF-8 JSON");
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    throw new IntegrityError(`damaged file: header ${firstIssue(parsed.error)}`);
  }
  return { header: parsed.data, aadEnd };
}

function checkKeyLength(key: Buffer, what: string): void {
  if (key.length !== 32) throw new LifeboatError("KEY.INVALID", `${what} must be 32 bytes, got ${key.length}`);
}
