import { inspect } from "node:util";

const REDACTED = "**redacted**";

/**
 * A value that must never reach a log, an error, an audit entry or an export.
 * Printing, JSON-encoding or inspecting it yields `**redacted**`; only `reveal()` gives the value.
 */
export class Secret<T> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}
