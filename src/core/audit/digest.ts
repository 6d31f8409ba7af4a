import { canonicalJson, deriveKey, hexEqual, hmacHex, type JsonObject } from "./chain";
import { IntegrityError } from "../errors";

/**
 * Audit digests, after AWS CloudTrail's digest files: small append-only JSON blobs,
 * each recording the chain head (sequence, hash, time) and the hash of the digest
 * before it, authenticated with an HMAC key derived from the KEK. They hold no secret:
 * they are plain JSON for integrity, not secrecy. Digests form their own chain
 * (digest n names digest n-1 and its SHA-256), and their names are a function of n
 * alone, so two writers racing for n collide on `If-None-Match: *` and the chain never
 * forks.
 */

/** Version of the digest format. */
export const DIGEST_VERSION = 1;

/** The fields a digest authenticates. */
export interface DigestBody {
  version: number;
  /** 1, 2, 3, … with no gaps. */
  digestSeq: number;
  /** The chain head when the digest was written: last entry's seq (0 when empty), hash and time. */
  headSeq: number;
  headHash: string;
  headTime: string | null;
  /** The table partition (UTC day) holding the head entry; null when the chain is empty. */
  headDay: string | null;
  createdAt: string;
  /** Blob name of digest `digestSeq - 1`, and the SHA-256 (hex) of its exact bytes; null for the first. */
  previousDigest: string | null;
  previousDigestSha256: string | null;
  /** Id of the KEK the HMAC key was derived from. */
  kekId: string;
}

/** A digest as stored: its body and the HMAC-SHA256 (hex) over the body's canonical JSON. */
export interface SignedDigest extends DigestBody {
  hmac: string;
}

/** The HMAC key of digests: HKDF-SHA256(KEK, salt "lifeboat-audit-digest-v1", info kekId), 32 bytes. */
export function digestMacKey(kek: Buffer, kekId: string): Buffer {
  return deriveKey(kek, "lifeboat-audit-digest-v1", kekId);
}

function bodyJson(b: DigestBody): string {
  const o: JsonObject = {
    version: b.version,
    digestSeq: b.digestSeq,
    headSeq: b.headSeq,
    headHash: b.headHash,
    headTime: b.headTime,
    headDay: b.headDay,
    createdAt: b.createdAt,
    previousDigest: b.previousDigest,
    previousDigestSha256: b.previousDigestSha256,
    kekId: b.kekId,
  };
  return canonicalJson(o);
}

/** Signs a digest body with the digest MAC key. Never throws. */
export function signDigest(body: DigestBody, key: Buffer): SignedDigest {
  return { ...body, hmac: hmacHex(key, bodyJson(body)) };
}

/** True when the digest's HMAC is right for this key (constant-time compare). */
export function digestHmacValid(d: SignedDigest, key: Buffer): boolean {
  return hexEqual(hmacHex(key, bodyJson(d)), d.hmac);
}

/** The bytes stored for a digest: pretty JSON, so a person can read it in the portal. */
export function encodeDigest(d: SignedDigest): Buffer {
  return Buffer.from(JSON.stringify(d, null, 2) + "\n", "utf8");
}

const isStr = (v: unknown): v is string => typeof v === "string";
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === "string";
const isSeq = (v: unknown, min: number): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= min;

/**
 * Parses stored digest bytes. Throws IntegrityError (DATA.INTEGRITY) naming the
 * problem when they are not a well-formed digest of a known version.
 */
export function parseDigest(bytes: Buffer, name: string): SignedDigest {
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(bytes.toString("utf8"));
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    o = v as Record<string, unknown>;
  } catch (err) {
    throw new IntegrityError(`audit digest ${name} is not JSON (${err instanceof Error ? err.message : "unreadable"})`, { digest: name });
  }
  if (o.version !== DIGEST_VERSION) throw new IntegrityError(`audit digest ${name}: unknown version ${JSON.stringify(o.version)}`, { digest: name });
  const ok =
    isSeq(o.digestSeq, 1) &&
    isSeq(o.headSeq, 0) &&
    isStr(o.headHash) &&
    isStrOrNull(o.headTime) &&
    isStrOrNull(o.headDay) &&
    isStr(o.createdAt) &&
    isStrOrNull(o.previousDigest) &&
    isStrOrNull(o.previousDigestSha256) &&
    isStr(o.kekId) &&
    isStr(o.hmac);
  if (!ok) throw new IntegrityError(`audit digest ${name}: a field is missing or has the wrong type`, { digest: name });
  return {
    version: DIGEST_VERSION,
    digestSeq: o.digestSeq as number,
    headSeq: o.headSeq as number,
    headHash: o.headHash as string,
    headTime: o.headTime as string | null,
    headDay: o.headDay as string | null,
    createdAt: o.createdAt as string,
    previousDigest: o.previousDigest as string | null,
    previousDigestSha256: o.previousDigestSha256 as string | null,
    kekId: o.kekId as string,
    hmac: o.hmac as string,
  };
}

/** Largest digest sequence number a name can hold. */
export const MAX_DIGEST_SEQ = 999_999_999_999;

/**
 * The blob name of digest n: `digests/<MAX - n>-<n>.json`, both 12 digits. The
 * inverted number first makes the newest digest list first (one small listing finds
 * it); the plain number after it is for people. A function of n alone, so racing
 * writers of the same n collide.
 */
export function digestName(n: number): string {
  return `digests/${String(MAX_DIGEST_SEQ - n).padStart(12, "0")}-${String(n).padStart(12, "0")}.json`;
}

/** The sequence number in a digest blob name, or null when the name is not one {@link digestName} makes. */
export function digestSeqOfName(name: string): number | null {
  const m = /^digests\/(\d{12})-(\d{12})\.json$/.exec(name);
  if (!m) return null;
  const n = Number(m[2]);
  return n >= 1 && MAX_DIGEST_SEQ - n === Number(m[1]) ? n : null;
}
