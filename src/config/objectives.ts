import { intSetting } from "./fields";

/** The DR policy's objectives. */
export const OBJECTIVE_DEFAULTS = { RPO_MINUTES: 15, RTO_MINUTES: 120 } as const;

export const objectivesShape = {
  RPO_MINUTES: intSetting(OBJECTIVE_DEFAULTS.RPO_MINUTES, 1, 1440),
  RTO_MINUTES: intSetting(OBJECTIVE_DEFAULTS.RTO_MINUTES, 1, 10080),
};
