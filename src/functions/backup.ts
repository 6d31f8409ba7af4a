import { app, type InvocationContext, type Timer } from "@azure/functions";
import { timerOperator } from "../app/audit";
import { takeBackup, type TakenBackup } from "../app/backup/take-backup";
import type { FanoutPorts } from "../app/backup/fanout";
import type { Services } from "../services";
import { followActiveEndpoint } from "../app/failover/follow-endpoint";
import { standbyDefers } from "../app/failover/standby";
import { timerSchedules } from "../config";
import { ensureErrorType } from "../core/errors";
import { logProgress, services, warnIfLate } from "./shared/runtime";

async function backup(kind: "full" | "incremental", timer: Timer, context: InvocationContext): Promise<TakenBackup> {
  warnIfLate(timer, context);
  try {
    const deferred = await standbyDefers(services());
    if (deferred) {
      context.log(`lifeboat.event=backup_skipped ${deferred}`);
      return { status: "skipped", reason: deferred };
    }
    // Backups follow the active endpoint: after a failover, the failover account is the source.
    const { ctx, account, note } = await followActiveEndpoint(services());
    if (note) context.warn(`lifeboat.event=backup_source ${note}`);
    const result = await takeBackup(ctx, {
      operator: timerOperator(context.functionName),
      kind,
      // The nightly full waits for a running incremental; an incremental that finds one running skips.
      waitForLockSeconds: kind === "full" ? 300 : 0,
      progress: logProgress(context),
      ...fanoutOf(ctx, account),
    });
    if (result.status === "skipped") context.warn(`lifeboat.event=backup_skipped ${result.reason}`);
    else {
      if (result.degraded) context.error(`lifeboat.event=backup_degraded ${result.degraded}`);
      if (result.backfilled) context.log(`lifeboat.event=primary_backfilled points=${result.backfilled.length}`);
      for (const w of result.warnings) context.warn(`lifeboat.event=backup_warning ${w}`);
      if (result.secondary && "error" in result.secondary) context.warn(`lifeboat.event=secondary_copy_failed ${result.secondary.error}`);
      context.log(
        `lifeboat.event=backup_committed point=${result.pointId} kind=${result.kind} entities=${result.entities} ` +
          `tombstones=${result.tombstones} bytes=${result.bytes} ms=${result.durationMs}`,
      );
    }
    return result;
  } catch (err) {
    context.error(`lifeboat.event=backup_failed kind=${kind} ${ensureErrorType(err).message}`);
    throw err;
  }
}

/** Big tables' scans fan out as range tasks on the jobs queue, when there is one and LIFEBOAT_FANOUT_ENTITIES is not 0. */
function fanoutOf(s: Services, account: string): { fanout?: FanoutPorts } {
  if (!s.jobs || !s.jobQueue || s.config.fanoutEntities <= 0) return {};
  return { fanout: { jobs: s.jobs, queue: s.jobQueue, entities: s.config.fanoutEntities, account } };
}

/** Timer: the daily full backup (LIFEBOAT_FULL_BACKUP_SCHEDULE, default 01:00 UTC). */
export async function fullBackup(timer: Timer, context: InvocationContext): Promise<TakenBackup> {
  return backup("full", timer, context);
}

/** Timer: the 15-minute incremental (a full when the repository has no point yet). */
export async function incrementalBackup(timer: Timer, context: InvocationContext): Promise<TakenBackup> {
  return backup("incremental", timer, context);
}

const schedules = timerSchedules(process.env);
app.timer("fullBackup", { schedule: schedules.fullBackup, handler: fullBackup });
app.timer("incrementalBackup", { schedule: schedules.incrementalBackup, handler: incrementalBackup });
