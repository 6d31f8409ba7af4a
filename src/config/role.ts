import { z } from "zod";
import { httpUrl, optionalString, type Issue } from "./fields";

/**
 * Which app this is: the `primary` (in the primary region: takes the backups) or the
 * `standby` (a second app in the secondary region: probes, fails over and restores when
 * the primary region is down, and takes backups only while the primary app does not answer).
 */
export type AppRole = { kind: "primary" } | { kind: "standby"; primaryAppUrl: string };

export const roleShape = {
  LIFEBOAT_ROLE: optionalString.transform((s) => s ?? "primary").pipe(z.enum(["primary", "standby"], { error: "must be primary or standby" })),
  /** The standby's view of the primary app: its base URL (GET <url>/api/ping answers while it runs). */
  LIFEBOAT_PRIMARY_APP_URL: httpUrl("must be an http(s) URL: the primary Function App's, e.g. https://func-lifeboat-abc.azurewebsites.net"),
};

/** The role; a standby without LIFEBOAT_PRIMARY_APP_URL is reported into `issues`. */
export function readRole(p: { LIFEBOAT_ROLE?: "primary" | "standby" | undefined; LIFEBOAT_PRIMARY_APP_URL?: string | undefined }, issues: Issue[]): AppRole {
  if (p.LIFEBOAT_ROLE !== "standby") return { kind: "primary" };
  if (!p.LIFEBOAT_PRIMARY_APP_URL) {
    issues.push({ setting: "LIFEBOAT_PRIMARY_APP_URL", message: "is required with LIFEBOAT_ROLE=standby: the primary app's URL, whose /api/ping the standby probes before it fails over or takes a backup" });
    return { kind: "primary" };
  }
  return { kind: "standby", primaryAppUrl: p.LIFEBOAT_PRIMARY_APP_URL.replace(/\/+$/, "") };
}
