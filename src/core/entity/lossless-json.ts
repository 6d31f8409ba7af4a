import { LifeboatError } from "../errors";

/**
 * A JSON parser that keeps every number as the exact text it was sent as.
 *
 * Why: the Table service sends an integral Double as `2.0`; `JSON.parse` turns it into 2,
 * which is indistinguishable from the Int32 2, and Int64 values beyond 2^53 would lose
 * digits. Here a number becomes a `JsonNumber` holding its lexeme, and the caller decides.
 */

/** A JSON number, kept as its exact source text (e.g. `"2.0"`, `"-0"`, `"1e+300"`). */
export class JsonNumber {
  /** @param lexeme the number exactly as it appeared in the JSON text. */
  constructor(readonly lexeme: string) {}
  /** True when the lexeme has a fraction or exponent (`2.0`, `1e5`): JSON's mark of a non-integer literal. */
  get isIntegerLiteral(): boolean {
    const s = this.lexeme;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x2e || c === 0x65 || c === 0x45) return false; // . e E
    }
    return true;
  }
}

/** A JSON object whose values are lossless JSON values. Own keys only; `__proto__` is an ordinary key. */
export interface LJObject {
  [key: string]: LJValue;
}

/** Any value produced by `parseLossless`. */
export type LJValue = string | boolean | null | JsonNumber | LJValue[] | LJObject;

/** Malformed JSON. `position` is the 0-based UTF-16 offset of the offending character. */
export class JsonSyntaxError extends LifeboatError {
  override readonly name = "JsonSyntaxError";
  constructor(
    message: string,
    readonly position: number,
  ) {
    super("DATA.JSON_SYNTAX", message, { details: { position } });
  }
}

/** True for a JSON object (not an array, number or null). */
export function isLJObject(v: LJValue | undefined): v is LJObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

const MAX_DEPTH = 512;

/**
 * Parses JSON text, keeping numbers as `JsonNumber` lexemes. Objects are plain objects
 * (a key `__proto__` becomes an own property, as with `JSON.parse`); duplicate keys: the
 * last one wins. Throws JsonSyntaxError (with the position, line and column) on malformed
 * input, including trailing garbage, unescaped control characters in strings, invalid
 * escapes and nesting deeper than 512 levels.
 */
export function parseLossless(text: string): LJValue {
  return new Parser(text).parseDocument();
}

const CONTROL_CHAR = /[\u0000-\u001f]/g;
/** A key holding one of these is never reused (its raw text is not the key itself). */
const REUSABLE_KEY_NOT = /["\\\u0000-\u001f]/;
/** Object keys remembered for reuse: the first 64 keys of objects up to 4 levels deep. */
const KEY_CACHE_DEPTH = 4;
const KEY_CACHE_WIDTH = 64;

class Parser {
  private pos = 0;
  private depth = 0;
  /** Next backslash at or after the last string start (Infinity when none): lets strings without escapes skip the per-character loop. */
  private nextBackslash = -1;
  /** Next raw control character likewise (illegal inside strings). */
  private nextControl = -1;
  /** The last key seen at each (depth, index) of an object: see parseKey. */
  private readonly keys: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_DEPTH * KEY_CACHE_WIDTH);
  constructor(private readonly src: string) {}

  parseDocument(): LJValue {
    this.skipWs();
    const v = this.parseValue();
    this.skipWs();
    if (this.pos < this.src.length) this.fail("unexpected data after the JSON value");
    return v;
  }

  private fail(what: string, at: number = this.pos): never {
    const s = this.src;
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < s.length; i++) {
      if (s.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const found = at >= s.length ? "end of input" : `${JSON.stringify(s.charAt(at))}`;
    throw new JsonSyntaxError(
      `Invalid JSON: ${what} at position ${at} (line ${line}, column ${at - lineStart + 1}; found ${found})`,
      at,
    );
  }

  private skipWs(): void {
    const s = this.src;
    let i = this.pos;
    const n = s.length;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  private parseValue(): LJValue {
    const s = this.src;
    const c = s.charCodeAt(this.pos);
    switch (c) {
      case 0x22: // "
        return this.parseString();
      case 0x7b: // {
        return this.parseObject();
      case 0x5b: // [
        return this.parseArray();
      case 0x74: // t
        return this.parseLiteral("true", true);
      case 0x66: // f
        return this.parseLiteral("false", false);
      case 0x6e: // n
        return this.parseLiteral("null", null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.fail(Number.isNaN(c) ? "unexpected end of input, expected a value" : "expected a value");
    }
  }

  private parseLiteral<T extends boolean | null>(word: string, value: T): T {
    if (!this.src.startsWith(word, this.pos)) this.fail(`expected '${word}'`);
    this.pos += word.length;
    return value;
  }

  private parseNumber(): JsonNumber {
    const s = this.src;
    const start = this.pos;
    let i = start;
    let c = s.charCodeAt(i);
    if (c === 0x2d) c = s.charCodeAt(++i);
    if (c === 0x30) {
      c = s.charCodeAt(++i);
    } else if (c >= 0x31 && c <= 0x39) {
      do c = s.charCodeAt(++i);
      while (c >= 0x30 && c <= 0x39);
    } else {
      this.fail("expected a digit", i);
    }
    if (c === 0x2e) {
      c = s.charCodeAt(++i);
      if (!(c >= 0x30 && c <= 0x39)) this.fail("expected a digit after the decimal point", i);
      do c = s.charCodeAt(++i);
      while (c >= 0x30 && c <= 0x39);
    }
    if (c === 0x65 || c === 0x45) {
      c = s.charCodeAt(++i);
      if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++i);
      if (!(c >= 0x30 && c <= 0x39)) this.fail("expected a digit in the exponent", i);
      do c = s.charCodeAt(++i);
      while (c >= 0x30 && c <= 0x39);
    }
    this.pos = i;
    return new JsonNumber(s.slice(start, i));
  }

  private parseString(): string {
    const s = this.src;
    const n = s.length;
    const start = this.pos + 1;
    // Fast path: find the closing quote with indexOf (native, vectorised) and accept the
    // slice when no backslash or control character comes before it. The next positions
    // of those are cached, so the whole document is searched for each only once.
    const close = s.indexOf('"', start);
    if (close !== -1) {
      if (this.nextBackslash < start) {
        const b = s.indexOf("\\", start);
        this.nextBackslash = b === -1 ? Infinity : b;
      }
      if (this.nextControl < start) {
        CONTROL_CHAR.lastIndex = start;
        const m = CONTROL_CHAR.exec(s);
        this.nextControl = m === null ? Infinity : m.index;
      }
      if (this.nextBackslash > close && this.nextControl > close) {
        this.pos = close + 1;
        return s.slice(start, close);
      }
    }
    let i = start;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return s.slice(start, i);
      }
      if (c === 0x5c) break;
      if (c < 0x20) this.fail("unescaped control character in string", i);
      i++;
    }
    if (i >= n) this.fail("unterminated string", i);
    // Slow path: build the string from runs between escapes.
    let out = s.slice(start, i);
    let runStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(runStart, i);
        this.pos = i + 1;
        return out;
      }
      if (c === 0x5c) {
        out += s.slice(runStart, i);
        const e = s.charCodeAt(i + 1);
        switch (e) {
          case 0x22: out += '"'; break;
          case 0x5c: out += "\\"; break;
          case 0x2f: out += "/"; break;
          case 0x62: out += "\b"; break;
          case 0x66: out += "\f"; break;
          case 0x6e: out += "\n"; break;
          case 0x72: out += "\r"; break;
          case 0x74: out += "\t"; break;
          case 0x75: {
            // \uXXXX; a surrogate pair arrives as two escapes and joins naturally as UTF-16.
            const code = this.hex4(i + 2);
            out += String.fromCharCode(code);
            i += 4;
            break;
          }
          default:
            if (Number.isNaN(e)) this.fail("unterminated string", i + 1);
            this.fail("invalid escape sequence", i);
        }
        i += 2;
        runStart = i;
        continue;
      }
      if (c < 0x20) this.fail("unescaped control character in string", i);
      i++;
    }
    return this.fail("unterminated string", n);
  }

  private hex4(at: number): number {
    const s = this.src;
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = s.charCodeAt(at + k);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else return this.fail("invalid \\u escape (expected 4 hex digits)", at + k);
      v = (v << 4) | d;
    }
    return v;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private parseArray(): LJValue[] {
    this.enter();
    const s = this.src;
    this.pos++; // [
    const arr: LJValue[] = [];
    this.skipWs();
    if (s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      this.depth--;
      return arr;
    }
    for (;;) {
      this.skipWs();
      arr.push(this.parseValue());
      this.skipWs();
      const c = s.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
      } else if (c === 0x5d) {
        this.pos++;
        this.depth--;
        return arr;
      } else {
        this.fail("expected ',' or ']' in array");
      }
    }
  }

  /**
   * An object's key at this position: the same string as the key at the same place (depth,
   * index) of the previous object when the text matches it, else parsed. Entities in a page
   * repeat their keys, and a reused string is already internalised: no new string to allocate
   * and hash for every key of every entity. Only keys without quote, backslash or control
   * characters are reused, so a match of the raw text is the whole key, unescaped.
   */
  private parseKey(slot: number): string {
    const s = this.src;
    const start = this.pos + 1;
    const cached = this.keys[slot];
    if (cached !== undefined && s.charCodeAt(start + cached.length) === 0x22 && s.startsWith(cached, start)) {
      this.pos = start + cached.length + 1;
      return cached;
    }
    const key = this.parseString();
    if (slot < this.keys.length && !REUSABLE_KEY_NOT.test(key)) this.keys[slot] = key;
    return key;
  }

  private parseObject(): LJObject {
    this.enter();
    const s = this.src;
    this.pos++; // {
    const obj: LJObject = {};
    this.skipWs();
    if (s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      this.depth--;
      return obj;
    }
    const base = this.depth < KEY_CACHE_DEPTH ? this.depth * KEY_CACHE_WIDTH : -1;
    for (let index = 0; ; index++) {
      this.skipWs();
      if (s.charCodeAt(this.pos) !== 0x22) this.fail("expected a string key in object");
      const key = base >= 0 && index < KEY_CACHE_WIDTH ? this.parseKey(base + index) : this.parseString();
      this.skipWs();
      if (s.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':' after object key");
      this.pos++;
      this.skipWs();
      const value = this.parseValue();
      if (key === "__proto__") {
        Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        obj[key] = value;
      }
      this.skipWs();
      const c = s.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
      } else if (c === 0x7d) {
        this.pos++;
        this.depth--;
        return obj;
      } else {
        this.fail("expected ',' or '}' in object");
      }
    }
  }
}
