import { createReadStream, statSync } from "node:fs";
import type { Command } from "commander";
import { checkImportTable, CsvInvalidError, importCsv, type ImportCsvReport } from "../../app/csv/import-csv";
import { describeCsvError } from "../../core/csv/check";
import { ensureErrorType, ValidationError } from "../../core/errors";
import { cliOperatorOf, progressPrinter, refuse, servicesFor, type CliIo } from "../context";

interface ImportOpts {
  table?: string;
  file?: string;
  mode?: string;
  create?: boolean;
  inferTypes?: boolean;
  json?: boolean;
}

/** `lifeboat import-csv --table T --file F [--mode validate|apply] [--create] [--infer-types]`. */
export function registerImportCsv(program: Command, io: CliIo): void {
  program
    .command("import-csv")
    .description("import a typed CSV (Azure Storage Explorer's layout) into a table: validate checks every row and writes nothing; apply writes only a valid file, after a safety backup")
    .option("--table <T>", "the table to import into (in the source account)")
    .option("--file <F>", "the CSV file (UTF-8)")
    .option("--mode <mode>", "validate (default) or apply", "validate")
    .option("--create", "apply: create the table when it does not exist")
    .option("--infer-types", "accept untyped values and infer their types (Storage Explorer's untyped CSV)")
    .option("--json", "print the report as JSON")
    .action(async (opts: ImportOpts) => {
      const target = { table: opts.table ?? "?", mode: opts.mode ?? "validate" };
      const bad = (message: string): Promise<never> => refuse(io, program, { action: "import.csv", target }, message);
      if (opts.table === undefined) await bad("--table: required (the table to import into)");
      if (opts.file === undefined) await bad("--file: required (the CSV file)");
      if (opts.mode !== "validate" && opts.mode !== "apply") await bad(`--mode: must be validate or apply, got ${JSON.stringify(opts.mode)}`);
      try {
        checkImportTable(opts.table!);
      } catch (err) {
        if (err instanceof ValidationError) await bad(`--${err.message}`);
        throw err;
      }
      let size = 0;
      try {
        const st = statSync(opts.file!);
        if (!st.isFile()) await bad(`--file: ${opts.file} is not a file`);
        size = st.size;
      } catch (err) {
        await bad(`--file: cannot read ${opts.file} (${ensureErrorType(err).message})`);
      }
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      const file = opts.file!;
      let report: ImportCsvReport;
      try {
        report = await importCsv(s, {
          table: opts.table!,
          mode: opts.mode as "validate" | "apply",
          create: opts.create === true,
          inferTypes: opts.inferTypes === true,
          source: () => createReadStream(file, { highWaterMark: 256 * 1024 }),
          totalBytes: size,
          operator: cliOperatorOf(program),
          progress: progressPrinter(io),
          say: (line) => io.stderr(`${line}\n`),
        });
      } catch (err) {
        if (err instanceof CsvInvalidError) {
          printReport(io, err.report, opts.json === true);
          throw new ValidationError("--file", `${file} has ${err.report.errors.length + err.report.moreErrors} error(s) (listed above); nothing was written`);
        }
        throw err;
      }
      printReport(io, report, opts.json === true);
    });
}

function printReport(io: CliIo, r: ImportCsvReport, json: boolean): void {
  if (json) {
    io.stdout(JSON.stringify(r, null, 2) + "\n");
    return;
  }
  if (!r.valid) {
    io.stdout(`INVALID: ${r.rows} rows, ${r.errors.length + r.moreErrors} error(s); nothing was written\n`);
    for (const e of r.errors) io.stdout(`  ${describeCsvError(e)}\n`);
    if (r.moreErrors > 0) io.stdout(`  … and ${r.moreErrors} more\n`);
    if (r.auditNote) io.stderr(`note: ${r.auditNote}\n`);
    return;
  }
  if (r.mode === "validate") {
    io.stdout(`valid: ${r.rows} rows for ${r.table}; nothing was written (import with --mode apply)\n`);
    return;
  }
  io.stdout(`imported: ${r.written} entities into ${r.table}${r.created ? " (created)" : ""}\n`);
  if (r.safetyPointId) io.stdout(`safety backup: ${r.safetyPointId}\n`);
}
