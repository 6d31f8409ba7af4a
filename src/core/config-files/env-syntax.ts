import { positionPrefix, type SyntaxProblem } from "./types";

/**
 * The syntax of `.env` files, dotenv-like:
 * - blank lines and lines starting with `#` (after spaces) are ignored;
 * - every other line is `KEY=VALUE`, with spaces allowed around `=`; KEY matches
 *   `^(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*$` (the `export ` prefix is not part of the name);
 * - VALUE is unquoted (anything, to the end of the line; ` #` starts a comment), or
 *   'single-quoted' (closed on the same line, no escapes), or "double-quoted" (may span
 *   lines until the closing quote; a backslash escapes the next character, so `\"` does
 *   not close it); after a closing quote only spaces and a `# comment` may follow.
 * Problems name the line and what is wrong, never the text of the line.
 */

/** A valid name, with an optional `export ` prefix. */
export const ENV_KEY = /^(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The result of reading a `.env` text: its variable names in file order, or the first problem. */
export type EnvScan = { ok: true; keys: string[] } | { ok: false; problem: SyntaxProblem & { line: number } };

function fail(line: number, what: string): EnvScan {
  return { ok: false, problem: { message: `${positionPrefix(line, undefined)}${what}`, line } };
}

/** True when what follows a closing quote is only spaces and an optional comment. */
function cleanTail(tail: string): boolean {
  return /^\s*(#.*)?$/.test(tail);
}

/**
 * The variable names (in file order, repeats kept) of a `.env` text, or its first
 * problem with a 1-based line number (see the module comment for the rules). Lines end
 * at `\n`, `\r\n` or `\r`. Never throws.
 */
export function scanEnv(text: string): EnvScan {
  const lines = text.split(/\r\n|\n|\r/);
  const keys: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const eq = raw.indexOf("=");
    if (eq < 0) return fail(lineNo, "expected KEY=VALUE");
    const key = raw.slice(0, eq).trim();
    if (!ENV_KEY.test(key)) return fail(lineNo, "invalid variable name (expected letters, digits, _ . - not starting with a digit)");
    keys.push(key.replace(/^export\s+/, ""));
    const value = raw.slice(eq + 1).replace(/^\s+/, "");
    if (value.startsWith("'")) {
      const close = value.indexOf("'", 1);
      if (close < 0) return fail(lineNo, "unterminated single quote");
      if (!cleanTail(value.slice(close + 1))) return fail(lineNo, "unexpected text after the closing quote");
    } else if (value.startsWith('"')) {
      const end = closeDoubleQuote(lines, i, value);
      if (end === null) return fail(lineNo, "unterminated double quote");
      if (!cleanTail(end.tail)) return fail(end.index + 1, "unexpected text after the closing quote");
      i = end.index;
    }
  }
  return { ok: true, keys };
}

/**
 * Finds the quote closing a double-quoted value that starts `first` (the text after
 * `=` on line `index`, beginning with `"`): the index of the line it is on and the text
 * after it, or null when the file ends first.
 */
function closeDoubleQuote(lines: readonly string[], index: number, first: string): { index: number; tail: string } | null {
  let text = first;
  let from = 1;
  for (let li = index; li < lines.length; li++) {
    if (li > index) {
      text = lines[li]!;
      from = 0;
    }
    for (let c = from; c < text.length; c++) {
      if (text[c] === "\\") c++;
      else if (text[c] === '"') return { index: li, tail: text.slice(c + 1) };
    }
  }
  return null;
}
