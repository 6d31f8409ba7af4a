import { app, type InvocationContext, type Timer } from "@azure/functions";
import { timerOperator } from "../app/audit";
import type { ExportResult } from "../app/config-export/run-export";
import { takeConfigExport } from "../app/config-export/use-cases";
import { standbyDefers } from "../app/failover/standby";
import { timerSchedules } from "../config";
import { ensureErrorType } from "../core/errors";
import { logProgress, services, warnIfLate } from "./shared/runtime";

/**
 * Timer: the nightly config export (LIFEBOAT_CONFIG_EXPORT_SCHEDULE, default 00:30 UTC)
 * of LIFEBOAT_CONFIG_CONTAINERS. Logs `lifeboat.event=config_export` on success, one
 * `lifeboat.event=config_invalid` warning per file that does not parse, and
 * `lifeboat.event=config_export_failed` (error level) on failure.
 */
export async function configExport(timer: Timer, context: InvocationContext): Promise<ExportResult | { deferred: string }> {
  warnIfLate(timer, context);
  try {
    const deferred = await standbyDefers(services());
    if (deferred) {
      context.log(`lifeboat.event=config_export_skipped ${deferred}`);
      return { deferred };
    }
    const r = await takeConfigExport(services(), { operator: timerOperator(context.functionName), progress: logProgress(context) });
    for (const p of r.problems) context.warn(`lifeboat.event=config_invalid container=${p.container} path=${JSON.stringify(p.path)} ${p.message}`);
    for (const s of r.skipped) context.warn(`lifeboat.event=config_skipped container=${s.container} path=${JSON.stringify(s.path)} ${s.reason}`);
    context.log(`lifeboat.event=config_export export=${r.exportId} files=${r.files} bytes=${r.bytes} problems=${r.problems.length} ms=${r.durationMs}`);
    return r;
  } catch (err) {
    context.error(`lifeboat.event=config_export_failed ${ensureErrorType(err).message}`);
    throw err;
  }
}

app.timer("configExport", { schedule: timerSchedules(process.env).configExport, handler: configExport });
