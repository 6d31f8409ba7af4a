import { createHash } from "node:crypto";
import { LifeboatError } from "./errors";
import { JsonNumber, isLJObject, parseLossless, type LJObject, type LJValue } from "./lossless-json";
import {
  EDM_TYPES,
  isTombstone,
  type BackupRecord,
  type EdmType,
  type EntityKey,
  type EntityRecord,
  type PropertyValue,
} from "./record";

/**
 * The entity codec: Table service JSON -> EntityRecord (canonical strings), EntityRecord
 * -> the object @azure/data-tables writes unchanged, and the NDJSON lines of backup files.
 *
 * Canonical strings per EDM type (also in docs/format.md):
 *   String   the string as is
 *   Int32    decimal, no leading zeros, "0" never "-0"
 *   Int64    decimal, as the service sends it
 *   Double   "NaN", "Infinity", "-Infinity", "-0", otherwise String(Number(lexeme))
 *   Boolean  "true" / "false"
 *   DateTime exactly as the service returns it (e.g. 2020-01-01T00:00:00.1234567Z)
 *   Guid     as returned
 *   Binary   base64 as returned
 */

/** Data that does not have the shape the codec expects (a service page, a backup line). */
export class EntityFormatError extends LifeboatError {
  override readonly name = "EntityFormatError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("DATA.ENTITY_FORMAT", message, "system", options);
  }
}

const EDM_SET: ReadonlySet<string> = new Set<string>(EDM_TYPES);

/** True when `s` names an EDM type Lifeboat knows ("Int64", not "Edm.Int64"). */
export function isEdmType(s: unknown): s is EdmType {
  return typeof s === "string" && EDM_SET.has(s);
}

// ---------------------------------------------------------------------------
// Service JSON -> EntityRecord

const ODATA_TYPE = "@odata.type";

/** "Edm.X" annotation -> EdmType. */
const ANNOTATION: ReadonlyMap<string, EdmType> = new Map(EDM_TYPES.map((t) => [`Edm.${t}`, t] as const));

/** Canonical string of a Double given as a JSON number lexeme. */
function canonicalDoubleFromNumber(lexeme: string): string {
  const n = Number(lexeme);
  if (n === 0 && 1 / n < 0) return "-0";
  return String(n);
}

/** Canonical string of a Double sent as a JSON string (NaN, Infinity, or a number in a string). */
function canonicalDoubleFromString(s: string, name: string): string {
  switch (s) {
    case "NaN":
      return "NaN";
    case "Infinity":
    case "INF":
      return "Infinity";
    case "-Infinity":
    case "-INF":
      return "-Infinity";
  }
  if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(s)) {
    throw new EntityFormatError(`property ${name}: ${JSON.stringify(s)} is not an Edm.Double value`);
  }
  return canonicalDoubleFromNumber(s);
}

function canonicalInt(lexeme: string): string {
  return lexeme === "-0" ? "0" : lexeme;
}

function badValue(name: string, type: string, v: LJValue | undefined): never {
  const shown = v instanceof JsonNumber ? v.lexeme : JSON.stringify(v);
  throw new EntityFormatError(`property ${name}: value ${shown} does not fit its type ${type}`);
}

function typedValue(name: string, type: EdmType, v: LJValue): PropertyValue {
  switch (type) {
    case "String":
    case "DateTime":
    case "Guid":
    case "Binary":
      if (typeof v !== "string") badValue(name, type, v);
      return [type, v];
    case "Int64":
      if (typeof v === "string") {
        if (!/^-?\d+$/.test(v)) badValue(name, type, v);
        return [type, canonicalInt(v)];
      }
      if (v instanceof JsonNumber && v.isIntegerLiteral) return [type, canonicalInt(v.lexeme)];
      return badValue(name, type, v);
    case "Int32":
      if (v instanceof JsonNumber && v.isIntegerLiteral) return [type, canonicalInt(v.lexeme)];
      if (typeof v === "string" && /^-?\d+$/.test(v)) return [type, canonicalInt(v)];
      return badValue(name, type, v);
    case "Double":
      if (v instanceof JsonNumber) return [type, canonicalDoubleFromNumber(v.lexeme)];
      if (typeof v === "string") return [type, canonicalDoubleFromString(v, name)];
      return badValue(name, type, v);
    case "Boolean":
      if (typeof v === "boolean") return [type, v ? "true" : "false"];
      if (v === "true" || v === "false") return [type, v];
      return badValue(name, type, v);
  }
}

/**
 * Converts one entity object of a service response (minimal or full metadata, parsed by
 * `parseLossless`) into a record. PartitionKey/RowKey/Timestamp/odata.etag become
 * pk/rk/ts/etag; other `odata.*` keys and annotations are dropped; null values are skipped
 * (tables have no nulls). A property without annotation is a String (JSON string), a
 * Boolean, a Double (number with '.', 'e' or 'E') or an Int32 (integer number).
 * Throws EntityFormatError when the keys are missing or not strings, when a value is an
 * object or array, or when an annotation names an unknown type or does not fit its value.
 */
export function parseEntity(obj: LJObject): EntityRecord {
  const pk = obj["PartitionKey"];
  const rk = obj["RowKey"];
  if (typeof pk !== "string") throw new EntityFormatError("entity has no string PartitionKey");
  if (typeof rk !== "string") throw new EntityFormatError(`entity (PartitionKey ${JSON.stringify(pk)}) has no string RowKey`);
  const props: Record<string, PropertyValue> = {};
  const rec: EntityRecord = { pk, rk, props };
  // Annotations, as [property name, annotation value] pairs. Most entities have a few, so a
  // linear search beats building `name + "@odata.type"` and looking it up for every property.
  let annotated: string[] | undefined;
  for (const key in obj) {
    if (key.endsWith(ODATA_TYPE)) {
      (annotated ??= []).push(key.slice(0, key.length - ODATA_TYPE.length), key);
    }
  }
  for (const key in obj) {
    const v = obj[key] as LJValue;
    if (key.indexOf("@") !== -1) continue; // annotations, read with their property
    if (key === "PartitionKey" || key === "RowKey") continue;
    if (key === "Timestamp") {
      if (typeof v !== "string") throw new EntityFormatError(`entity ${JSON.stringify(pk)}/${JSON.stringify(rk)}: Timestamp is not a string`);
      rec.ts = v;
      continue;
    }
    if (key.charCodeAt(0) === 0x6f && key.startsWith("odata.")) {
      if (key === "odata.etag") {
        if (typeof v !== "string") throw new EntityFormatError(`entity ${JSON.stringify(pk)}/${JSON.stringify(rk)}: odata.etag is not a string`);
        rec.etag = v;
      }
      continue;
    }
    if (v === null) continue;
    let annotation: LJValue | undefined;
    if (annotated !== undefined) {
      for (let i = 0; i < annotated.length; i += 2) {
        if (annotated[i] === key) {
          annotation = obj[annotated[i + 1] as string];
          break;
        }
      }
    }
    let pv: PropertyValue;
    if (annotation !== undefined) {
      const type = typeof annotation === "string" ? ANNOTATION.get(annotation) : undefined;
      if (type === undefined) {
        throw new EntityFormatError(`property ${key}: unknown type annotation ${JSON.stringify(annotation)}`);
      }
      pv = typedValue(key, type, v);
    } else if (typeof v === "string") {
      pv = ["String", v];
    } else if (typeof v === "boolean") {
      pv = ["Boolean", v ? "true" : "false"];
    } else if (v instanceof JsonNumber) {
      pv = v.isIntegerLiteral ? ["Int32", canonicalInt(v.lexeme)] : ["Double", canonicalDoubleFromNumber(v.lexeme)];
    } else {
      throw new EntityFormatError(`property ${key}: a table property cannot hold a JSON ${Array.isArray(v) ? "array" : "object"}`);
    }
    if (key === "__proto__") {
      Object.defineProperty(props, key, { value: pv, enumerable: true, writable: true, configurable: true });
    } else {
      props[key] = pv;
    }
  }
  return rec;
}

/**
 * Parses the raw body text of a Table query response (`{"odata.metadata":…,"value":[…]}`)
 * into records, keeping every value exact. A body that is a single entity object (the
 * response to a point read) gives one record.
 * Throws JsonSyntaxError on malformed JSON and EntityFormatError when the shape is wrong.
 */
export function parseEntityPage(body: string): EntityRecord[] {
  const doc = parseLossless(body);
  if (!isLJObject(doc)) throw new EntityFormatError("query response is not a JSON object");
  const value = doc["value"];
  if (value === undefined && typeof doc["PartitionKey"] === "string") return [parseEntity(doc)];
  if (!Array.isArray(value)) throw new EntityFormatError("query response has no \"value\" array");
  const out: EntityRecord[] = new Array<EntityRecord>(value.length);
  for (let i = 0; i < value.length; i++) {
    const e = value[i];
    if (!isLJObject(e)) throw new EntityFormatError(`query response value[${i}] is not an object`);
    out[i] = parseEntity(e);
  }
  return out;
}

// ---------------------------------------------------------------------------
// EntityRecord -> @azure/data-tables entity

/**
 * User property names that @azure/data-tables cannot write: its serializer renames
 * `partitionKey`, `rowKey`, `etag`, `timestamp` to the system names, and `__proto__`
 * is lost in its plain-object copy. PartitionKey/RowKey/Timestamp are system names.
 */
export const UNWRITABLE_PROPERTY_NAMES: ReadonlySet<string> = new Set([
  "partitionKey",
  "rowKey",
  "etag",
  "timestamp",
  "__proto__",
  "PartitionKey",
  "RowKey",
  "Timestamp",
]);

/**
 * Builds the entity to hand to @azure/data-tables (upsertEntity, submitTransaction) so that
 * the stored entity equals the record: String -> string, Int32 -> number, Boolean ->
 * boolean, Int64/DateTime/Guid/Binary -> `{ value, type }` with the canonical string.
 * A Double is `{ value: number, type: "Double" }` when finite (JSON.stringify of the number
 * is exactly the canonical string, and the annotation keeps 2 a Double), or the string
 * "NaN"/"Infinity"/"-Infinity"/"-0" (JSON cannot write those as numbers).
 * Does not check values (use validateRecordForWrite first). Throws EntityFormatError for a
 * property name the SDK would rename or drop (see UNWRITABLE_PROPERTY_NAMES).
 */
export function toSdkEntity(record: EntityRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { partitionKey: record.pk, rowKey: record.rk };
  const props = record.props;
  for (const name in props) {
    if (!Object.prototype.hasOwnProperty.call(props, name)) continue;
    if (UNWRITABLE_PROPERTY_NAMES.has(name)) {
      throw new EntityFormatError(`property ${name}: this name cannot be written through @azure/data-tables`);
    }
    const [type, value] = props[name] as PropertyValue;
    switch (type) {
      case "String":
        out[name] = value;
        break;
      case "Int32":
        out[name] = Number(value);
        break;
      case "Boolean":
        out[name] = value === "true";
        break;
      case "Double":
        out[name] =
          value === "NaN" || value === "Infinity" || value === "-Infinity" || value === "-0"
            ? { value, type }
            : { value: Number(value), type };
        break;
      case "Int64":
      case "DateTime":
      case "Guid":
      case "Binary":
        out[name] = { value, type };
        break;
      default:
        throw new EntityFormatError(`property ${name}: unknown EDM type ${JSON.stringify(type)}`);
    }
  }
  return out;
}

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

function keyDigest(pk: string, rk: string): Buffer {
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

// ---------------------------------------------------------------------------
// Validation before writing

/** Most user properties an entity may have (255 minus PartitionKey, RowKey, Timestamp). */
export const MAX_USER_PROPERTIES = 252;
/** Longest PartitionKey / RowKey, in characters. */
export const MAX_KEY_LENGTH = 1024;
/** Longest property name, in characters. */
export const MAX_PROPERTY_NAME_LENGTH = 255;
/** Longest String value, in UTF-16 code units (64 KiB). */
export const MAX_STRING_LENGTH = 32 * 1024;
/** Largest Binary value, in bytes. */
export const MAX_BINARY_BYTES = 64 * 1024;

/** Why a key is rejected, or null. */
function keyProblem(field: string, k: string): string | null {
  if (k.length > MAX_KEY_LENGTH) return `${field}: longer than ${MAX_KEY_LENGTH} characters (${k.length})`;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c === 0x2f || c === 0x5c || c === 0x23 || c === 0x3f) {
      return `${field}: the character ${JSON.stringify(k.charAt(i))} (at ${i}) is not allowed in table keys`;
    }
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) {
      return `${field}: the control character U+${c.toString(16).toUpperCase().padStart(4, "0")} (at ${i}) is not allowed in table keys`;
    }
  }
  return null;
}

const INT_RE = /^-?(?:0|[1-9]\d*)$/;
const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,7})?Z$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function dateTimeProblem(v: string): string | null {
  const m = DATETIME_RE.exec(v);
  if (!m) return "is not an ISO-8601 UTC date-time like 2020-01-01T00:00:00.1234567Z";
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (y < 1601) return "is before 1601-01-01, the earliest DateTime Azure Tables stores";
  if (mo < 1 || mo > 12) return "has a month outside 01-12";
  const days = [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] as number;
  if (d < 1 || d > days) return "has a day that does not exist in its month";
  if (h > 23 || mi > 59 || s > 59) return "has a time outside 00:00:00-23:59:59";
  return null;
}

function valueProblem(type: EdmType, v: string): string | null {
  switch (type) {
    case "String":
      return v.length > MAX_STRING_LENGTH ? `String longer than ${MAX_STRING_LENGTH} characters (${v.length})` : null;
    case "Int32": {
      if (!INT_RE.test(v) || v === "-0") return `Int32 ${JSON.stringify(v)} is not a canonical decimal integer`;
      const n = Number(v);
      return n < -2147483648 || n > 2147483647 ? `Int32 ${v} is outside -2147483648..2147483647` : null;
    }
    case "Int64": {
      if (!INT_RE.test(v) || v === "-0" || v.length > 20) return `Int64 ${JSON.stringify(v)} is not a canonical decimal integer`;
      const n = BigInt(v);
      return n < INT64_MIN || n > INT64_MAX ? `Int64 ${v} is outside -9223372036854775808..9223372036854775807` : null;
    }
    case "Double": {
      if (v === "NaN" || v === "Infinity" || v === "-Infinity" || v === "-0") return null;
      const n = Number(v);
      if (v === "" || !Number.isFinite(n) || String(n) !== v) {
        return `Double ${JSON.stringify(v)} is not canonical (NaN, Infinity, -Infinity, -0 or the shortest decimal form)`;
      }
      return null;
    }
    case "Boolean":
      return v === "true" || v === "false" ? null : `Boolean ${JSON.stringify(v)} is not "true" or "false"`;
    case "DateTime": {
      const p = dateTimeProblem(v);
      return p === null ? null : `DateTime ${JSON.stringify(v)} ${p}`;
    }
    case "Guid":
      return GUID_RE.test(v) ? null : `Guid ${JSON.stringify(v)} is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`;
    case "Binary": {
      if (!BASE64_RE.test(v)) return "Binary value is not padded base64";
      const bytes = (v.length / 4) * 3 - (v.endsWith("==") ? 2 : v.endsWith("=") ? 1 : 0);
      return bytes > MAX_BINARY_BYTES ? `Binary value larger than ${MAX_BINARY_BYTES} bytes (${bytes})` : null;
    }
  }
}

/**
 * Checks a record against the rules Azure Tables (and the SDK) enforce, before anything
 * is written: keys (no '/', '\\', '#', '?', no control characters U+0000-U+001F and
 * U+007F-U+009F, at most 1024 characters), at most 252 user properties, property names
 * (non-empty, at most 255 characters, none the SDK cannot write), and each value in its
 * canonical form and range (Int32, Int64, Double, Boolean, DateTime from 1601, Guid,
 * padded base64 Binary up to 64 KiB, String up to 32 Ki characters).
 * Returns null when the record is writable, else one message naming the field and rule.
 * Never throws.
 */
export function validateRecordForWrite(r: EntityRecord): string | null {
  const k = keyProblem("PartitionKey", r.pk) ?? keyProblem("RowKey", r.rk);
  if (k !== null) return k;
  let count = 0;
  for (const name in r.props) {
    if (!Object.prototype.hasOwnProperty.call(r.props, name)) continue;
    if (++count > MAX_USER_PROPERTIES) return `props: more than ${MAX_USER_PROPERTIES} properties`;
    if (name.length === 0) return "props: a property name is empty";
    if (name.length > MAX_PROPERTY_NAME_LENGTH) return `props.${name.slice(0, 40)}…: property name longer than ${MAX_PROPERTY_NAME_LENGTH} characters`;
    if (UNWRITABLE_PROPERTY_NAMES.has(name)) return `props.${name}: this property name is reserved or cannot be written through @azure/data-tables`;
    const pv = r.props[name];
    if (!Array.isArray(pv) || pv.length !== 2 || typeof pv[1] !== "string") return `props.${name}: expected [type, value]`;
    const [type, value] = pv;
    if (!isEdmType(type)) return `props.${name}: unknown EDM type ${JSON.stringify(type)}`;
    const p = valueProblem(type, value);
    if (p !== null) return `props.${name}: ${p}`;
  }
  return null;
}
