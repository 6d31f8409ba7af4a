import type { BackupStore } from "../ports/BackupStore";
import type { TableStore } from "../ports/TableStore";
import { ownTables } from "../repo/created-tables";
import { selectTables, type TableSelection } from "../../core/policy/table-selection";
import { listPoints } from "../repo/catalog";
import { rpoStatus, type TableRpo } from "../../core/policy/rpo";

/** The settings the status is judged against. */
export interface StatusSettings {
  tables: string[] | "*";
  rpoMinutes: number;
  rtoMinutes: number;
}

/** What a "*" backup covers now, and what it leaves out and why. */
export type Coverage = TableSelection;

export interface StatusResult {
  now: string;
  rpoMinutes: number;
  rtoMinutes: number;
  points: number;
  latestPoint: { id: string; kind: string; time: string } | null;
  tables: TableRpo[];
  /** True when every configured table has a point within the RPO. */
  healthy: boolean;
  /** With LIFEBOAT_TABLES=*: the source's tables the next backup covers, and those it leaves out with why (absent otherwise). */
  coverage?: Coverage;
}

/**
 * What "*" covers in the source now: every table less Lifeboat's own (its audit table,
 * the tables it created) and LIFEBOAT_EXCLUDE_TABLES. Throws what listing throws.
 */
export async function coverage(ctx: { repo: BackupStore; source: TableStore; config: { auditTable: string; excludeTables: string[] } }): Promise<Coverage> {
  return selectTables(await ctx.source.listTables(), await ownTables(ctx.repo, ctx.config.auditTable), ctx.config.excludeTables);
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

/** The status, and with "*" what the next backup covers (`coverage`). For people: the CLI and GET /api/status. */
export async function getFullStatus(ctx: { repo: BackupStore; source: TableStore; config: StatusSettings & { auditTable: string; excludeTables: string[] } }): Promise<StatusResult> {
  const st = await getStatus(ctx);
  return ctx.config.tables === "*" ? { ...st, coverage: await coverage(ctx) } : st;
}
