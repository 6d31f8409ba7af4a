import { app, type InvocationContext, type Timer } from "@azure/functions";
import { audited, timerOperator } from "../app/audit/index";
import { runBackup, type BackupResult } from "../app/backup/run-backup";
import { backupAudit, recordSettingsChange } from "../app/backup/take-backup";
import { settingsSummary } from "../config/summary";
import { DEFAULTS } from "../config/index";
import { ensureErrorType } from "../core/errors";
import { logProgress, services } from "./shared/runtime";

async function backup(kind: "full" | "incremental", timer: Timer, context: InvocationContext): Promise<BackupResult> {
  if (timer.isPastDue) context.warn(`${context.functionName}: running late (the previous schedule was missed)`);
  const s = services();
  const operator = timerOperator(context.functionName);
  try {
    const result = await audited(
      s.audit,
      { operator, action: `backup.${kind}`, target: { tables: s.config.tables === "*" ? "*" : s.config.tables } },
      () =>
        runBackup(
          { source: s.source, repo: s.repo, keys: s.keys, progress: logProgress(context) },
          {
            tables: s.config.tables,
            exclude: [s.config.auditTable],
            full: kind === "full",
            overlapSeconds: s.config.overlapSeconds,
            chunkEntities: s.config.chunkEntities,
            waitForLockSeconds: kind === "full" ? 300 : 0,
            settings: settingsSummary(s.config),
          },
        ),
      backupAudit,
    );
    await recordSettingsChange(s.audit, operator, result);
    if (result.status === "skipped") context.warn(`lifeboat.event=backup_skipped ${result.reason}`);
    else {
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

/** Timer: the daily full backup (LIFEBOAT_FULL_BACKUP_SCHEDULE, default 01:00 UTC). */
export async function fullBackup(timer: Timer, context: InvocationContext): Promise<BackupResult> {
  return backup("full", timer, context);
}

/** Timer: the 15-minute incremental (a full when the repository has no point yet). */
export async function incrementalBackup(timer: Timer, context: InvocationContext): Promise<BackupResult> {
  return backup("incremental", timer, context);
}

app.timer("fullBackup", {
  schedule: process.env.LIFEBOAT_FULL_BACKUP_SCHEDULE || DEFAULTS.LIFEBOAT_FULL_BACKUP_SCHEDULE,
  handler: fullBackup,
});

app.timer("incrementalBackup", {
  schedule: process.env.LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE || DEFAULTS.LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE,
  handler: incrementalBackup,
});
