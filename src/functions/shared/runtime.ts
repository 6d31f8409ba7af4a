import type { InvocationContext } from "@azure/functions";
import { loadConfig } from "../../config/index";
import { createServices, type Services } from "../../services";
import type { ProgressSink } from "../../app/progress";

let cached: Services | undefined;

/**
 * The services for this worker process, wired once from the app settings.
 * Throws ConfigError naming every bad setting (the function then fails loudly).
 */
export function services(): Services {
  cached ??= createServices(loadConfig(process.env));
  return cached;
}

/** For tests and the local host: forget the wiring so the next call re-reads settings. */
export function resetServices(replacement?: Services): void {
  cached = replacement;
}

/** Progress of long work into the invocation's log. */
export function logProgress(context: InvocationContext): ProgressSink {
  return (e) =>
    context.log(`${e.phase}${e.table ? ` ${e.table}` : ""}: ${e.entities} entities, ${Math.round(e.entities / Math.max(e.elapsedMs / 1000, 0.001))}/s${e.note ? `: ${e.note}` : ""}`);
}
