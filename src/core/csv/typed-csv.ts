import { isEdmType, UNWRITABLE_PROPERTY_NAMES } from "../entity/codec";
import { EDM_TYPES, type EdmType, type EntityRecord, type PropertyValue } from "../entity/record";
import { keyProblem, MAX_PROPERTY_NAME_LENGTH, MAX_USER_PROPERTIES, valueProblem } from "../entity/validation";
import { entitySize, MAX_ENTITY_BYTES } from "./entity-size";
import { inferValue } from "./infer";

/**
 * Azure Storage Explorer's typed CSV, as Lifeboat reads and writes it (docs/format.md §11):
 * a header `PartitionKey,RowKey,Timestamp,Name,Name@type,…`, then one row per entity with
 * each property's value and, in its `@type` column, its EDM type (`Int64`, `DateTime`, …;
 * `Edm.Int64` is read too). Types are per row: a property may have different types in
 * different entities, and both cells are empty where an entity lacks the property. Values
 * are Lifeboat's canonical strings (docs/format.md §6), so a file Lifeboat writes reads back
 * as exactly the same records. Pure: the CSV syntax itself is csv-parse's (reading) and core/csv/csv-text (writing).
 */

export const SYSTEM_COLUMNS = ["PartitionKey", "RowKey", "Timestamp"] as const;
const TYPE_SUFFIX = "@type";

/** One problem with one cell (1-based column), or with the whole row (column null). */
export interface CellProblem {
  column: number | null;
  reason: string;
}

/** Where each field of a row is. Column indexes are 0-based. */
export interface CsvLayout {
  width: number;
  pk: number;
  rk: number;
  props: { name: string; value: number; type: number | null }[];
}

/** EDM type names as they appear in `@type` cells, case-insensitive, with or without `Edm.`. */
const TYPE_NAMES: ReadonlyMap<string, EdmType> = new Map(EDM_TYPES.flatMap((t) => [[t.toLowerCase(), t] as const, [`edm.${t.toLowerCase()}`, t] as const]));

/** The EDM type an `@type` cell names, or null. Never throws. */
export function parseTypeName(cell: string): EdmType | null {
  return TYPE_NAMES.get(cell.trim().toLowerCase()) ?? null;
}

/**
 * Reads the header row: PartitionKey and RowKey must be there, no column twice, no column
 * unnamed, every `X@type` next to an `X`, property names Azure Tables accepts. Timestamp
 * (and `@type` columns of the system columns, which old Storage Explorer versions wrote) are
 * ignored: the service sets Timestamp. A property without an `@type` column is untyped: its
 * type is inferred with `inferTypes`, and it is an error without.
 * Returns the layout, or null and every problem. Never throws.
 */
export function readHeader(cells: readonly string[], inferTypes: boolean): { layout: CsvLayout | null; problems: CellProblem[] } {
  const problems: CellProblem[] = [];
  const at = new Map<string, number>();
  cells.forEach((name, i) => {
    if (name === "") problems.push({ column: i + 1, reason: "a column has no name" });
    else if (at.has(name)) problems.push({ column: i + 1, reason: `column ${JSON.stringify(name)} appears twice (first in column ${at.get(name)! + 1})` });
    else at.set(name, i);
  });
  const pk = at.get("PartitionKey");
  const rk = at.get("RowKey");
  if (pk === undefined) problems.push({ column: null, reason: "no PartitionKey column (the header must name PartitionKey and RowKey)" });
  if (rk === undefined) problems.push({ column: null, reason: "no RowKey column (the header must name PartitionKey and RowKey)" });
  const props: CsvLayout["props"] = [];
  const untyped: number[] = [];
  let typedColumns = 0;
  for (const [name, i] of at) {
    if ((SYSTEM_COLUMNS as readonly string[]).includes(name)) continue;
    if (name.endsWith(TYPE_SUFFIX)) {
      const base = name.slice(0, -TYPE_SUFFIX.length);
      typedColumns++;
      if (!(SYSTEM_COLUMNS as readonly string[]).includes(base) && !at.has(base)) {
        problems.push({ column: i + 1, reason: `${JSON.stringify(name)} has no ${JSON.stringify(base)} column before or after it` });
      }
      continue;
    }
    const nameRule = propertyNameProblem(name);
    if (nameRule) problems.push({ column: i + 1, reason: nameRule });
    const type = at.get(name + TYPE_SUFFIX) ?? null;
    if (type === null) untyped.push(i);
    props.push({ name, value: i, type });
  }
  if (!inferTypes && untyped.length > 0) {
    if (typedColumns === 0) {
      problems.push({ column: null, reason: "this is an untyped CSV (no @type columns): give --infer-types to infer each value's type as Storage Explorer does" });
    } else {
      for (const i of untyped) problems.push({ column: i + 1, reason: `${JSON.stringify(cells[i])} has no ${JSON.stringify(cells[i] + TYPE_SUFFIX)} column: give --infer-types to infer its types` });
    }
  }
  if (problems.length > 0 || pk === undefined || rk === undefined) return { layout: null, problems };
  return { layout: { width: cells.length, pk, rk, props }, problems };
}

function propertyNameProblem(name: string): string | null {
  if (name.length > MAX_PROPERTY_NAME_LENGTH) return `property name longer than ${MAX_PROPERTY_NAME_LENGTH} characters`;
  if (UNWRITABLE_PROPERTY_NAMES.has(name)) return `${JSON.stringify(name)} is reserved: it cannot be a property name`;
  return null;
}

const DOUBLE_LEXEME = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The canonical string of a cell read as `type`: Double lexemes are normalised (`2.0` → `2`,
 * `INF` → `Infinity`), Boolean is case-insensitive; every other type is taken as written
 * and checked by valueProblem. Returns the value or why it does not fit. Never throws.
 */
export function canonicalCell(type: EdmType, cell: string): { value: string } | { problem: string } {
  switch (type) {
    case "Double": {
      const special = ({ nan: "NaN", infinity: "Infinity", "+infinity": "Infinity", inf: "Infinity", "-infinity": "-Infinity", "-inf": "-Infinity" } as Record<string, string>)[cell.toLowerCase()];
      if (special) return { value: special };
      if (!DOUBLE_LEXEME.test(cell)) return { problem: `Double ${JSON.stringify(cell)} is not a number (nor NaN, Infinity, -Infinity)` };
      const n = Number(cell);
      if (!Number.isFinite(n)) return { problem: `Double ${JSON.stringify(cell)} is outside the range of a double` };
      return { value: n === 0 && 1 / n < 0 ? "-0" : String(n) };
    }
    case "Boolean": {
      const b = cell.toLowerCase();
      return b === "true" || b === "false" ? { value: b } : { problem: `Boolean ${JSON.stringify(cell)} is not true or false` };
    }
    default:
      return { value: cell };
  }
}

/**
 * One data row as a record: keys checked (length, `/ \ # ?`, control characters), each
 * property's type and value checked, absent where both its cells are empty, at most 252
 * properties and 1 MiB (the service's size formula). An empty `@type` cell beside a
 * value is inferred with `inferTypes`, an error without.
 * Returns the record, or null and every problem found in the row. Never throws.
 */
export function decodeRow(cells: readonly string[], layout: CsvLayout, inferTypes: boolean): { record: EntityRecord | null; problems: CellProblem[] } {
  if (cells.length !== layout.width) {
    return { record: null, problems: [{ column: Math.min(cells.length, layout.width) + 1, reason: `the row has ${cells.length} field${cells.length === 1 ? "" : "s"}, the header has ${layout.width}` }] };
  }
  const problems: CellProblem[] = [];
  const pk = cells[layout.pk]!;
  const rk = cells[layout.rk]!;
  const pkBad = keyProblem("PartitionKey", pk);
  if (pkBad) problems.push({ column: layout.pk + 1, reason: pkBad });
  const rkBad = keyProblem("RowKey", rk);
  if (rkBad) problems.push({ column: layout.rk + 1, reason: rkBad });
  const props: Record<string, PropertyValue> = {};
  let count = 0;
  for (const p of layout.props) {
    const cell = cells[p.value]!;
    const typeCell = p.type === null ? "" : cells[p.type]!;
    let type: EdmType;
    if (typeCell === "") {
      if (cell === "") continue; // the entity does not have this property
      if (!inferTypes) {
        problems.push({ column: (p.type ?? p.value) + 1, reason: `${p.name}: a value without a type (empty @type cell): write its EDM type, or give --infer-types` });
        continue;
      }
      type = inferValue(cell);
    } else {
      const t = parseTypeName(typeCell);
      if (t === null || !isEdmType(t)) {
        problems.push({ column: p.type! + 1, reason: `${p.name}: unknown type ${JSON.stringify(typeCell)} (one of ${EDM_TYPES.join(", ")})` });
        continue;
      }
      type = t;
    }
    const c = canonicalCell(type, cell);
    const bad = "problem" in c ? c.problem : valueProblem(type, c.value);
    if (bad !== null || "problem" in c) {
      problems.push({ column: p.value + 1, reason: `${p.name}: ${bad}` });
      continue;
    }
    count++;
    props[p.name] = [type, c.value];
  }
  if (count > MAX_USER_PROPERTIES) problems.push({ column: null, reason: `${count} properties: an entity holds at most ${MAX_USER_PROPERTIES} besides PartitionKey, RowKey and Timestamp` });
  const record: EntityRecord = { pk, rk, props };
  if (problems.length === 0) {
    const size = entitySize(record);
    if (size > MAX_ENTITY_BYTES) problems.push({ column: null, reason: `the entity is ${size} bytes by the service's size rule, over its 1 MiB limit (${MAX_ENTITY_BYTES})` });
  }
  return problems.length > 0 ? { record: null, problems } : { record, problems };
}

/** Property names in column order: sorted by UTF-16 code units, as the content digest sorts them. */
export function columnOrder(names: Iterable<string>): string[] {
  return [...new Set(names)].sort();
}

/** The header row for these property names: PartitionKey, RowKey, Timestamp, then `Name`, `Name@type` for each. Never throws. */
export function headerCells(names: readonly string[]): string[] {
  return [...SYSTEM_COLUMNS, ...names.flatMap((n) => [n, n + TYPE_SUFFIX])];
}

/**
 * One entity as the cells of a row under headerCells(names): keys, Timestamp (empty when
 * unknown), then each property's canonical value and type, both empty when it lacks it.
 * Values are written exactly, formula-like ones (`=`, `+`, `-`, `@`) included: the file is a
 * backup and must read back unchanged, so it is not safe to open in a spreadsheet.
 * Properties not in `names` are a programming error: throws RangeError.
 */
export function rowCells(r: EntityRecord, names: readonly string[]): string[] {
  const out: string[] = [r.pk, r.rk, r.ts ?? ""];
  let seen = 0;
  for (const n of names) {
    const pv = Object.prototype.hasOwnProperty.call(r.props, n) ? r.props[n] : undefined;
    if (pv) {
      out.push(pv[1], pv[0]);
      seen++;
    } else out.push("", "");
  }
  if (seen !== Object.keys(r.props).length) throw new RangeError("rowCells: the record has a property the header does not name");
  return out;
}
