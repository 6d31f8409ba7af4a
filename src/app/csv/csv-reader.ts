import { once } from "node:events";
import { parse, type CsvError as ParseError } from "csv-parse";
import type { CsvError } from "../../core/csv/check";
import { Utf8Scanner, utf8Reason } from "../../core/csv/utf8";

/** Where a CSV comes from: a fresh stream of its bytes each time it is called (import reads it twice). */
export type CsvSource = () => AsyncIterable<Buffer>;

export interface CsvVisitor {
  /** A parsed row (the header first) and the line it starts on. */
  row(cells: string[], line: number): void | Promise<void>;
  /** A syntax or encoding problem. */
  problem(e: CsvError): void;
  /** Bytes of the file read so far (for progress). */
  bytes?(n: number): void;
}

function count(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i !== -1; i = s.indexOf(c, i + 1)) n++;
  return n;
}

/**
 * Streams a CSV through csv-parse (RFC 4180: `,` delimiter, `"` quotes, CRLF or LF rows,
 * a BOM dropped, empty lines skipped), giving each row with the line it starts on, and
 * every syntax problem (a stray or unclosed quote: the parser skips that record and goes
 * on) and invalid UTF-8 byte with its line and column. Memory holds one chunk and one
 * row. Throws only what reading the source throws, or what `visitor.row` throws.
 */
export async function readCsv(source: CsvSource, visitor: CsvVisitor): Promise<void> {
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true, record_delimiter: ["\r\n", "\n"] });
  // csv-parse counts every CR and LF inside a quoted field as a line; editors count CRLF once.
  let crlfSoFar = 0;
  parser.on("skip", (err: ParseError) => {
    const e = err as ParseError & { lines?: number; column?: number | string };
    const line = (typeof e.lines === "number" ? e.lines : 1) - crlfSoFar;
    visitor.problem({ line, column: typeof e.column === "number" ? e.column + 1 : null, reason: `CSV syntax: ${syntaxReason(e.code, e.message)}` });
  });
  const scanner = new Utf8Scanner();
  const feed = async (): Promise<void> => {
    const push = async (r: { text: string; problems: { line: number; column: number; byte: number }[] }): Promise<void> => {
      for (const p of r.problems) visitor.problem({ line: p.line, column: p.column, reason: utf8Reason(p) });
      if (r.text.length > 0 && !parser.write(r.text)) await once(parser, "drain");
    };
    for await (const chunk of source()) {
      await push(scanner.push(chunk));
      visitor.bytes?.(chunk.length);
    }
    await push(scanner.end());
    parser.end();
  };
  const feeding = feed().catch((err: unknown) => {
    parser.destroy(err instanceof Error ? err : new Error(String(err)));
    throw err;
  });
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const cells = item.record;
      let cr = 0;
      let lf = 0;
      let crlf = 0;
      for (const c of cells) {
        if (c.length === 0) continue;
        cr += count(c, "\r");
        lf += count(c, "\n");
        crlf += count(c, "\r\n");
      }
      const end = item.info.lines - crlfSoFar - crlf;
      crlfSoFar += crlf;
      await visitor.row(cells, end - (cr + lf - crlf));
    }
  } catch (err) {
    parser.destroy(err instanceof Error ? err : new Error(String(err))); // frees a feed waiting for "drain"
    await feeding.catch(() => undefined);
    throw err;
  }
  await feeding;
}

function syntaxReason(code: string | undefined, message: string): string {
  switch (code) {
    case "CSV_INVALID_CLOSING_QUOTE":
      return 'a quote inside a quoted field is not doubled (write "" for a quote), or text follows the closing quote; the rest of the file may be misread from here';
    case "INVALID_OPENING_QUOTE":
      return 'a quote in the middle of an unquoted field (quote the whole field and double the quote: "a""b")';
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quoted field is never closed (a stray quote earlier swallowed the rest of the file)";
    default:
      return message.replace(/\s+/g, " ").slice(0, 200);
  }
}
