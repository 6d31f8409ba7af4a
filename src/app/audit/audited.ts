import { performance } from "node:perf_hooks";
import type { Auditor } from "./auditor";
import type { AuditAction, AuditEntry, AuditOutcome } from "../../core/audit/chain";
import { ensureErrorType, LifeboatError } from "../../core/errors";

/** The text an entry keeps for an error: "CODE: message" for a LifeboatError, else the message. Null for nothing. */
export function errorText(err: unknown): string | null {
  if (err === undefined || err === null) return null;
  if (typeof err === "string") return err;
  const e = ensureErrorType(err);
  return e instanceof LifeboatError ? `${e.code}: ${e.message}` : e.message;
}

/** Who did what to what: the part of an entry known before the action runs. */
export interface AuditContext {
  operator: string;
  action: AuditAction;
  target?: Record<string, string | readonly string[] | undefined>;
  details?: Record<string, unknown>;
}

/** How {@link audited} judges and describes an action's result. */
export interface AuditedOptions<T> {
  /** Write a digest after the entry (for actions that changed data). A function decides from the result; after a failure (the result is unknown: it may have half-changed data) a digest is written when this is true or a function. */
  changesData?: boolean | ((result: T) => boolean);
  /** Details taken from the result (counts, bytes, point id), merged over the context's. */
  detailsOf?: (result: T) => Record<string, unknown>;
  /** Target taken from the result (e.g. the point a backup created), merged over the context's. */
  targetOf?: (result: T) => Record<string, string | readonly string[] | undefined>;
  /** A result that is a failure although nothing threw (a verify that found problems): its reason. The result is still returned. */
  failureOf?: (result: T) => string | undefined;
  /** Refuse to start when the audit log cannot be written (Auditor.ready). For destructive actions. */
  preflight?: boolean;
  /** Called with the stored entry (e.g. to put its seq in a response). */
  onEntry?: (entry: AuditEntry) => void;
}

/**
 * The action ran (or was refused) but its audit record, or the digest after it, could
 * not be written. The message says both how the action ended and that the audit write
 * failed; `result` holds what a succeeded action returned, `actionError` why a failed
 * one failed. Code AUDIT.WRITE_FAILED, a system fault.
 */
export class AuditWriteError extends LifeboatError {
  override readonly name = "AuditWriteError";
  constructor(
    readonly action: AuditAction,
    readonly actionOutcome: AuditOutcome,
    readonly stage: "entry" | "digest" | "preflight",
    auditError: unknown,
    extra: { result?: unknown; actionError?: unknown; entry?: AuditEntry } = {},
  ) {
    const how =
      stage === "preflight"
        ? "was not started"
        : actionOutcome === "succeeded"
          ? "succeeded"
          : actionOutcome === "refused"
            ? `was refused (${errorText(extra.actionError) ?? "bad request"})`
            : `failed (${errorText(extra.actionError) ?? "unknown error"})`;
    const what = stage === "digest" ? `was recorded (audit seq ${extra.entry?.seq ?? "?"}) but writing the audit digest failed` : stage === "preflight" ? "because the audit log cannot be written" : "but writing its audit record failed";
    super("AUDIT.WRITE_FAILED", `${action} ${how} ${what}: ${errorText(auditError) ?? "unknown error"}`, { cause: auditError });
    this.result = extra.result;
    this.actionError = extra.actionError;
  }
  readonly result: unknown;
  readonly actionError: unknown;
}

function safely<R>(f: (() => R) | undefined, onError: (e: Error) => R, fallback: R): R {
  if (!f) return fallback;
  try {
    return f();
  } catch (err) {
    return onError(ensureErrorType(err));
  }
}

/**
 * Runs `fn` as one audited action: times it, records `succeeded` (or `failed` with the
 * error message) with details from the result, writes a digest when it changed data,
 * and returns fn's result or rethrows fn's error. When the audit write itself fails it
 * throws AuditWriteError, whose message says the action's outcome and the audit
 * failure (an action is never left silently unaudited). With `preflight`, throws
 * AuditWriteError before running fn when the log cannot be written.
 */
export async function audited<T>(auditor: Auditor, ctx: AuditContext, fn: () => Promise<T>, opts: AuditedOptions<T> = {}): Promise<T> {
  if (opts.preflight) {
    try {
      await auditor.ready();
    } catch (err) {
      throw new AuditWriteError(ctx.action, "failed", "preflight", err);
    }
  }
  const started = performance.now();
  let result: T;
  try {
    result = await fn();
  } catch (actionError) {
    const durationMs = performance.now() - started;
    let entry: AuditEntry | undefined;
    try {
      entry = await auditor.record({ ...ctx, outcome: "failed", durationMs, error: actionError });
      opts.onEntry?.(entry);
    } catch (err) {
      throw new AuditWriteError(ctx.action, "failed", "entry", err, { actionError });
    }
    if (opts.changesData !== false && opts.changesData !== undefined) {
      try {
        await auditor.writeDigest();
      } catch (err) {
        throw new AuditWriteError(ctx.action, "failed", "digest", err, { actionError, entry });
      }
    }
    throw actionError;
  }
  const durationMs = performance.now() - started;
  const failure = safely(opts.failureOf ? () => opts.failureOf!(result) : undefined, (e) => `could not judge the result: ${e.message}`, undefined);
  const details = { ...ctx.details, ...safely(opts.detailsOf ? () => opts.detailsOf!(result) : undefined, (e) => ({ detailsError: e.message }), {}) };
  const target = { ...ctx.target, ...safely(opts.targetOf ? () => opts.targetOf!(result) : undefined, () => ({}), {}) };
  const outcome: AuditOutcome = failure === undefined ? "succeeded" : "failed";
  let entry: AuditEntry;
  try {
    entry = await auditor.record({ ...ctx, target, details, outcome, durationMs, error: failure });
    opts.onEntry?.(entry);
  } catch (err) {
    throw new AuditWriteError(ctx.action, outcome, "entry", err, { result });
  }
  const changed = typeof opts.changesData === "function" ? safely(() => (opts.changesData as (r: T) => boolean)(result), () => true, true) : opts.changesData === true;
  if (changed) {
    try {
      await auditor.writeDigest();
    } catch (err) {
      throw new AuditWriteError(ctx.action, outcome, "digest", err, { result, entry });
    }
  }
  return result;
}

/**
 * Records a refused request (bad input, failed authorization): outcome `refused` with
 * the reason. Resolves with the entry; throws AuditWriteError (saying the request was
 * refused and the audit write failed) when it cannot be written.
 */
export async function refused(auditor: Auditor, ctx: AuditContext, reason: unknown): Promise<AuditEntry> {
  try {
    return await auditor.record({ ...ctx, outcome: "refused", durationMs: 0, error: reason ?? "refused" });
  } catch (err) {
    throw new AuditWriteError(ctx.action, "refused", "entry", err, { actionError: reason });
  }
}
