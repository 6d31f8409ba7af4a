import { z } from "zod";
import { AUDIT_DEFAULTS, auditShape } from "./audit";
import { BACKUP_DEFAULTS, backupShape } from "./backup";
import { DRILL_DEFAULTS, drillShape } from "./drills";
import { roleShape } from "./role";
import { CSV_DEFAULTS, csvShape } from "./csv";
import { JOBS_DEFAULTS, jobsShape } from "./jobs";
import { FAILOVER_DEFAULTS, failoverShape } from "./failover";
import { keyShape } from "./keys";
import { OBJECTIVE_DEFAULTS, objectivesShape } from "./objectives";
import { RESTORE_DEFAULTS, restoreShape } from "./restore";
import { RETENTION_DEFAULTS, retentionShape } from "./retention";
import { secondaryShape } from "./secondary";
import { connectionShape } from "./storage";

/**
 * One schema over the app settings, composed of one group per feature: a new feature
 * adds its group file and spreads it here. The Functions app, the CLI and `npm start`
 * all read the same names; Bicep sets them in Azure (test/infra checks the two agree).
 */
export const schema = z.object({
  ...connectionShape("LIFEBOAT_SOURCE"),
  ...connectionShape("LIFEBOAT_BACKUP"),
  ...backupShape,
  ...keyShape,
  ...objectivesShape,
  ...restoreShape,
  ...retentionShape,
  ...secondaryShape,
  ...auditShape,
  ...jobsShape,
  ...failoverShape,
  ...drillShape,
  ...roleShape,
  ...csvShape,
});

export type ParsedSettings = z.infer<typeof schema>;

/** Every Lifeboat setting name the schema reads, for tooling (the infra check, docs). */
export const SETTING_NAMES = Object.keys(schema.shape) as readonly (keyof ParsedSettings)[];

/** The default of every setting that has one. */
export const DEFAULTS = { ...BACKUP_DEFAULTS, ...OBJECTIVE_DEFAULTS, ...RESTORE_DEFAULTS, ...RETENTION_DEFAULTS, ...AUDIT_DEFAULTS, ...JOBS_DEFAULTS, ...FAILOVER_DEFAULTS, ...DRILL_DEFAULTS, ...CSV_DEFAULTS } as const;
