import { z } from "zod";
import { scheduleShape } from "./backup";
import { probeScheduleShape } from "./failover";
import { ConfigError, issuesOf } from "./load";
import { drillScheduleShape, schedulesOf, type DrillSchedules } from "./drills";

/** The timer schedules the functions register with. */
export interface TimerSchedules {
  fullBackup: string;
  incrementalBackup: string;
  configExport: string;
}

/**
 * The backup schedules from the settings (defaults when unset), validated by the same
 * rules as loadConfig but on their own: functions register before the rest of the
 * settings are needed. Throws ConfigError naming a malformed schedule.
 */
export function timerSchedules(env: Record<string, string | undefined>): TimerSchedules {
  const r = z.object(scheduleShape).safeParse(env);
  if (!r.success) throw new ConfigError(issuesOf(r.error));
  return {
    fullBackup: r.data.LIFEBOAT_FULL_BACKUP_SCHEDULE,
    incrementalBackup: r.data.LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE,
    configExport: r.data.LIFEBOAT_CONFIG_EXPORT_SCHEDULE,
  };
}

/** The primaryProbe timer's schedule (LIFEBOAT_PRIMARY_PROBE_SCHEDULE, every minute by default). Throws ConfigError when malformed. */
export function probeSchedule(env: Record<string, string | undefined>): string {
  const r = z.object(probeScheduleShape).safeParse(env);
  if (!r.success) throw new ConfigError(issuesOf(r.error));
  return r.data.LIFEBOAT_PRIMARY_PROBE_SCHEDULE;
}

/**
 * The drill schedules alone (defaults when unset), validated on their own like the
 * backup schedules. Throws ConfigError naming a malformed one.
 */
export function drillSchedules(env: Record<string, string | undefined>): DrillSchedules {
  const r = z.object(drillScheduleShape).safeParse(env);
  if (!r.success) throw new ConfigError(issuesOf(r.error));
  return schedulesOf(r.data);
}
