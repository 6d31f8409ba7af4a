import type { BackupStore } from "../ports/BackupStore";
import { listPoints } from "../repo/catalog";
import { rpoStatus, type TableRpo } from "../../core/policy/rpo";

export interface StatusResult {
  now: string;
  rpoMinutes: number;
  rtoMinutes: number;
  points: number;
  latestPoint: { id: string; kind: string; time: string } | null;
  tables: TableRpo[];
  /** True when every configured table has a point within the RPO. */
  healthy: boolean;
}

/**
 * The last restore point per table and its age against the RPO. `tables` lists the
 * configured tables (or every table ever backed up when configured as "*").
 */
export async function getStatus(
  deps: { repo: BackupStore; now?: () => Date },
  req: { tables: string[] | "*"; rpoMinutes: number; rtoMinutes: number },
): Promise<StatusResult> {
  const now = (deps.now ?? (() => new Date()))();
  const points = await listPoints(deps.repo);
  const latest = points.at(-1);
  const tables = rpoStatus(points, req.tables, req.rpoMinutes, now);
  return {
    now: now.toISOString(),
    rpoMinutes: req.rpoMinutes,
    rtoMinutes: req.rtoMinutes,
    points: points.length,
    latestPoint: latest ? { id: latest.id, kind: latest.kind, time: latest.time.toISOString() } : null,
    tables,
    healthy: tables.length > 0 && tables.every((t) => t.withinRpo),
  };
}
