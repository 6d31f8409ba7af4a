/**
 * Errors with stable codes from one catalogue. A code decides whose fault it is:
 * - "user": bad input, a missing restore point or table → HTTP 4xx, CLI exit 2;
 * - "settings": the deployment's settings are wrong or incomplete → HTTP 500 (the
 *   caller cannot fix it), CLI exit 2 (the person running it can);
 * - "system": Storage down, corrupt data, a lost lock → HTTP 5xx, CLI exit 1.
 * Messages and metadata never hold secrets.
 */
export type Fault = "user" | "settings" | "system";

interface CodeInfo {
  fault: Fault;
  /** HTTP status a handler answers with. */
  status: number;
  /** A short, fixed summary: the problem-details `title`. */
  title: string;
}

/** Every error code Lifeboat throws, with its fault, HTTP status and title. */
export const ERROR_CODES = {
  "INPUT.INVALID": { fault: "user", status: 400, title: "The request is invalid" },
  "RESTORE.POINT_NOT_FOUND": { fault: "user", status: 404, title: "No such restore point" },
  "TABLE.NOT_FOUND": { fault: "user", status: 404, title: "No such table" },
  "CONTAINER.NOT_FOUND": { fault: "user", status: 404, title: "No such container" },
  "JOB.NOT_FOUND": { fault: "user", status: 404, title: "No such restore job" },
  "DRILL.NOT_FOUND": { fault: "user", status: 404, title: "No such drill report" },
  "BLOB.CHANGED": { fault: "system", status: 503, title: "A blob changed while it was being read" },
  "BACKUP.NO_TABLES": { fault: "user", status: 422, title: "There is nothing to back up" },
  "BACKUP.SOURCE_CHANGED": { fault: "system", status: 500, title: "The active endpoint changed during the backup" },
  "BACKUP.RANGE_FAILED": { fault: "system", status: 500, title: "A range of a fanned-out backup failed" },
  "CONFIG.INVALID": { fault: "settings", status: 500, title: "Lifeboat's settings are invalid" },
  "CONFIG.MISSING": { fault: "settings", status: 500, title: "Lifeboat's settings are incomplete" },
  "RESTORE.SAFETY_BACKUP_SKIPPED": { fault: "system", status: 503, title: "The safety backup before an in-place restore was not taken" },
  "STORE.UNAVAILABLE": { fault: "system", status: 503, title: "A store cannot be reached" },
  "STORE.DENIED": { fault: "settings", status: 500, title: "Lifeboat is not allowed to use a store" },
  "STORE.FAILED": { fault: "system", status: 502, title: "A store answered with an error" },
  "STORE.NOT_FOUND": { fault: "system", status: 500, title: "A stored object is missing" },
  "STORE.ALREADY_EXISTS": { fault: "system", status: 500, title: "A stored object already exists" },
  "STORE.BAD_PATH": { fault: "system", status: 500, title: "Bad object path" },
  "TABLE.WRITE_REJECTED": { fault: "system", status: 500, title: "The table service rejected a write" },
  "TABLE.UNAVAILABLE": { fault: "system", status: 503, title: "The table service is busy or unreachable" },
  "IMPORT.SAFETY_BACKUP_SKIPPED": { fault: "system", status: 503, title: "The safety backup before a CSV import was not taken" },
  "IMPORT.INCOMPLETE": { fault: "system", status: 500, title: "The import wrote everything except entities the service rejected" },
  "RESTORE.INCOMPLETE": { fault: "system", status: 500, title: "The restore wrote everything except entities the service rejected" },
  "TABLE.READ": { fault: "system", status: 502, title: "The table service sent an unreadable answer" },
  "DATA.INTEGRITY": { fault: "system", status: 500, title: "Stored data failed an integrity check" },
  "DATA.ENTITY_FORMAT": { fault: "system", status: 500, title: "An entity is not in the expected format" },
  "DATA.JSON_SYNTAX": { fault: "system", status: 500, title: "Malformed JSON" },
  "FORMAT.INVALID_LINE": { fault: "system", status: 500, title: "A record line cannot be encoded" },
  "KEY.INVALID": { fault: "system", status: 500, title: "The key-encryption key is invalid" },
  "KEY.NOT_FOUND": { fault: "system", status: 500, title: "A key-encryption key is not available" },
  "KEY.UNAVAILABLE": { fault: "system", status: 503, title: "The key store cannot be read" },
  "LOCK.LOST": { fault: "system", status: 503, title: "The repository lock was lost" },
  "MEMORY.KEY_SET": { fault: "system", status: 500, title: "Not enough memory to track the table's keys" },
  "AUDIT.CONFLICT": { fault: "system", status: 503, title: "The audit log is busy" },
  "AUDIT.CONTENDED": { fault: "system", status: 503, title: "The audit log is busy" },
  "AUDIT.CHAIN_BROKEN": { fault: "system", status: 500, title: "The audit chain is broken" },
  "AUDIT.WRITE_FAILED": { fault: "system", status: 503, title: "The audit log cannot be written" },
  "FAILOVER.IN_PROGRESS": { fault: "user", status: 409, title: "A failover or failback is already in progress" },
  "FAILOVER.ALREADY_ACTIVE": { fault: "user", status: 409, title: "The failover account is already the active endpoint" },
  "FAILBACK.NOT_FAILED_OVER": { fault: "user", status: 409, title: "The primary is already the active endpoint" },
  "FAILOVER.PUBLISH_FAILED": { fault: "system", status: 503, title: "The active endpoint could not be published" },
  "STATE.CONFLICT": { fault: "system", status: 503, title: "A state record changed while it was being written" },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The catalogue entry of a code. */
export function codeInfo(code: ErrorCode): CodeInfo {
  return ERROR_CODES[code];
}

export class LifeboatError extends Error {
  override readonly name: string = "LifeboatError";
  readonly fault: Fault;
  readonly details: Record<string, unknown>;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.fault = ERROR_CODES[code].fault;
    this.details = options?.details ?? {};
  }
}

/** The thing asked for does not exist (a blob, a table, a restore point, a key version). */
export class NotFoundError extends LifeboatError {
  override readonly name = "NotFoundError";
  constructor(code: "STORE.NOT_FOUND" | "RESTORE.POINT_NOT_FOUND" | "TABLE.NOT_FOUND" | "CONTAINER.NOT_FOUND" | "KEY.NOT_FOUND" | "JOB.NOT_FOUND" | "DRILL.NOT_FOUND", message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A write that must not overwrite found the thing already there. */
export class AlreadyExistsError extends LifeboatError {
  override readonly name = "AlreadyExistsError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE.ALREADY_EXISTS", message, options);
  }
}

/** Bad input from a person or caller: names the field and the rule. Nothing was written. */
export class ValidationError extends LifeboatError {
  override readonly name = "ValidationError";
  constructor(readonly field: string, rule: string) {
    super("INPUT.INVALID", `${field}: ${rule}`);
  }
}

/** Bad input in several fields at once (an HTTP request's query or body): each field and its rule. Nothing was written. */
export class InvalidInputError extends LifeboatError {
  override readonly name = "InvalidInputError";
  constructor(readonly fields: readonly { field: string; rule: string }[]) {
    super("INPUT.INVALID", fields.map((f) => `${f.field}: ${f.rule}`).join("; "));
  }
}

/** Stored data failed an integrity check (digest, authentication tag, count). */
export class IntegrityError extends LifeboatError {
  override readonly name = "IntegrityError";
  constructor(message: string, details?: Record<string, unknown>) {
    super("DATA.INTEGRITY", message, details ? { details } : undefined);
  }
}

/** How a caller should treat any thrown value: its fault, code (when it has one) and catalogue entry. */
export function classify(err: unknown): { fault: Fault; code: ErrorCode | null; status: number; title: string } {
  if (err instanceof LifeboatError) return { fault: err.fault, code: err.code, ...pick(ERROR_CODES[err.code]) };
  return { fault: "system", code: null, status: 500, title: "Lifeboat failed" };
}

function pick(i: CodeInfo): { status: number; title: string } {
  return { status: i.status, title: i.title };
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

/** "field.path: message" of the first issue of a schema failure (zod's `error.issues`), for a one-line error. */
export function firstIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const i = error.issues[0];
  return `${i?.path.map(String).join(".") || "?"}: ${i?.message ?? "invalid"}`;
}
