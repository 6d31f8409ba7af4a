import { createWriteStream, mkdirSync, renameSync, rmSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import type { Command } from "commander";
import { checkExportRequest, exportCsv, type CsvSink } from "../../app/csv/export-csv";
import { ValidationError } from "../../core/errors";
import { cliOperatorOf, formatBytes, POINT_ID_RULE, progressPrinter, refuse, servicesFrom, storeChoice, type CliIo } from "../context";

/** A file written through a temporary name, renamed into place when complete (a crash leaves no half file under the real name). */
function fileSink(path: string): CsvSink {
  const tmp = `${path}.partial`;
  const out = createWriteStream(tmp, { encoding: "utf8" });
  return {
    write: async (text) => {
      if (!out.write(text)) await once(out, "drain");
    },
    close: async () => {
      out.end();
      await once(out, "finish");
      renameSync(tmp, path);
    },
  };
}

/** `lifeboat export-csv --point <id> [--tables A,B] --out <dir>`: plain typed-CSV files of a restore point. */
export function registerExportCsv(program: Command, io: CliIo): void {
  program
    .command("export-csv")
    .description("write tables of a restore point as plain (decrypted) typed CSV, one <Table>.typed.csv per table (Storage Explorer imports them)")
    .option("--point <id>", "the restore point (see: lifeboat points)")
    .option("--tables <A,B>", "only these tables (default: every table of the point)")
    .option("--out <dir>", "the directory to write to (created when missing)")
    .option("--from <store>", "which copy of the backups: primary, secondary, or auto", "auto")
    .option("--json", "print the result as JSON")
    .action(async (opts: { point?: string; tables?: string; out?: string; from?: string; json?: boolean }) => {
      const target = { point: opts.point ?? "?", ...(opts.tables ? { tables: opts.tables } : {}) };
      const bad = (message: string): Promise<never> => refuse(io, program, { action: "export.csv", target }, message);
      if (opts.point === undefined) await bad("--point: required (see: lifeboat points)");
      if (opts.out === undefined) await bad("--out: required (the directory to write the CSV files to)");
      const tables = opts.tables?.split(",").map((t) => t.trim()).filter((t) => t.length > 0);
      if (opts.tables !== undefined && (!tables || tables.length === 0)) await bad("--tables: names no table");
      try {
        checkExportRequest({ pointId: opts.point!, ...(tables ? { tables } : {}) });
      } catch (err) {
        if (err instanceof ValidationError) await bad(err.field === "point" ? POINT_ID_RULE : `--${err.message}`);
        throw err;
      }
      const from = await storeChoice(io, program, "export.csv", opts.from);
      const s = servicesFrom(io, program, from);
      const dir = opts.out!;
      mkdirSync(dir, { recursive: true });
      const opened: string[] = [];
      try {
        const r = await exportCsv(s, {
          pointId: opts.point!,
          ...(tables ? { tables } : {}),
          operator: cliOperatorOf(program),
          open: async (table) => {
            const path = join(dir, `${table}.typed.csv`);
            opened.push(`${path}.partial`);
            return fileSink(path);
          },
          progress: progressPrinter(io),
        });
        if (opts.json) {
          io.stdout(JSON.stringify(r, null, 2) + "\n");
          return;
        }
        io.stdout(`exported: point ${r.pointId} (${r.pointTime})\n`);
        for (const t of r.tables) {
          io.stdout(`  ${join(dir, `${t.table}.typed.csv`)}: ${t.rows} rows, ${t.columns} properties, ${formatBytes(t.bytes)}\n`);
          if (t.lossy > 0) io.stderr(`warning: ${t.table}: ${t.lossy} row(s) hold a lone surrogate, which UTF-8 cannot carry: U+FFFD in the CSV (the backup itself is exact; restore it with lifeboat restore)\n`);
        }
        io.stdout("These files hold the data in clear text, values exactly as stored (formulas too): keep them safe, and do not open them in a spreadsheet.\n");
      } finally {
        for (const p of opened) rmSync(p, { force: true });
      }
    });
}
