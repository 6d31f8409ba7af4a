import { app, type InvocationContext, type Timer } from "@azure/functions";
import { timerOperator, type DigestWritten } from "../app/audit/index";
import { ensureErrorType } from "../core/errors";
import { services } from "./shared/runtime";

/** When the audit digest timer runs: five past every hour (digests are due at least hourly). */
export const AUDIT_DIGEST_SCHEDULE = "0 5 * * * *";

/**
 * Timer: writes an audit digest anchoring the chain head, so at most an hour of the
 * log is ever unanchored. Always writes one (cheap), even when nothing happened: a
 * steady series also shows the log was not truncated in between. A failure fails the
 * invocation loudly and is recorded in the chain when the table is still writable.
 */
export async function auditDigest(timer: Timer, context: InvocationContext): Promise<DigestWritten> {
  if (timer.isPastDue) context.warn(`${context.functionName}: running late (the previous schedule was missed)`);
  const s = services();
  try {
    const d = await s.audit.writeDigest();
    context.log(`lifeboat.event=audit_digest digest=${d.name} digestSeq=${d.digestSeq} headSeq=${d.headSeq}`);
    return d;
  } catch (err) {
    const e = ensureErrorType(err);
    context.error(`lifeboat.event=audit_digest_failed ${e.message}`);
    await s.audit
      .record({ operator: timerOperator(context.functionName), action: "audit.digest", outcome: "failed", error: e })
      .catch((recordErr: unknown) => context.error(`lifeboat.event=audit_write_failed ${ensureErrorType(recordErr).message}`));
    throw err;
  }
}

app.timer("auditDigest", { schedule: AUDIT_DIGEST_SCHEDULE, handler: auditDigest });
