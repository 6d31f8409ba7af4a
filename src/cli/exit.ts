import { ensureErrorType, LifeboatError } from "../core/errors";

/** Exit codes: 0 success, 1 the system failed, 2 the request or settings were wrong, 3 verification found problems. */
export const EXIT = { ok: 0, failed: 1, usage: 2, problems: 3 } as const;

/** Thrown inside a command to end with a given exit code and one-line reason. */
export class CliExit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * Maps any error to an exit code and a one-line reason (no stack, no secrets): the
 * error catalogue's fault decides (user and settings faults exit 2, system faults 1),
 * as it decides the HTTP status of the functions.
 */
export function exitFor(err: unknown): { code: number; message: string } {
  if (err instanceof CliExit) return { code: err.code, message: err.message };
  if (err instanceof LifeboatError) return { code: err.fault === "system" ? EXIT.failed : EXIT.usage, message: `${err.code}: ${err.message}` };
  const e = ensureErrorType(err);
  return { code: EXIT.failed, message: e.message.split("\n")[0] ?? e.name };
}
