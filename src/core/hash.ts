import { createHash, createHmac, hkdfSync } from "node:crypto";

/** SHA-256 of text (UTF-8) or bytes, as 64 lowercase hex characters. Does not throw. */
export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** HKDF-SHA256 (RFC 5869) of the KEK to a 32-byte key for one purpose (`salt`); `info` is the KEK id. Never throws for a 32-byte KEK. */
export function deriveKey(kek: Buffer, salt: string, kekId: string): Buffer {
  return Buffer.from(hkdfSync("sha256", kek, Buffer.from(salt, "utf8"), Buffer.from(kekId, "utf8"), 32));
}

/** The key content ids are made with: HKDF(KEK, salt "lifeboat-content-id-v1", info kekId). */
export function contentIdKey(kek: Buffer, kekId: string): Buffer {
  return deriveKey(kek, "lifeboat-content-id-v1", kekId);
}

/**
 * The id of a block of file content: HMAC-SHA256 under `key` (contentIdKey), 64 hex
 * characters. Keyed, so the repository does not reveal plaintext hashes of well-known files.
 */
export function contentId(key: Buffer, data: Buffer): string {
  return createHmac("sha256", key).update(data).digest("hex");
}
