import type { AppContext } from "../context";
import { getStatus, type StatusResult } from "./get-status";

/** The RPO check: the status, and when the policy is not met, which tables are late and by how much. */
export interface RpoCheck {
  status: StatusResult;
  /** Null when every configured table has a point within the RPO; else what is late ("T=never", "T=23.5min"), or that nothing has a point. */
  breach: string | null;
  /** Age of the oldest newest point, in minutes (0 when there is none). */
  oldestMinutes: number;
}

/**
 * Checks each configured table's and container's newest restore point against the RPO. A table never
 * backed up, or no table with a point at all, is a breach. Reads only; throws when the
 * repository cannot be read (callers treat not knowing as a breach too).
 */
export async function checkRpo(ctx: Pick<AppContext, "repo" | "secondary" | "config">, now?: () => Date): Promise<RpoCheck> {
  const status = await getStatus(ctx, now);
  const late = [...status.tables.map((t) => ({ ...t, name: t.table })), ...status.containers.map((c) => ({ ...c, name: `container:${c.container}` }))].filter((t) => !t.withinRpo);
  const oldestMinutes = Math.max(0, ...status.tables.map((t) => t.ageMinutes ?? 0), ...status.containers.map((c) => c.ageMinutes ?? 0));
  if (late.length > 0) return { status, oldestMinutes, breach: late.map((t) => `${t.name}=${t.ageMinutes === null ? "never" : `${t.ageMinutes}min`}`).join(",") };
  if (status.tables.length === 0) return { status, oldestMinutes, breach: "no table has a restore point" };
  return { status, oldestMinutes, breach: null };
}
