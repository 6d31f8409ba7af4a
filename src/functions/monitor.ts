import { app, type InvocationContext, type Timer } from "@azure/functions";
import { timerOperator } from "../app/audit";
import { monitorRpo } from "../app/status/monitor-rpo";
import type { StatusResult } from "../app/status/get-status";
import { services } from "./shared/runtime";

/** Every 5 minutes: the RPO monitor. The Bicep "RPO breach" alert keys on its error line. */
export const RPO_MONITOR_SCHEDULE = "0 */5 * * * *";

/**
 * Timer: checks each configured table's newest restore point against RPO_MINUTES and
 * logs `lifeboat.event=rpo_breach` at error level, naming the tables, when any is older
 * (or has never been backed up), or when the repository cannot be read. A breach is
 * audited once when it starts and once when it ends (monitorRpo).
 */
export async function rpoMonitor(_timer: Timer, context: InvocationContext): Promise<StatusResult | null> {
  const s = services();
  const r = await monitorRpo(s, timerOperator(context.functionName));
  // Not knowing is a breach too: the policy cannot be shown to hold.
  if (!r.check) context.error(`lifeboat.event=rpo_breach ${r.breach}`);
  else if (r.breach) context.error(`lifeboat.event=rpo_breach rpo_minutes=${r.check.status.rpoMinutes} tables=${r.breach}`);
  else context.log(`lifeboat.event=rpo_ok rpo_minutes=${r.check.status.rpoMinutes} oldest_minutes=${r.check.oldestMinutes}`);
  if (r.audited) context.log(`audited ${r.audited}`);
  return r.check?.status ?? null;
}

app.timer("rpoMonitor", { schedule: RPO_MONITOR_SCHEDULE, handler: rpoMonitor });
