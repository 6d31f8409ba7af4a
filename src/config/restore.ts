import { intSetting } from "./fields";

export const RESTORE_DEFAULTS = { LIFEBOAT_RESTORE_CONCURRENCY: 16 } as const;

export const restoreShape = {
  LIFEBOAT_RESTORE_CONCURRENCY: intSetting(RESTORE_DEFAULTS.LIFEBOAT_RESTORE_CONCURRENCY, 1, 64),
};
