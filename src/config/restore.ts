import { intSetting } from "./fields";

export const RESTORE_DEFAULTS = { LIFEBOAT_RESTORE_CONCURRENCY: 16, LIFEBOAT_STORAGE_RETRIES: 8, LIFEBOAT_SCAN_CONCURRENCY: 4 } as const;

export const restoreShape = {
  LIFEBOAT_RESTORE_CONCURRENCY: intSetting(RESTORE_DEFAULTS.LIFEBOAT_RESTORE_CONCURRENCY, 1, 64),
  /** How often a storage request that may pass (throttled, busy, unreachable) is retried, with back-off: 8 is about a minute. */
  LIFEBOAT_STORAGE_RETRIES: intSetting(RESTORE_DEFAULTS.LIFEBOAT_STORAGE_RETRIES, 0, 20),
  /** PartitionKey ranges a scan reads at once: backups' scans, a restore's sweep and verification (each range can be served by another partition server). */
  LIFEBOAT_SCAN_CONCURRENCY: intSetting(RESTORE_DEFAULTS.LIFEBOAT_SCAN_CONCURRENCY, 1, 32),
};
