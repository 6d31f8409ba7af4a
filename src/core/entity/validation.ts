import { isEdmType, UNWRITABLE_PROPERTY_NAMES } from "./codec";
import type { EdmType, EntityRecord } from "./record";

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

/** Why a key is rejected (naming `field` and the rule), or null. Never throws. */
export function keyProblem(field: string, k: string): string | null {
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

/** Why a canonical value does not fit its EDM type (or its size limit), or null. Never throws. */
export function valueProblem(type: EdmType, v: string): string | null {
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
