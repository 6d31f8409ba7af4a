import { app, type InvocationContext, type Timer } from "@azure/functions";
import { timerOperator, type DigestWritten } from "../app/audit";
import { writeAuditDigest } from "../app/audit/use-cases";
import { ensureErrorType } from "../core/errors";
import { services, warnIfLate } from "./shared/runtime";

/** When the audit digest timer runs: five past every hour (digests are due at least hourly). */
export const AUDIT_DIGEST_SCHEDULE = "0 5 * * * *";

/**
 * Timer: writes an audit digest anchoring the chain head, so at most an hour of the
 * log is ever unanchored. Always writes one (cheap), even when nothing happened: a
 * steady series also shows the log was not truncated in between. A failure fails the
 * invocation loudly and is recorded in the chain when the table is still writable.
 */
export async function auditDigest(timer: Timer, context: InvocationContext): Promise<DigestWritten> {
  warnIfLate(timer, context);
  try {
    const d = await writeAuditDigest(services(), timerOperator(context.functionName), (e) => context.error(`lifeboat.event=audit_write_failed ${e.message}`));
    context.log(`lifeboat.event=audit_digest digest=${d.name} digestSeq=${d.digestSeq} headSeq=${d.headSeq}`);
    return d;
  } catch (err) {
    context.error(`lifeboat.event=audit_digest_failed ${ensureErrorType(err).message}`);
    throw err;
  }
}

app.timer("auditDigest", { schedule: AUDIT_DIGEST_SCHEDULE, handler: auditDigest });
