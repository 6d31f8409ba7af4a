/**
 * CSV text as RFC 4180 writes it, with the rules Lifeboat's typed CSV was first written with
 * (csv-stringify with `record_delimiter: "\r\n"` and `quoted_match: /^\s|\s$/`) but one: every
 * row ends with CRLF; a field is quoted when it holds a comma, a quote, CR or LF, or begins or
 * ends with whitespace (JavaScript's `\s`), and quotes inside it are doubled; an empty field is
 * written as nothing. The one: csv-stringify 6.9 stops quoting a lone CR or LF once the record
 * delimiter is set, and such a row did not read back; here it is always quoted. Values are never altered otherwise (no formula escaping, see docs/format.md §11).
 * Written by hand because a full backup writes a CSV copy of every entity: csv-stringify's
 * general machinery cost more than the rest of the copy. Pure, never throws.
 */

const SPECIAL = /[",\r\n]/;
const SPACE = /\s/;

/** One field as it appears in a row. */
export function csvField(value: string): string {
  if (value === "") return value;
  // Whitespace only matters at either end: two one-character tests, not a scan of the value.
  const quote = SPECIAL.test(value) || SPACE.test(value[0]!) || SPACE.test(value[value.length - 1]!);
  if (!quote) return value;
  return '"' + (value.includes('"') ? value.replaceAll('"', '""') : value) + '"';
}

/** One row and its CRLF. */
export function csvRow(cells: readonly string[]): string {
  return cells.map(csvField).join(",") + "\r\n";
}

/** Rows as CSV text, each ending with CRLF. */
export function csvRows(rows: readonly (readonly string[])[]): string {
  let s = "";
  for (const row of rows) s += csvRow(row);
  return s;
}
