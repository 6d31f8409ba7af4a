import { randomBytes } from "node:crypto";

/** A table name no other test uses (tests share one Azurite). */
export function uniqueTable(prefix = "T"): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}

/** A container name no other test uses. */
export function uniqueContainer(prefix = "c"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}
