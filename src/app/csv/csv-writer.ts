import type { EntityRecord } from "../../core/entity/record";
import { csvRow } from "../../core/csv/csv-text";
import { columnOrder, headerCells, rowCells } from "../../core/csv/typed-csv";

/** A whole typed CSV of records (header included), columns from their property names. Never throws. */
export function typedCsv(records: readonly EntityRecord[]): string {
  const names = new Set<string>();
  for (const r of records) for (const n in r.props) names.add(n);
  const columns = columnOrder(names);
  let s = csvRow(headerCells(columns));
  for (const r of records) s += csvRow(rowCells(r, columns));
  return s;
}

/** Strings the CSV cannot carry exactly: a lone surrogate becomes U+FFFD in UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when a record holds a value UTF-8 text cannot carry exactly (a lone surrogate). Never throws. */
export function lossyInCsv(r: EntityRecord): boolean {
  if (LONE_SURROGATE.test(r.pk) || LONE_SURROGATE.test(r.rk)) return true;
  for (const n in r.props) if (LONE_SURROGATE.test(n) || LONE_SURROGATE.test(r.props[n]![1])) return true;
  return false;
}
