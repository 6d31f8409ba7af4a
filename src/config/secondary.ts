import { isAbsolute } from "node:path";
import { z } from "zod";
import { CONTAINER_NAME, CONTAINER_NAME_RULE } from "../core/names";
import { optionalString, type Issue } from "./fields";
import { connection, connectionShape, text, type ConnectionValues, type StorageConnection } from "./storage";

/** Where the encrypted secondary copy lives: another storage account's container, or a directory (a mounted share or disk). */
export type SecondaryStore = { kind: "blob"; connection: StorageConnection; container: string } | { kind: "path"; path: string };

/** The secondary copy's settings. */
export const secondaryShape = {
  ...connectionShape("LIFEBOAT_SECONDARY"),
  LIFEBOAT_SECONDARY_CONTAINER: optionalString.pipe(z.string().regex(CONTAINER_NAME, `must be a valid container name (${CONTAINER_NAME_RULE})`).optional()),
  LIFEBOAT_SECONDARY_PATH: optionalString,
};

/**
 * The secondary store: LIFEBOAT_SECONDARY (connection string, or __blobServiceUri with an
 * identity) with LIFEBOAT_SECONDARY_CONTAINER (default: the primary's container), or
 * LIFEBOAT_SECONDARY_PATH (an absolute directory); null when neither is set. Reports both
 * set, or a relative path, into `issues`.
 */
export function readSecondary(p: ConnectionValues, primaryContainer: string, issues: Issue[]): SecondaryStore | null {
  const blob = text(p, "LIFEBOAT_SECONDARY") ?? text(p, "LIFEBOAT_SECONDARY__blobServiceUri");
  const path = text(p, "LIFEBOAT_SECONDARY_PATH");
  if (blob && path) {
    issues.push({ setting: "LIFEBOAT_SECONDARY_PATH", message: "set either LIFEBOAT_SECONDARY (an account) or LIFEBOAT_SECONDARY_PATH (a directory), not both" });
    return null;
  }
  if (path) {
    if (!isAbsolute(path)) issues.push({ setting: "LIFEBOAT_SECONDARY_PATH", message: "must be an absolute directory path (a mounted share or disk)" });
    return { kind: "path", path };
  }
  if (!blob) return null;
  return { kind: "blob", connection: connection("LIFEBOAT_SECONDARY", p, "blob", issues), container: text(p, "LIFEBOAT_SECONDARY_CONTAINER") ?? primaryContainer };
}
