/**
 * Finds where a JSON text (RFC 8259, as `JSON.parse` reads it) stops being valid.
 * `JSON.parse` does not always say: V8's "Unexpected token" messages give a source
 * excerpt instead of a position. Iterative, so deep nesting cannot overflow the stack.
 */

const WS = new Set([" ", "\t", "\n", "\r"]);
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/**
 * The offset (UTF-16 code units, 0-based) of the first character at which `text` is not
 * valid JSON — `text.length` when it ends too early — or null when it is valid JSON.
 * Never throws.
 */
export function jsonErrorOffset(text: string): number | null {
  const n = text.length;
  const stack: ("{" | "[")[] = [];
  let i = 0;
  let expectValue = true;

  const skipWs = (): void => {
    while (i < n && WS.has(text[i]!)) i++;
  };
  /** Reads a string at `i` (a `"`); the offset of its error, or null. */
  const string = (): number | null => {
    i++;
    for (;;) {
      if (i >= n) return n;
      const c = text[i]!;
      if (c === '"') {
        i++;
        return null;
      }
      if (c < " ") return i;
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          for (let k = 2; k < 6; k++) if (!isHex(text[i + k])) return Math.min(i + k, n);
          i += 6;
        } else if (e !== undefined && ESCAPES.has(e)) i += 2;
        else return Math.min(i + 1, n);
      } else i++;
    }
  };
  /** Reads a number at `i`; the offset of its error, or null. */
  const number = (): number | null => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else if (isDigit(text[i])) while (isDigit(text[i])) i++;
    else return i;
    if (text[i] === ".") {
      i++;
      if (!isDigit(text[i])) return i;
      while (isDigit(text[i])) i++;
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (!isDigit(text[i])) return i;
      while (isDigit(text[i])) i++;
    }
    return null;
  };
  /** Reads `"key" :` at `i`; the offset of its error, or null. */
  const key = (): number | null => {
    skipWs();
    if (text[i] !== '"') return i;
    const e = string();
    if (e !== null) return e;
    skipWs();
    if (text[i] !== ":") return i;
    i++;
    return null;
  };

  for (;;) {
    skipWs();
    if (expectValue) {
      const c = text[i];
      let e: number | null = null;
      if (c === undefined) return n;
      if (c === "{" || c === "[") {
        i++;
        skipWs();
        if (text[i] === (c === "{" ? "}" : "]")) {
          i++;
          expectValue = false;
          continue;
        }
        stack.push(c);
        if (c === "{") e = key();
        if (e !== null) return e;
        continue;
      }
      if (c === '"') e = string();
      else if (c === "-" || isDigit(c)) e = number();
      else {
        const word = c === "t" ? "true" : c === "f" ? "false" : c === "n" ? "null" : null;
        if (word === null) return i;
        for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) return Math.min(i + k, n);
        i += word.length;
      }
      if (e !== null) return e;
      expectValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i < n ? i : null;
    if (i >= n) return n;
    if (text[i] === ",") {
      i++;
      expectValue = true;
      if (top === "{") {
        const e = key();
        if (e !== null) return e;
      }
      continue;
    }
    if (text[i] === (top === "{" ? "}" : "]")) {
      stack.pop();
      i++;
      continue;
    }
    return i;
  }
}
