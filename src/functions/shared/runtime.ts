import type { InvocationContext, Timer } from "@azure/functions";
import { etaText, type ProgressSink } from "../../app/progress";
import { loadConfig } from "../../config";
import { createServices, drillDeps, jobDeps, type Services } from "../../services";
import type { DrillDeps } from "../../app/drills/deps";
import type { JobDeps } from "../../app/jobs";

// Not a function module: it sits below functions/ so the host's functions/*.js glob does not load it.

let cached: Services | undefined;

/** The worker's log for events outside an invocation (the KEK read from the secondary vault): the host collects console output. */
const keyFallback = (note: string): void => console.warn(`lifeboat.event=kek_fallback ${note}`);

/**
 * The services for this worker process, wired once from the app settings.
 * Throws ConfigError naming every bad setting (the function then fails loudly).
 */
export function services(): Services {
  cached ??= createServices(loadConfig(process.env), {}, { keyFallback });
  return cached;
}

/** The services as restore jobs use them (each job reads from the copy of the repository it asked for). */
export function jobServices(): JobDeps {
  return jobDeps(services());
}

/** The services as drills use them (scratch copies in LIFEBOAT_DRILL, or the source account). */
export function drillServices(): DrillDeps {
  return drillDeps(services());
}

let quick: Services | undefined;

/** The same services with stores that retry once: for checks that must answer fast (GET /api/health). */
export function quickServices(): Services {
  quick ??= createServices(loadConfig(process.env), { retries: "quick" }, { keyFallback });
  return quick;
}

/** For tests and the local host: forget the wiring so the next call re-reads settings. */
export function resetServices(replacement?: Services): void {
  cached = replacement;
  quick = replacement;
}

/** Progress of long work into the invocation's log: a line every few seconds, with percentage and time left when the total is known. */
export function logProgress(context: InvocationContext): ProgressSink {
  return (e) => {
    const left = etaText(e);
    context.log(
      `${e.phase}${e.table ? ` ${e.table}` : ""}: ${e.entities} ${e.unit ?? "entities"}, ${Math.round(e.entities / Math.max(e.elapsedMs / 1000, 0.001))}/s` +
        `${left ? `, ${left}` : ""}${e.note ? `: ${e.note}` : ""}`,
    );
  };
}

/** Warns when a timer fires late (the host missed a schedule, e.g. while scaled to zero or redeploying). */
export function warnIfLate(timer: Timer, context: InvocationContext): void {
  if (timer.isPastDue) context.warn(`${context.functionName}: running late (the previous schedule was missed)`);
}
