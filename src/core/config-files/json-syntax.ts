import { jsonErrorOffset } from "./json-error-offset";
import { positionPrefix, type SyntaxProblem } from "./types";

/**
 * The kinds of error V8's `JSON.parse` reports, kept as the problem message. Anything
 * after the kind is dropped: V8 appends the offending token and a source excerpt
 * ("Unexpected token 's', ..."b": secretvalu"... is not valid JSON"), which may be a secret.
 */
const KINDS: readonly string[] = [
  "Unexpected end of JSON input",
  "Unexpected token",
  "Unexpected non-whitespace character after JSON",
  "Unexpected number",
  "Unexpected string",
  "Unterminated string",
  "Bad control character in string literal",
  "Bad escaped character",
  "Bad Unicode escape",
  "Expected property name or '}'",
  "Expected double-quoted property name",
  "Expected ':' after property name",
  "Expected ',' or '}' after property value",
  "Expected ',' or ']' after array element",
  "No number after minus sign",
  "Exponent part is missing a number",
  "Unterminated fractional number",
];

/** The fixed kind a `JSON.parse` message starts with, or "Invalid JSON". Never throws. */
export function jsonErrorKind(message: string): string {
  return KINDS.find((k) => message.startsWith(k)) ?? "Invalid JSON";
}

/** 1-based line and column of a UTF-16 offset in `text` (clamped to the text); lines end at `\n`. Never throws. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const at = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: at - start + 1 };
}

/**
 * 1-based line and column of the error a V8 `JSON.parse` message of `text` states:
 * "(line L column C)" (Node 22+) or "at position N" (Node 20); null when it states none.
 * Never throws.
 */
export function positionInMessage(text: string, message: string): { line: number; column: number } | null {
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /\bat position (\d+)/.exec(message);
  return pos ? lineColumn(text, Number(pos[1])) : null;
}

/**
 * The syntax error of a JSON text, or null when `JSON.parse` accepts it. The message is
 * the kind of error only (see KINDS), never a token or excerpt of the text. Line and
 * column (1-based) come from the V8 message when it has them, else from scanning the
 * text (V8's "Unexpected token" and "Unexpected end" messages carry no position); they
 * are omitted when neither finds one. Never throws.
 */
export function jsonProblem(text: string): SyntaxProblem | null {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : "";
    let at = positionInMessage(text, message);
    if (!at) {
      const offset = jsonErrorOffset(text);
      if (offset !== null) at = lineColumn(text, offset);
    }
    const kind = jsonErrorKind(message);
    return at ? { message: `${positionPrefix(at.line, at.column)}${kind}`, line: at.line, column: at.column } : { message: kind };
  }
}
