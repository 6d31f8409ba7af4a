/**
 * Errors with stable codes. `fault` says whose fault it is: "user" errors (bad input,
 * a missing restore point) map to 4xx and exit code 2; "system" errors (Storage down,
 * corrupt data) map to 5xx and exit code 1. Metadata never holds secrets.
 */
export type Fault = "user" | "system";

export class LifeboatError extends Error {
  override readonly name: string = "LifeboatError";
  constructor(
    readonly code: string,
    message: string,
    readonly fault: Fault = "system",
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details ?? {};
  }
  readonly details: Record<string, unknown>;
}

/** The thing asked for does not exist (a blob, a table, a restore point, a key version). */
export class NotFoundError extends LifeboatError {
  override readonly name = "NotFoundError";
  constructor(code: string, message: string, fault: Fault = "system", options?: { cause?: unknown }) {
    super(code, message, fault, options);
  }
}

/** A write that must not overwrite found the thing already there. */
export class AlreadyExistsError extends LifeboatError {
  override readonly name = "AlreadyExistsError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE.ALREADY_EXISTS", message, "system", options);
  }
}

/** Bad input from a person or caller: names the field and the rule. Nothing was written. */
export class ValidationError extends LifeboatError {
  override readonly name = "ValidationError";
  constructor(readonly field: string, rule: string) {
    super("INPUT.INVALID", `${field}: ${rule}`, "user");
  }
}

/** Stored data failed an integrity check (digest, authentication tag, count). */
export class IntegrityError extends LifeboatError {
  override readonly name = "IntegrityError";
  constructor(message: string, details?: Record<string, unknown>) {
    super("DATA.INTEGRITY", message, "system", details ? { details } : undefined);
  }
}

/** Turns anything thrown into an Error, so it can be logged and mapped. */
export function ensureErrorType(err: unknown): Error {
  if (err instanceof Error) return err;
  let text: string;
  try {
    text = typeof err === "string" ? err : JSON.stringify(err);
  } catch {
    text = String(err);
  }
  return new Error(`Unknown error: ${text}`);
}
