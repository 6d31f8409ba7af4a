import { audited } from "../audit";
import type { AppContext } from "../context";
import { noProgress, ProgressMeter, type ProgressSink } from "../progress";
import { chainFor, listPoints, loadManifest } from "../repo/catalog";
import { NotFoundError, ValidationError } from "../../core/errors";
import { columnOrder, headerCells, rowCells } from "../../core/csv/typed-csv";
import { TABLE_NAME, TABLE_NAME_RULE } from "../../core/names";
import { isPointId, type Manifest } from "../../format/manifest";
import { pointRecords } from "./point-records";
import { lossyInCsv } from "./csv-writer";
import { csvRows } from "../../core/csv/csv-text";

/** Where one table's CSV text goes (a file, an HTTP response). */
export interface CsvSink {
  write(text: string): Promise<void>;
  /** The table's CSV is complete. */
  close(): Promise<void>;
}

export interface ExportCsvRequest {
  pointId: string;
  /** Only these tables (default: every table of the point). */
  tables?: string[];
  operator: string;
  /** Opens the sink of one table (called once per table, in order). */
  open: (table: string) => Promise<CsvSink>;
  progress?: ProgressSink;
}

export interface ExportCsvResult {
  pointId: string;
  pointTime: string;
  tables: { table: string; rows: number; columns: number; bytes: number; lossy: number }[];
}

/** Rows per CSV text block handed to a sink. */
const BLOCK_ROWS = 500;

/**
 * Checks an export request before anything is read. Throws ValidationError naming
 * the field (point, tables) and the rule.
 */
export function checkExportRequest(req: Pick<ExportCsvRequest, "pointId" | "tables">): void {
  if (!isPointId(req.pointId)) throw new ValidationError("point", "must be a restore point id such as 20261126T134500123Z-f1a2b3c (see: lifeboat points)");
  for (const t of req.tables ?? []) if (!TABLE_NAME.test(t)) throw new ValidationError("tables", `${JSON.stringify(t)} is not a table name (${TABLE_NAME_RULE})`);
}

/**
 * Writes tables of a restore point as plain typed CSV (docs/format.md §11), each key in
 * its state at the point, as one audited action `export.csv`. Each table is read twice
 * (its columns, then its rows), so memory holds one file and the column names, never the
 * table. A string UTF-8 cannot carry (a lone surrogate) becomes U+FFFD: counted as `lossy`.
 * Throws ValidationError (bad request, a table not in the point), NotFoundError
 * (RESTORE.POINT_NOT_FOUND), IntegrityError (a damaged file or chain), what the sink throws.
 */
export async function exportCsv(ctx: AppContext, req: ExportCsvRequest): Promise<ExportCsvResult> {
  checkExportRequest(req);
  return audited(
    ctx.audit,
    { operator: req.operator, action: "export.csv", target: { point: req.pointId, ...(req.tables ? { tables: req.tables } : {}) } },
    async () => {
      if (!(await listPoints(ctx.repo)).some((p) => p.id === req.pointId)) {
        throw new NotFoundError("RESTORE.POINT_NOT_FOUND", `restore point ${req.pointId} does not exist (see: lifeboat points)`);
      }
      const cache = new Map<string, Manifest>();
      const load = async (id: string): Promise<Manifest> => {
        const m = cache.get(id) ?? (await loadManifest(ctx.repo, ctx.keys, id));
        cache.set(id, m);
        return m;
      };
      const head = await load(req.pointId);
      const available = Object.keys(head.tables).sort();
      const tables = req.tables ?? available;
      const missing = tables.filter((t) => !head.tables[t]);
      if (missing.length > 0) throw new ValidationError("tables", `${missing.join(", ")} not in restore point ${req.pointId} (it holds ${available.join(", ") || "no table"})`);
      const out: ExportCsvResult["tables"] = [];
      for (const table of tables) out.push(await exportTable(ctx, await chainFor(head, table, load), table, req));
      return { pointId: req.pointId, pointTime: head.startedAt, tables: out };
    },
    { detailsOf: (r) => ({ tables: r.tables }) },
  );
}

async function exportTable(ctx: AppContext, chain: Manifest[], table: string, req: ExportCsvRequest): Promise<ExportCsvResult["tables"][number]> {
  const names = new Set<string>();
  for await (const records of pointRecords(ctx.repo, ctx.keys, chain, table)) for (const r of records) for (const n in r.props) names.add(n);
  const columns = columnOrder(names);
  const sink = await req.open(table);
  const meter = new ProgressMeter(req.progress ?? noProgress, "export csv", table);
  let rows = 0;
  let bytes = 0;
  let lossy = 0;
  const put = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text, "utf8");
    await sink.write(text);
  };
  await put(csvRows([headerCells(columns)]));
  for await (const records of pointRecords(ctx.repo, ctx.keys, chain, table)) {
    for (let i = 0; i < records.length; i += BLOCK_ROWS) {
      const block = records.slice(i, i + BLOCK_ROWS);
      for (const r of block) if (lossyInCsv(r)) lossy++;
      const text = csvRows(block.map((r) => rowCells(r, columns)));
      await put(text);
      rows += block.length;
      meter.add(block.length, text.length);
    }
  }
  await sink.close();
  meter.done();
  return { table, rows, columns: columns.length, bytes, lossy };
}
