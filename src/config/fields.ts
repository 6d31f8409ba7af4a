import { z } from "zod";
import { CONTAINER_NAME, CONTAINER_NAME_RULE, TABLE_NAME, TABLE_NAME_RULE } from "../core/names";

/** Field builders shared by every settings group. Empty or blank means "not set". */

export const optionalString = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === "" ? undefined : s));

/** A whole number in [min, max], `def` when unset. */
export const intSetting = (def: number, min: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === "" ? def : Number(v)),
    z.number({ error: "must be a whole number" }).int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
  );

export const httpUrl = (error: string) => optionalString.pipe(z.url({ protocol: /^https?$/, error }).optional());

// Six fields (with seconds), as Azure Functions NCRONTAB expects.
const NCRONTAB = /^\s*\S+(\s+\S+){5}\s*$/;

/** A six-field NCRONTAB schedule, `def` when unset. */
export const scheduleSetting = (def: string) =>
  optionalString
    .transform((s) => s ?? def)
    .pipe(z.string().regex(NCRONTAB, "must be a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week})"));

/** A blob container name, `def` when unset. */
export const containerSetting = (def: string) =>
  optionalString.transform((s) => s ?? def).pipe(z.string().regex(CONTAINER_NAME, `must be a valid container name (${CONTAINER_NAME_RULE})`));

/** A table name, `def` when unset. */
export const tableSetting = (def: string) =>
  optionalString.transform((s) => s ?? def).pipe(z.string().regex(TABLE_NAME, `must be a valid table name (${TABLE_NAME_RULE})`));

/** One problem with one setting. Never holds the value. */
export type Issue = { setting: string; message: string };
