import { app, type InvocationContext, type Timer } from "@azure/functions";
import { getStatus, type StatusResult } from "../app/status/get-status";
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
  const s = services();
  try {
    const st = await getStatus({ repo: s.repo }, { tables: s.config.tables, rpoMinutes: s.config.rpoMinutes, rtoMinutes: s.config.rtoMinutes });
    const late = st.tables.filter((t) => !t.withinRpo);
    if (late.length > 0 || st.tables.length === 0) {
      const what = late.length > 0 ? late.map((t) => `${t.table}=${t.ageMinutes === null ? "never" : `${t.ageMinutes}min`}`).join(",") : "no table has a restore point";
      context.error(`lifeboat.event=rpo_breach rpo_minutes=${st.rpoMinutes} tables=${what}`);
    } else {
      context.log(`lifeboat.event=rpo_ok rpo_minutes=${st.rpoMinutes} oldest_minutes=${Math.max(...st.tables.map((t) => t.ageMinutes ?? 0))}`);
    }
    return st;
  } catch (err) {
    // Not knowing is a breach too: the policy cannot be shown to hold.
    context.error(`lifeboat.event=rpo_breach cannot read the repository: ${ensureErrorType(err).message}`);
    throw err;
  }
}

app.timer("rpoMonitor", { schedule: RPO_MONITOR_SCHEDULE, handler: rpoMonitor });
