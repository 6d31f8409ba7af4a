import { createHash } from "node:crypto";
import { EntityFormatError, isEdmType } from "./codec";
import { isTombstone, type BackupRecord, type EntityKey, type EntityRecord, type PropertyValue } from "./record";

/** The NDJSON lines of backup data and key files, and compact key ids. See docs/format.md. */

// ---------------------------------------------------------------------------
// Backup file lines

/**
 * One NDJSON line (without newline) for a backup data file. An entity is
 * `{"pk":…,"rk":…,"ts":…,"e":…,"p":{"Name":["Int64","9007199254740993"],…}}` (ts and e only
 * when known); a tombstone is `{"pk":…,"rk":…,"del":1}`. Never throws for a well-typed record.
 */
export function encodeRecordLine(r: BackupRecord): string {
  if (isTombstone(r)) return `{"pk":${JSON.stringify(r.pk)},"rk":${JSON.stringify(r.rk)},"del":1}`;
  let s = `{"pk":${JSON.stringify(r.pk)},"rk":${JSON.stringify(r.rk)}`;
  if (r.ts !== undefined) s += `,"ts":${JSON.stringify(r.ts)}`;
  if (r.etag !== undefined) s += `,"e":${JSON.stringify(r.etag)}`;
  return s + `,"p":${JSON.stringify(r.props)}}`;
}

function lineError(what: string): never {
  throw new EntityFormatError(`backup record line: ${what}`);
}

function parseLine(line: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    throw new EntityFormatError(`backup record line is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) lineError("not a JSON object");
  return v as Record<string, unknown>;
}

/**
 * Reads a line written by encodeRecordLine. Checks the shape: string pk/rk, optional
 * string ts/e, `p` an object of [EDM type name, string] pairs, or `del: 1` for a tombstone,
 * and no other fields. Values are not checked against their type (validateRecordForWrite
 * does that before a restore writes them).
 * Throws EntityFormatError naming the problem (and the property, if one is at fault).
 */
export function decodeRecordLine(line: string): BackupRecord {
  const o = parseLine(line);
  const { pk, rk } = o;
  if (typeof pk !== "string") lineError('"pk" is missing or not a string');
  if (typeof rk !== "string") lineError('"rk" is missing or not a string');
  if (o["del"] !== undefined) {
    if (o["del"] !== 1) lineError('"del" must be 1');
    for (const k in o) if (k !== "pk" && k !== "rk" && k !== "del") lineError(`unexpected field ${JSON.stringify(k)} in a tombstone`);
    return { pk, rk, deleted: true };
  }
  const p = o["p"];
  if (typeof p !== "object" || p === null || Array.isArray(p)) lineError('"p" is missing or not an object');
  const rec: EntityRecord = { pk, rk, props: p as Record<string, PropertyValue> };
  for (const k in o) {
    const v = o[k];
    switch (k) {
      case "pk":
      case "rk":
      case "p":
        break;
      case "ts":
        if (typeof v !== "string") lineError('"ts" is not a string');
        rec.ts = v;
        break;
      case "e":
        if (typeof v !== "string") lineError('"e" is not a string');
        rec.etag = v;
        break;
      default:
        lineError(`unexpected field ${JSON.stringify(k)}`);
    }
  }
  const props = p as Record<string, unknown>;
  for (const name in props) {
    const pv = props[name];
    if (!Array.isArray(pv) || pv.length !== 2) lineError(`property ${name}: expected [type, value]`);
    if (!isEdmType(pv[0])) lineError(`property ${name}: unknown EDM type ${JSON.stringify(pv[0])}`);
    if (typeof pv[1] !== "string") lineError(`property ${name}: value is not a string`);
  }
  return rec;
}

/** One NDJSON line (without newline) of a key file: `{"pk":…,"rk":…}`. Never throws. */
export function encodeKeyLine(k: EntityKey): string {
  return `{"pk":${JSON.stringify(k.pk)},"rk":${JSON.stringify(k.rk)}}`;
}

/**
 * Reads a key-file line written by encodeKeyLine.
 * Throws EntityFormatError when it is not JSON, pk/rk are not strings, or other fields appear.
 */
export function decodeKeyLine(line: string): EntityKey {
  const o = parseLine(line);
  const { pk, rk } = o;
  if (typeof pk !== "string") lineError('"pk" is missing or not a string');
  if (typeof rk !== "string") lineError('"rk" is missing or not a string');
  for (const k in o) if (k !== "pk" && k !== "rk") lineError(`unexpected field ${JSON.stringify(k)} in a key line`);
  return { pk, rk };
}

// ---------------------------------------------------------------------------
// Keys

/** sha256(pk + "\0" + rk): the hash behind keyId, keyHashHex and KeyStates. Never throws. */
export function keyDigest(pk: string, rk: string): Buffer {
  return createHash("sha256").update(pk + "\u0000" + rk, "utf8").digest();
}

/**
 * A compact map/set key for an entity: the first 16 bytes of sha256(pk + "\0" + rk) as a
 * 16-character latin1 string. Keys cannot contain U+0000, so the pair is unambiguous;
 * 128 bits make a collision negligible. Never throws.
 */
export function keyId(pk: string, rk: string): string {
  return keyDigest(pk, rk).toString("latin1", 0, 16);
}

/** The same hash as keyId, as 32 lowercase hex characters (for manifests and logs). Never throws. */
export function keyHashHex(pk: string, rk: string): string {
  return keyDigest(pk, rk).toString("hex", 0, 16);
}

