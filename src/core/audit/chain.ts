import { createHmac, timingSafeEqual } from "node:crypto";
import { deriveKey, sha256Hex } from "../hash";

/**
 * The audit log's hash chain, as pure functions: the entry model, its canonical
 * encoding, the chain hash and the per-entry MAC. Storage (one table partition per
 * UTC day, ETag-guarded appends) lives in the AuditLog port and its adapter; the
 * append protocol in app/audit-append.ts.
 */

/** What Lifeboat did or was asked to do. Dotted names so `--action backup` style prefixes group. */
export const AUDIT_ACTIONS = [
  "backup.full",
  "backup.incremental",
  "config.export",
  "restore",
  "restore.dryRun",
  /** A restore job accepted onto the queue (its outcome is a later `restore` entry by the same operator). */
  "restore.submit",
  "verify",
  "retention.delete",
  "retention.tier",
  "failover",
  "failover.dryRun",
  "failback",
  "failback.dryRun",
  "import.csv",
  /** Plain (decrypted) typed CSV written from a restore point (lifeboat export-csv, GET /api/exports). */
  "export.csv",
  "drill",
  /** The RPO monitor found a table past the RPO (once per breach), and the breach ended (once). */
  "rpo.breach",
  "rpo.recovered",
  "key.rotate",
  "key.sync",
  "settings.change",
  "audit.verify",
  "audit.digest",
  "doctor",
  /** A request refused before it named a valid action (bad route, failed authentication). */
  "request",
] as const;

/** One of {@link AUDIT_ACTIONS}. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** How an action ended: it ran and worked, it ran and failed, or it was rejected before running. */
export type AuditOutcome = "succeeded" | "failed" | "refused";

/** The outcomes, for validation. */
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ["succeeded", "failed", "refused"];

/** A JSON value, exactly as stored and hashed. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** What an action was about: e.g. `{ tables: ["Customers"], point: "2026…-fab12cd" }`. */
export type AuditTarget = { [key: string]: string | string[] };

/** The fields of an entry that the caller supplies (after sanitizing), before it joins the chain. */
export interface AuditDraft {
  operator: string;
  action: AuditAction;
  target: AuditTarget;
  outcome: AuditOutcome;
  durationMs: number;
  /** The failure or refusal reason; null when it succeeded. Never holds a secret (sanitized). */
  error: string | null;
  details: JsonObject;
}

/** One link of the chain, as stored. */
export interface AuditEntry extends AuditDraft {
  /** Position in the chain: 1, 2, 3, … with no gaps. */
  seq: number;
  /** When it was recorded, ISO-8601 UTC with milliseconds. Never earlier than the previous entry's. */
  time: string;
  /** The previous entry's `hash` ({@link GENESIS_HASH} for seq 1). */
  prevHash: string;
  /** Id of the key-encryption key the MAC key was derived from (not secret). */
  kekId: string;
  /** SHA-256 (hex) of {@link canonicalEntry}. */
  hash: string;
  /** HMAC-SHA256 (hex) of `hash` with {@link entryMacKey}: only a holder of the KEK can mint entries. */
  mac: string;
}

/** The `prevHash` of the first entry ever. */
export const GENESIS_HASH = "0".repeat(64);

/** Version of the canonical encoding, hashed into every entry. */
export const ENTRY_VERSION = 1;

/**
 * JSON text with object keys sorted (UTF-16 order) at every level and no whitespace,
 * so equal values always give equal bytes. Throws TypeError on a value JSON cannot
 * hold (undefined, a function, a non-finite number): normalize with {@link toJsonValue} first.
 */
export function canonicalJson(v: JsonValue): string {
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError("canonicalJson: non-finite number");
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return "[" + v.map(canonicalJson).join(",") + "]";
  if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    const parts: string[] = [];
    for (const k of keys) {
      const x = v[k];
      if (x === undefined) throw new TypeError(`canonicalJson: ${k} is undefined`);
      parts.push(JSON.stringify(k) + ":" + canonicalJson(x));
    }
    return "{" + parts.join(",") + "}";
  }
  throw new TypeError(`canonicalJson: cannot encode a ${typeof v}`);
}

/**
 * Turns anything into a plain JSON value the way JSON.stringify would store it
 * (toJSON honoured, so a Secret becomes "**redacted**"; Dates become ISO text),
 * except: undefined properties are dropped, non-finite numbers become null, bigints
 * become decimal text, an Error becomes { name, message }, cycles and depth beyond 8
 * become "[…]". Never throws.
 */
export function toJsonValue(x: unknown, depth = 0, seen: Set<object> = new Set()): JsonValue {
  if (x === null || x === undefined) return null;
  if (typeof x === "string" || typeof x === "boolean") return x;
  if (typeof x === "number") return Number.isFinite(x) ? (Object.is(x, -0) ? 0 : x) : null;
  if (typeof x === "bigint") return x.toString();
  if (typeof x !== "object") return null;
  if (seen.has(x) || depth >= 8) return "[…]";
  // An Error's message and name are not own enumerable properties: keep them explicitly.
  if (x instanceof Error) return { name: x.name, message: x.message };
  const withToJson = x as { toJSON?: unknown };
  if (typeof withToJson.toJSON === "function") {
    let j: unknown;
    try {
      j = (withToJson.toJSON as () => unknown).call(x);
    } catch {
      return "[unserializable]";
    }
    if (j !== x) return toJsonValue(j, depth + 1, seen);
  }
  seen.add(x);
  try {
    if (Array.isArray(x)) return x.map((e) => toJsonValue(e, depth + 1, seen));
    if (x instanceof Map) return toJsonValue(Object.fromEntries(x), depth, seen);
    if (x instanceof Set) return toJsonValue([...x], depth, seen);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(x)) {
      if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
      out[k] = toJsonValue(v, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(x);
  }
}

/** The text hashed for an entry: {@link canonicalJson} of every field except `hash` and `mac`, plus the encoding version. */
export function canonicalEntry(e: Omit<AuditEntry, "hash" | "mac">): string {
  return canonicalJson({
    v: ENTRY_VERSION,
    seq: e.seq,
    time: e.time,
    operator: e.operator,
    action: e.action,
    target: e.target,
    outcome: e.outcome,
    durationMs: e.durationMs,
    error: e.error,
    details: e.details,
    prevHash: e.prevHash,
    kekId: e.kekId,
  });
}

/** SHA-256 (hex) of the entry's canonical encoding. Throws TypeError when a field is not JSON. */
export function entryHash(e: Omit<AuditEntry, "hash" | "mac">): string {
  return sha256Hex(canonicalEntry(e));
}


export { deriveKey };

/** The key entry MACs are made with: HKDF(KEK, salt "lifeboat-audit-entry-v1", info kekId). */
export function entryMacKey(kek: Buffer, kekId: string): Buffer {
  return deriveKey(kek, "lifeboat-audit-entry-v1", kekId);
}

/** HMAC-SHA256 (hex) of text under a key. */
export function hmacHex(key: Buffer, text: string): string {
  return createHmac("sha256", key).update(text, "utf8").digest("hex");
}

/** Constant-time comparison of two hex strings (false when lengths differ). */
export function hexEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Links one entry to the chain: computes `hash` over the fields and `mac` with the
 * entry MAC key. Throws TypeError when a field is not JSON (normalize details first).
 */
export function sealEntry(e: Omit<AuditEntry, "hash" | "mac">, macKey: Buffer): AuditEntry {
  const hash = entryHash(e);
  return { ...e, hash, mac: hmacHex(macKey, hash) };
}

/** The UTC day ("YYYY-MM-DD") of an ISO instant or Date: the entry's table partition. */
export function dayOf(t: string | Date): string {
  return (typeof t === "string" ? new Date(t) : t).toISOString().slice(0, 10);
}

/** Start of a UTC day, as an ISO instant ("2026-11-26T00:00:00.000Z"). */
export function startOfDay(day: string): string {
  return `${day}T00:00:00.000Z`;
}

/** The day `n` days after (negative: before) a UTC day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(startOfDay(day)) + n * 86_400_000).toISOString().slice(0, 10);
}

/** True for "YYYY-MM-DD" that is a real date. */
export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(startOfDay(s))) && new Date(startOfDay(s)).toISOString().startsWith(s);
}

/** Width of a zero-padded sequence number in a row key: sorts numerically as text. */
export const SEQ_DIGITS = 16;

/** The row key of entry `seq`: zero-padded so row-key order is chain order. */
export function rowKeyOf(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, "0");
}

/** The sequence number a row key names, or null when it is not one {@link rowKeyOf} makes. */
export function seqOfRowKey(rk: string): number | null {
  if (!/^\d{16}$/.test(rk)) return null;
  const n = Number(rk);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The later of two ISO instants (they compare as text: both are toISOString output). */
export function laterOf(a: string, b: string | null | undefined): string {
  return b && b > a ? b : a;
}
