import { stringify } from "csv-stringify/sync";
import type { EntityRecord } from "../../core/entity/record";
import { columnOrder, headerCells, rowCells } from "../../core/csv/typed-csv";

/**
 * CSV text of rows (csv-stringify: RFC 4180, CRLF row ends, a field quoted when it holds a
 * comma, a quote, CR or LF, quotes doubled). Values are never altered: no formula escaping
 * (see docs/format.md §11). Never throws for strings.
 */
export function csvText(rows: readonly (readonly string[])[]): string {
  return stringify(rows as string[][], { record_delimiter: "\r\n", quoted_match: /^\s|\s$/ });
}

/** A whole typed CSV of records (header included), columns from their property names. Never throws. */
export function typedCsv(records: readonly EntityRecord[]): string {
  const names = columnOrder(records.flatMap((r) => Object.keys(r.props)));
  return csvText([headerCells(names), ...records.map((r) => rowCells(r, names))]);
}

/** Strings the CSV cannot carry exactly: a lone surrogate becomes U+FFFD in UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when a record holds a value UTF-8 text cannot carry exactly (a lone surrogate). Never throws. */
export function lossyInCsv(r: EntityRecord): boolean {
  if (LONE_SURROGATE.test(r.pk) || LONE_SURROGATE.test(r.rk)) return true;
  for (const n in r.props) if (LONE_SURROGATE.test(n) || LONE_SURROGATE.test(r.props[n]![1])) return true;
  return false;
}
