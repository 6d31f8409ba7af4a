import { audited, refused, type AuditContext } from "../audit";
import type { AppContext } from "../context";
import { ProgressMeter, noProgress, type ProgressSink } from "../progress";
import { takeBackup } from "../backup/take-backup";
import { rejectedEntity } from "../restore/verify-target";
import { TableWriter } from "../tables/table-writer";
import { CsvChecker, MAX_REPORTED_ERRORS, type CsvError } from "../../core/csv/check";
import { describeRejected } from "../../core/entity/rejected";
import { encodeRecordLine } from "../../core/entity/record-lines";
import { ensureErrorType, IntegrityError, InvalidInputError, LifeboatError, ValidationError } from "../../core/errors";
import { TABLE_NAME, TABLE_NAME_RULE } from "../../core/names";
import { readCsv, type CsvSource } from "./csv-reader";

export interface ImportCsvRequest {
  table: string;
  /** validate: check every row, write nothing. apply: the same check, then write (only when every row is valid). */
  mode: "validate" | "apply";
  /** Create the table when it does not exist (apply). */
  create: boolean;
  /** Infer the types of untyped values (Storage Explorer's untyped CSV). */
  inferTypes: boolean;
  source: CsvSource;
  /** The file's size in bytes, when known: progress gives a percentage and the time left. */
  totalBytes?: number;
  operator: string;
  progress?: ProgressSink;
  /** Lines for the person waiting (the safety backup, its id). */
  say?: (line: string) => void;
}

export interface ImportCsvReport {
  table: string;
  mode: "validate" | "apply";
  valid: boolean;
  /** Data rows in the file. */
  rows: number;
  /** The first errors (line, column, reason), in file order; `moreErrors` counts the rest. */
  errors: CsvError[];
  moreErrors: number;
  /** apply: entities written (upserted). */
  written: number;
  /** apply: the table was created by this import. */
  created: boolean;
  /** apply: the safety backup of the table taken before writing (null when the table did not exist). */
  safetyPointId: string | null;
  durationMs: number;
  /** Set when a refusal could not be recorded in the audit log (it stands all the same). */
  auditNote?: string;
}

/**
 * A CSV with errors: every error (up to the cap) as a field `line L, column C` and its rule
 * (for the caller, who sent the file); nothing was written. The message is only the count,
 * so logs and the audit log never hold the file's values.
 */
export class CsvInvalidError extends InvalidInputError {
  constructor(readonly report: ImportCsvReport) {
    super([
      ...report.errors.map((e) => ({ field: `line ${e.line}${e.column === null ? "" : `, column ${e.column}`}`, rule: e.reason })),
      ...(report.moreErrors > 0 ? [{ field: "file", rule: `and ${report.moreErrors} more errors (only the first ${MAX_REPORTED_ERRORS} are listed)` }] : []),
    ]);
    this.message = `the CSV for ${report.table} has ${report.errors.length + report.moreErrors} error(s), first at line ${report.errors[0]?.line ?? "?"}; nothing was written`;
  }
}

/**
 * Records a refused import; when the audit log cannot take it, the refusal stands all the
 * same (the caller's mistake comes first) and the result says why it was not recorded.
 */
async function recordRefusal(ctx: AppContext, action: AuditContext, reason: unknown): Promise<string | undefined> {
  try {
    await refused(ctx.audit, action, reason);
    return undefined;
  } catch (err) {
    return ensureErrorType(err).message;
  }
}

/** Checks the table name before anything is read. Throws ValidationError (field "table"). */
export function checkImportTable(table: string): void {
  if (!TABLE_NAME.test(table)) throw new ValidationError("table", `${JSON.stringify(table)} is not a table name (${TABLE_NAME_RULE})`);
}

/**
 * For the repeated keys a report lists (at most its cap), reads the file once more to say
 * on which line each first appeared: rare, and it keeps the first pass's memory to a key set.
 */
async function findFirstLines(source: CsvSource, checker: CsvChecker): Promise<void> {
  const layout = checker.layout;
  if (!layout) return;
  const wanted = new Set(checker.repeated.map((d) => `${d.pk}\u0000${d.rk}`));
  let header = true;
  await readCsv(source, {
    row: (cells, line) => {
      if (header || cells.length !== layout.width) {
        header = false;
        return;
      }
      const k = `${cells[layout.pk]}\u0000${cells[layout.rk]}`;
      if (wanted.delete(k)) checker.firstSeen(cells[layout.pk]!, cells[layout.rk]!, line);
    },
    problem: () => undefined,
  });
}

/** The validation pass: every row checked, nothing written. */
async function validate(req: ImportCsvRequest, progress: ProgressSink): Promise<CsvChecker> {
  const checker = new CsvChecker({ inferTypes: req.inferTypes });
  const meter = new ProgressMeter(progress, "validate csv", req.table, req.totalBytes ? { total: req.totalBytes } : {});
  await readCsv(req.source, {
    row: (cells, line) => {
      if (checker.row(cells, line)) meter.add(1, 0, 0);
    },
    problem: (e) => checker.problem(e),
    bytes: (n) => meter.add(0, n, n),
  });
  checker.finish();
  meter.done(`${checker.rows} rows, ${checker.errors.length + checker.more} errors`);
  if (checker.repeated.length > 0) await findFirstLines(req.source, checker);
  return checker;
}

/**
 * Imports a typed CSV (Storage Explorer's layout, docs/format.md §11) into a table of the
 * source account, as one audited action `import.csv`. First reads the whole file and checks
 * every row (header, keys, types and values, size, duplicate keys, UTF-8); a file with any
 * error is refused (audited as refused) with every error by line and column, and nothing is
 * written. `validate` stops there. `apply` then takes a safety backup of the table when it
 * exists (its point id is in the report and the audit entry), creates it with `create`, and
 * reads the file a second time, upserting in entity-group transactions: re-running after a
 * crash gives the same table.
 * Throws ValidationError (bad table name, missing table without create), CsvInvalidError
 * (the file's errors), IntegrityError (the file changed between the two reads), LifeboatError
 * IMPORT.INCOMPLETE (the service refused some entities; the rest is written), or what the
 * stores and the audit log throw.
 */
export async function importCsv(ctx: AppContext, req: ImportCsvRequest): Promise<ImportCsvReport> {
  const started = Date.now();
  checkImportTable(req.table);
  const progress = req.progress ?? noProgress;
  const action = { operator: req.operator, action: "import.csv" as const, target: { table: req.table, mode: req.mode } };
  if (req.table.toLowerCase() === ctx.config.auditTable.toLowerCase()) {
    const err = new ValidationError("table", `${req.table} is Lifeboat's audit log: importing into it would break its hash chain`);
    await recordRefusal(ctx, action, err);
    throw err;
  }
  const exists = await ctx.source.tableExists(req.table);
  if (!exists && req.mode === "apply" && !req.create) {
    const err = new ValidationError("table", `${req.table} does not exist in the source account (give --create, or create=true, to create it)`);
    await recordRefusal(ctx, action, err);
    throw err;
  }
  const checker = await validate(req, progress);
  const report: ImportCsvReport = {
    table: req.table,
    mode: req.mode,
    valid: checker.errors.length === 0 && checker.more === 0,
    rows: checker.rows,
    errors: checker.errors,
    moreErrors: checker.more,
    written: 0,
    created: false,
    safetyPointId: null,
    durationMs: Date.now() - started,
  };
  if (!report.valid) {
    const err = new CsvInvalidError(report);
    // Counts and places only: the reasons may quote the file's values.
    const notRecorded = await recordRefusal(
      ctx,
      { ...action, details: { rows: report.rows, errors: report.errors.length + report.moreErrors, at: report.errors.slice(0, 10).map((e) => `line ${e.line}${e.column === null ? "" : `, column ${e.column}`}`) } },
      err.message,
    );
    if (notRecorded) report.auditNote = `this refusal could not be recorded in the audit log: ${notRecorded}`;
    throw err;
  }
  return audited(
    ctx.audit,
    action,
    async () => {
      if (req.mode === "validate") return { ...report, durationMs: Date.now() - started };
      if (exists) report.safetyPointId = await safetyBackup(ctx, req, progress);
      else {
        await ctx.source.createTable(req.table);
        report.created = true;
      }
      report.written = await write(ctx, req, progress);
      return { ...report, durationMs: Date.now() - started };
    },
    {
      changesData: (r) => r.mode === "apply",
      preflight: req.mode === "apply",
      detailsOf: (r) => ({ rows: r.rows, written: r.written, created: r.created, safetyPoint: r.safetyPointId, inferTypes: req.inferTypes }),
    },
  );
}

/**
 * The safety backup of the live table before an import writes into it: an audited
 * incremental of that table alone (as an in-place restore takes one), waiting up to 10
 * minutes for a running backup. Returns its point id; throws IMPORT.SAFETY_BACKUP_SKIPPED
 * (nothing is written then) when it was not taken.
 */
async function safetyBackup(ctx: AppContext, req: ImportCsvRequest, progress: ProgressSink): Promise<string> {
  req.say?.(`taking a safety backup of ${req.table} before importing into it`);
  const r = await takeBackup(ctx, { operator: req.operator, kind: "incremental", tables: [req.table], containers: [], waitForLockSeconds: 600, reason: "safety backup before a CSV import", progress });
  if (r.status !== "committed") throw new LifeboatError("IMPORT.SAFETY_BACKUP_SKIPPED", `safety backup not taken (${r.reason}); nothing was imported`);
  req.say?.(`safety backup: ${r.pointId}`);
  return r.pointId;
}

/** The writing pass: the file read again, each row upserted. Returns the entities written. */
async function write(ctx: AppContext, req: ImportCsvRequest, progress: ProgressSink): Promise<number> {
  const checker = new CsvChecker({ inferTypes: req.inferTypes, maxErrors: 1, checkDuplicates: false });
  const writer = new TableWriter(ctx.source, req.table, ctx.config.restoreConcurrency);
  const meter = new ProgressMeter(progress, "import csv", req.table, req.totalBytes ? { total: req.totalBytes } : {});
  let changed = false;
  await readCsv(req.source, {
    row: async (cells, line) => {
      const record = checker.row(cells, line);
      if (checker.errors.length > 0) changed = true;
      if (!record || changed) return;
      const size = encodeRecordLine(record).length;
      await writer.add(record.pk, { kind: "upsert", record }, size);
      meter.add(1, 0, 0);
    },
    problem: () => {
      changed = true;
    },
    bytes: (n) => meter.add(0, n, n),
  });
  await writer.flush();
  meter.done();
  if (changed) throw new IntegrityError(`${req.table}: the file changed between validation and writing (a row that was valid is not now); rows up to there were written: check the file and run the import again`);
  if (writer.rejected.length > 0) {
    const named = writer.rejected.slice(0, 20).map((r) => describeRejected(rejectedEntity("csv", req.table, r)));
    throw new LifeboatError("IMPORT.INCOMPLETE", `import into ${req.table} is incomplete: the table service refused ${writer.rejected.length} entities, everything else was written: ${named.join("; ")}`);
  }
  return writer.written;
}
