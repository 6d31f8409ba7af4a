import type { EntityRecord } from "../entity/record";
import { KeyStates } from "../keys/key-states";
import { decodeRow, readHeader, type CsvLayout } from "./typed-csv";

/**
 * One problem of a CSV file: its line (1-based, as an editor counts them), its column
 * (1-based: the field for a cell's problem, the character for an encoding problem; null
 * when it is the whole row or file) and why.
 */
export interface CsvError {
  line: number;
  column: number | null;
  reason: string;
}

/** How many errors a report lists; the rest are counted. */
export const MAX_REPORTED_ERRORS = 100;

/** Longest reason kept (a reason may quote a cell). */
const MAX_REASON = 300;

/** "line 3, column 2: reason" (or "line 3: reason"). Never throws. */
export function describeCsvError(e: CsvError): string {
  return `line ${e.line}${e.column === null ? "" : `, column ${e.column}`}: ${e.reason}`;
}

/**
 * Checks a typed CSV row by row, in the order a parser meets them: the header, then
 * each data row (keys, types, values, size, keys already met in the file). Syntax and
 * encoding problems the reader finds are added with `problem`. Keeps every error up to
 * `maxErrors` and counts the rest; the key set costs ~36 bytes a row (KeyStates), nothing
 * else grows with the file. Never throws for bad input.
 */
export class CsvChecker {
  readonly errors: CsvError[] = [];
  /** Repeated keys among the listed errors: `firstLine` is filled in by whoever finds where each first appeared. */
  readonly repeated: { pk: string; rk: string; error: CsvError }[] = [];
  more = 0;
  rows = 0;
  #layout: CsvLayout | null = null;
  #headerSeen = false;
  readonly #keys = new KeyStates();

  constructor(private readonly options: { inferTypes: boolean; maxErrors?: number; checkDuplicates?: boolean }) {}

  /** The layout, once a valid header has been read. */
  get layout(): CsvLayout | null {
    return this.#layout;
  }

  /** Adds a problem found outside the rows' content (syntax, encoding). */
  problem(e: CsvError): void {
    // A reason may quote a cell: a huge bad cell must not make a huge report.
    const reason = e.reason.length > MAX_REASON ? `${e.reason.slice(0, MAX_REASON)}…` : e.reason;
    if (this.errors.length < (this.options.maxErrors ?? MAX_REPORTED_ERRORS)) this.errors.push({ ...e, reason });
    else this.more++;
  }

  /** Reads one parsed row (the first is the header). Returns the record of a valid data row, else null. */
  row(cells: readonly string[], line: number): EntityRecord | null {
    if (!this.#headerSeen) {
      this.#headerSeen = true;
      const h = readHeader(cells, this.options.inferTypes);
      for (const p of h.problems) this.problem({ line, column: p.column, reason: p.reason });
      this.#layout = h.layout;
      return null;
    }
    this.rows++;
    if (!this.#layout) return null; // the header's errors say why nothing more is checked
    const r = decodeRow(cells, this.#layout, this.options.inferTypes);
    for (const p of r.problems) this.problem({ line, column: p.column, reason: p.reason });
    if (!r.record) return null;
    if (this.options.checkDuplicates !== false && this.#keys.add(r.record.pk, r.record.rk, 1) !== 0) {
      const before = this.errors.length;
      this.problem({ line, column: this.#layout.rk + 1, reason: `PartitionKey ${JSON.stringify(r.record.pk)} RowKey ${JSON.stringify(r.record.rk)}: an earlier row has the same keys` });
      if (this.errors.length > before) this.repeated.push({ pk: r.record.pk, rk: r.record.rk, error: this.errors[before]! });
      return null;
    }
    return r.record;
  }

  /** Says in each repeated key's error where the key first appeared (from a later read of the file). */
  firstSeen(pk: string, rk: string, line: number): void {
    for (const d of this.repeated) if (d.pk === pk && d.rk === rk && !d.error.reason.endsWith(")")) d.error.reason += ` (line ${line})`;
  }

  /** Ends the file: an empty file (no header) is an error. Returns true when no error was found. */
  finish(): boolean {
    if (!this.#headerSeen) this.problem({ line: 1, column: null, reason: "the file is empty: a typed CSV starts with a header naming PartitionKey and RowKey" });
    this.errors.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
    return this.errors.length === 0 && this.more === 0;
  }
}
