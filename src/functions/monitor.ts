import { app, type InvocationContext, type Timer } from "@azure/functions";
import { checkRpo } from "../app/status/check-rpo";
import type { StatusResult } from "../app/status/get-status";
import { ensureErrorType } from "../core/errors";
import { services } from "./shared/runtime";

/** Every 5 minutes: the RPO monitor. The Bicep "RPO breach" alert keys on its error line. */
export const RPO_MONITOR_SCHEDULE = "0 */5 * * * *";

/**
 * Timer: checks each configured table's newest restore point against RPO_MINUTES and
 * logs `lifeboat.event=rpo_breach` at error level, naming the tables, when any is older
 * (or has never been backed up). Reads only; writes nothing.
 */
export async function rpoMonitor(_timer: Timer, context: InvocationContext): Promise<StatusResult> {
  try {
    const { status, breach, oldestMinutes } = await checkRpo(services());
    if (breach) context.error(`lifeboat.event=rpo_breach rpo_minutes=${status.rpoMinutes} tables=${breach}`);
    else context.log(`lifeboat.event=rpo_ok rpo_minutes=${status.rpoMinutes} oldest_minutes=${oldestMinutes}`);
    return status;
  } catch (err) {
    // Not knowing is a breach too: the policy cannot be shown to hold.
    context.error(`lifeboat.event=rpo_breach cannot read the repository: ${ensureErrorType(err).message}`);
    throw err;
  }
}

app.timer("rpoMonitor", { schedule: RPO_MONITOR_SCHEDULE, handler: rpoMonitor });
