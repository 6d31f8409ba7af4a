import { z } from "zod";
import type { DrillKind } from "../core/drills/drill";
import { scheduleSetting, type Issue } from "./fields";
import { connection, connectionShape, text, type ConnectionValues, type StorageConnection } from "./storage";

export const DRILL_DEFAULTS = {
  LIFEBOAT_DRILL_RESTORE_SCHEDULE: "0 0 3 1 * *",
  LIFEBOAT_DRILL_CONFIG_SCHEDULE: "0 30 3 1 * *",
  LIFEBOAT_DRILL_FAILOVER_SCHEDULE: "0 0 4 1 1,4,7,10 *",
  LIFEBOAT_DRILL_FULL_SCHEDULE: "0 0 5 2 1 *",
} as const;

/** When each drill runs (monthly, monthly, quarterly, yearly by default; NCRONTAB, UTC). */
export const drillScheduleShape = {
  LIFEBOAT_DRILL_RESTORE_SCHEDULE: scheduleSetting(DRILL_DEFAULTS.LIFEBOAT_DRILL_RESTORE_SCHEDULE),
  LIFEBOAT_DRILL_CONFIG_SCHEDULE: scheduleSetting(DRILL_DEFAULTS.LIFEBOAT_DRILL_CONFIG_SCHEDULE),
  LIFEBOAT_DRILL_FAILOVER_SCHEDULE: scheduleSetting(DRILL_DEFAULTS.LIFEBOAT_DRILL_FAILOVER_SCHEDULE),
  LIFEBOAT_DRILL_FULL_SCHEDULE: scheduleSetting(DRILL_DEFAULTS.LIFEBOAT_DRILL_FULL_SCHEDULE),
};

/** Drills: where they restore their scratch copies, and their schedules. */
export const drillShape = {
  ...connectionShape("LIFEBOAT_DRILL"),
  ...drillScheduleShape,
};

export type DrillSchedules = Record<DrillKind, string>;

export function schedulesOf(p: z.infer<z.ZodObject<typeof drillScheduleShape>>): DrillSchedules {
  return {
    "restore-test": p.LIFEBOAT_DRILL_RESTORE_SCHEDULE,
    "config-restore-test": p.LIFEBOAT_DRILL_CONFIG_SCHEDULE,
    "failover-simulation": p.LIFEBOAT_DRILL_FAILOVER_SCHEDULE,
    "full-drill": p.LIFEBOAT_DRILL_FULL_SCHEDULE,
  };
}

/** The drills' settings: the scratch account (LIFEBOAT_DRILL; null: the source account) and the schedules. */
export function readDrills(p: ConnectionValues & z.infer<z.ZodObject<typeof drillScheduleShape>>, issues: Issue[]): { target: StorageConnection | null; schedules: DrillSchedules } {
  const set = text(p, "LIFEBOAT_DRILL") ?? text(p, "LIFEBOAT_DRILL__tableServiceUri");
  return { target: set ? connection("LIFEBOAT_DRILL", p, "table", issues) : null, schedules: schedulesOf(p) };
}
