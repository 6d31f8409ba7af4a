/**
 * The settings: one zod schema composed of a group per feature (schema.ts), loaded
 * and cross-checked by loadConfig (load.ts). Secrets (connection strings, the KEK) are
 * typed `Secret` so no log line can print them.
 */
export { ConfigError, loadConfig, type Config } from "./load";
export { DEFAULTS, SETTING_NAMES } from "./schema";
export { drillSchedules, probeSchedule, timerSchedules, type TimerSchedules } from "./schedules";
export type { DrillSchedules } from "./drills";
export type { KeySource } from "./keys";
export type { StorageConnection } from "./storage";
