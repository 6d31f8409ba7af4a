import { Cron } from "croner";
import { InvocationContext } from "@azure/functions";
import type { Registration } from "./functions-host";
import { triggerOf } from "./functions-host";

/** Invokes a timer function once, as the host would (with a Timer object and a context). */
export async function invokeTimer(r: Registration, log: (line: string) => void, isPastDue = false): Promise<void> {
  const context = new InvocationContext({
    functionName: r.name,
    invocationId: crypto.randomUUID(),
    logHandler: (level, ...args) => log(`[${r.name}] ${level === "information" ? "" : `${level}: `}${args.map(String).join(" ")}`),
  });
  const started = Date.now();
  try {
    await r.handler({ isPastDue, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } }, context);
    log(`[${r.name}] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    log(`[${r.name}] FAILED: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Runs every registered timer function on its six-field NCRONTAB schedule (UTC).
 * A run still going when the next is due is skipped, as the host's singleton lock does.
 */
export function scheduleTimers(registrations: readonly Registration[], log: (line: string) => void): Cron[] {
  return registrations
    .filter((r) => triggerOf(r).type === "timerTrigger")
    .map((r) => {
      const schedule = String(triggerOf(r).schedule);
      const job = new Cron(schedule, { timezone: "UTC", protect: true }, async () => invokeTimer(r, log));
      log(`timer ${r.name}: "${schedule}", next run ${job.nextRun()?.toISOString() ?? "never"}`);
      return job;
    });
}
