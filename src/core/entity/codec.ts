import { LifeboatError } from "../errors";
import { JsonNumber, isLJObject, parseLossless, type LJObject, type LJValue } from "./lossless-json";
import { EDM_TYPES, type EdmType, type EntityRecord, type PropertyValue } from "./record";

/**
 * The entity codec: Table service JSON -> EntityRecord (canonical strings), and EntityRecord
 * -> the object @azure/data-tables writes unchanged. Backup file lines: record-lines.ts;
 * checks before writing: entity-validation.ts.
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
    super("DATA.ENTITY_FORMAT", message, options);
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
