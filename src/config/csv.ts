import { z } from "zod";
import { optionalString } from "./fields";

export const CSV_DEFAULTS = { LIFEBOAT_CSV_BACKUPS: "full" } as const;

/**
 * CSV backups: every full segment of a point (the nightly full, `backup --full`) also gets
 * a typed-CSV copy of the table in Azure Storage Explorer's layout, written from the same
 * scan and sealed like every other file: the DR policy's last resort ("import data from CSV
 * backups using admin tools"). `off` leaves them out.
 */
export const csvShape = {
  LIFEBOAT_CSV_BACKUPS: optionalString.transform((s) => s ?? CSV_DEFAULTS.LIFEBOAT_CSV_BACKUPS).pipe(z.enum(["full", "off"], { error: "must be full or off" })),
};
