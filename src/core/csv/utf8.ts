import { StringDecoder } from "node:string_decoder";

/** An invalid UTF-8 sequence: where it starts (1-based line and character) and its first byte. */
export interface Utf8Problem {
  line: number;
  column: number;
  byte: number;
}

/**
 * Decodes a byte stream as UTF-8 chunk by chunk, and finds every invalid sequence (a
 * Latin-1 `é`, a stray continuation byte, an overlong form, a surrogate, a sequence cut
 * off at the end) with its line and character, where a plain decoder would silently put
 * U+FFFD. The text it returns has U+FFFD there, so a parser can go on and report the rest.
 * A leading BOM is kept in the text (the CSV parser drops it).
 */
export class Utf8Scanner {
  readonly #decoder = new StringDecoder("utf8");
  #line = 1;
  #column = 1;
  /** Bytes of a sequence still expected, and where it started. */
  #need = 0;
  #lower = 0x80;
  #upper = 0xbf;
  #start: Utf8Problem | null = null;

  /** Decodes the next chunk; returns its text and the invalid sequences in it. Never throws. */
  push(chunk: Buffer): { text: string; problems: Utf8Problem[] } {
    const problems: Utf8Problem[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#need > 0) {
        if (b >= this.#lower && b <= this.#upper) {
          this.#lower = 0x80;
          this.#upper = 0xbf;
          if (--this.#need === 0) this.#char();
          continue;
        }
        // The sequence broke off: that is one error, and this byte starts afresh.
        problems.push(this.#start!);
        this.#need = 0;
        this.#char();
        this.#lower = 0x80;
        this.#upper = 0xbf;
      }
      if (b < 0x80) {
        if (b === 0x0a) {
          this.#line++;
          this.#column = 1;
        } else this.#column++;
        continue;
      }
      this.#start = { line: this.#line, column: this.#column, byte: b };
      if (b >= 0xc2 && b <= 0xdf) this.#need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        this.#need = 2;
        if (b === 0xe0) this.#lower = 0xa0;
        if (b === 0xed) this.#upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.#need = 3;
        if (b === 0xf0) this.#lower = 0x90;
        if (b === 0xf4) this.#upper = 0x8f;
      } else {
        problems.push(this.#start);
        this.#char();
      }
    }
    return { text: this.#decoder.write(chunk), problems };
  }

  /** Ends the stream: a sequence cut off at the end is a problem. Never throws. */
  end(): { text: string; problems: Utf8Problem[] } {
    const problems = this.#need > 0 && this.#start ? [this.#start] : [];
    this.#need = 0;
    return { text: this.#decoder.end(), problems };
  }

  #char(): void {
    this.#column++;
  }
}

/** The reason given for an invalid UTF-8 sequence. Never throws. */
export function utf8Reason(p: Utf8Problem): string {
  return `invalid UTF-8 (byte 0x${p.byte.toString(16).toUpperCase().padStart(2, "0")}): the file must be UTF-8 (a BOM is fine); save it as UTF-8, not Latin-1 or Windows-1252`;
}
