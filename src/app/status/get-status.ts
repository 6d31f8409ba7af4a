import type { BackupStore } from "../ports/BackupStore";
import type { TableStore } from "../ports/TableStore";
import { ownTables } from "../repo/created-tables";
import { selectTables, type TableSelection } from "../../core/policy/table-selection";
import { listPoints, type PointSummary } from "../repo/catalog";
import { ensureErrorType } from "../../core/errors";
import { rpoStatus, type TableRpo } from "../../core/policy/rpo";

/** The settings the status is judged against. */
export interface StatusSettings {
  tables: string[] | "*";
  /** LIFEBOAT_CONTAINERS: each one's newest point is judged against the RPO too. */
  containers: string[];
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
  /** The configured blob containers' newest points against the RPO (RPO exposure of the files). */
  containers: { container: string; lastPointId: string | null; lastPointTime: string | null; ageMinutes: number | null; withinRpo: boolean }[];
  /** True when every configured table and container has a point within the RPO. */
  healthy: boolean;
  /**
   * Why backups are running degraded, or null: the primary store is unreachable (points go
   * to the secondary alone), or the secondary holds points the primary lacks (taken while
   * it was down; the next backup copies them back).
   */
  degraded: string | null;
  /** With LIFEBOAT_TABLES=*: the source's tables the next backup covers, and those it leaves out with why (absent otherwise). */
  coverage?: Coverage;
  /** With LIFEBOAT_TABLES=*: why the coverage could not be read (the source account is down); the rest of the status stands. */
  coverageError?: string;
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
 * configured tables (or every table ever backed up when configured as "*"), counting the
 * points of both stores, and whether backups run degraded. Reads only; throws what listing
 * the primary throws when there is no secondary to fall back on.
 */
export async function getStatus(ctx: { repo: BackupStore; secondary?: BackupStore; config: StatusSettings }, now: () => Date = () => new Date()): Promise<StatusResult> {
  const req = ctx.config;
  let primary: PointSummary[] = [];
  let degraded: string | null = null;
  try {
    primary = await listPoints(ctx.repo);
  } catch (err) {
    if (!ctx.secondary) throw err;
    degraded = `the primary store is unreachable (${ensureErrorType(err).message}); backups go to the secondary alone`;
  }
  const secondary = ctx.secondary ? await listPoints(ctx.secondary).catch(() => [] as PointSummary[]) : [];
  const newestPrimary = primary.at(-1)?.id ?? "";
  const onlySecondary = secondary.filter((p) => p.id > newestPrimary);
  if (!degraded && onlySecondary.length > 0) {
    degraded = `${onlySecondary.length} point(s) are in the secondary only (taken while the primary was unreachable); the next backup copies them back`;
  }
  // The RPO holds through a primary outage: points in either store count.
  const points = [...primary, ...onlySecondary].sort((a, b) => (a.id < b.id ? -1 : 1));
  const latest = points.at(-1);
  const at = now();
  const tables = rpoStatus(points, req.tables, req.rpoMinutes, at);
  const containers = rpoStatus(points.map((p) => ({ id: p.id, time: p.time, tables: p.containers })), req.containers, req.rpoMinutes, at).map(({ table, ...rest }) => ({ container: table, ...rest }));
  return {
    now: at.toISOString(),
    rpoMinutes: req.rpoMinutes,
    rtoMinutes: req.rtoMinutes,
    points: points.length,
    latestPoint: latest ? { id: latest.id, kind: latest.kind, time: latest.time.toISOString() } : null,
    tables,
    containers,
    healthy: tables.length > 0 && tables.every((t) => t.withinRpo) && containers.every((c) => c.withinRpo),
    degraded,
  };
}

/** The status, and with "*" what the next backup covers (`coverage`). For people: the CLI and GET /api/status. */
export async function getFullStatus(ctx: { repo: BackupStore; secondary?: BackupStore; source: TableStore; config: StatusSettings & { auditTable: string; excludeTables: string[] } }): Promise<StatusResult> {
  const st = await getStatus(ctx);
  if (ctx.config.tables !== "*") return st;
  try {
    return { ...st, coverage: await coverage(ctx) };
  } catch (err) {
    // The RPO part comes from the repository: a source outage must not hide it.
    return { ...st, coverageError: `cannot list the source's tables: ${ensureErrorType(err).message}` };
  }
}
