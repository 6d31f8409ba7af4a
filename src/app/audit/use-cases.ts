import { ensureErrorType } from "../../core/errors";
import type { AppContext } from "../context";
import { audited } from "./audited";
import type { DigestWritten } from "./auditor";
import type { AuditVerifyOptions, AuditVerifyReport } from "./verify-audit";

/**
 * Writes an audit digest anchoring the chain head. When that fails, records the failure
 * in the chain if the table is still writable (`onRecordFailed` hears why it was not)
 * and throws the digest's error.
 */
export async function writeAuditDigest(ctx: Pick<AppContext, "audit">, operator: string, onRecordFailed?: (err: Error) => void): Promise<DigestWritten> {
  try {
    return await ctx.audit.writeDigest();
  } catch (err) {
    await ctx.audit
      .record({ operator, action: "audit.digest", outcome: "failed", error: ensureErrorType(err) })
      .catch((recordErr: unknown) => onRecordFailed?.(ensureErrorType(recordErr)));
    throw err;
  }
}

/**
 * Verifies the audit chain and its digests as one audited `audit.verify` action; a
 * report with problems is audited as failed and returned. Throws when storage cannot be
 * read, or AuditWriteError (whose `result` holds the report) when its entry could not be written.
 */
export function verifyAuditLog(ctx: Pick<AppContext, "audit" | "config">, req: { operator: string; range: Pick<AuditVerifyOptions, "from" | "to">; asked?: { from?: string; to?: string } }): Promise<AuditVerifyReport> {
  return audited(
    ctx.audit,
    {
      operator: req.operator,
      action: "audit.verify",
      target: { table: ctx.config.auditTable, container: ctx.config.auditContainer },
      details: { from: req.asked?.from, to: req.asked?.to },
    },
    () => ctx.audit.verify(req.range),
    {
      failureOf: (v) => (v.ok ? undefined : `${v.problems.length} problem(s); first: ${v.firstBroken?.message ?? "?"}`),
      detailsOf: (v) => ({ entries: v.entries, firstSeq: v.firstSeq, lastSeq: v.lastSeq, digests: v.digests, problems: v.problems.length }),
    },
  );
}
