import type { BackupStore } from "../ports/BackupStore";
import { listPoints } from "../repo/catalog";
import { rpoStatus, type TableRpo } from "../../core/policy/rpo";

/** The settings the status is judged against. */
export interface StatusSettings {
  tables: string[] | "*";
  rpoMinutes: number;
  rtoMinutes: number;
}

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
 * configured tables (or every table ever backed up when configured as "*"). Reads only;
 * throws what listing the repository throws.
 */
export async function getStatus(ctx: { repo: BackupStore; config: StatusSettings }, now: () => Date = () => new Date()): Promise<StatusResult> {
  const req = ctx.config;
  const points = await listPoints(ctx.repo);
  const latest = points.at(-1);
  const at = now();
  const tables = rpoStatus(points, req.tables, req.rpoMinutes, at);
  return {
    now: at.toISOString(),
    rpoMinutes: req.rpoMinutes,
    rtoMinutes: req.rtoMinutes,
    points: points.length,
    latestPoint: latest ? { id: latest.id, kind: latest.kind, time: latest.time.toISOString() } : null,
    tables,
    healthy: tables.length > 0 && tables.every((t) => t.withinRpo),
  };
}
