import { z } from "zod";
import { intSetting, optionalString } from "./fields";

/** The DR policy's retention tiers. */
export const RETENTION_DEFAULTS = { RETENTION_INCREMENTAL_DAYS: 7, RETENTION_DAILY_DAYS: 30, RETENTION_WEEKLY_WEEKS: 26 } as const;

/** How long each tier of restore points (and config exports) is kept. */
export const retentionShape = {
  RETENTION_INCREMENTAL_DAYS: intSetting(RETENTION_DEFAULTS.RETENTION_INCREMENTAL_DAYS, 1, 3650),
  RETENTION_DAILY_DAYS: intSetting(RETENTION_DEFAULTS.RETENTION_DAILY_DAYS, 1, 3650),
  RETENTION_WEEKLY_WEEKS: intSetting(RETENTION_DEFAULTS.RETENTION_WEEKLY_WEEKS, 1, 520),
  /** on: every backup blob gets a Locked immutability expiry equal to its tier (Azure; Azurite has no immutability). */
  LIFEBOAT_IMMUTABILITY: optionalString.transform((s) => s ?? "off").pipe(z.enum(["on", "off"], { error: "must be on or off" })),
};
