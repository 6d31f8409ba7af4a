import type { Command } from "commander";
import { listCsvBackups } from "../../app/csv/csv-backups";
import { formatBytes, servicesFor, type CliIo } from "../context";

/** `lifeboat csv-backups [--json]`: the typed-CSV copies of the tables, per restore point. */
export function registerCsvBackups(program: Command, io: CliIo): void {
  program
    .command("csv-backups")
    .description("list the typed-CSV copies of tables in restore points (point, table, rows, files, bytes)")
    .option("--json", "print JSON (with each sealed file's path, rows, size and SHA-256)")
    .action(async (opts: { json?: boolean }) => {
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      const list = await listCsvBackups(s.repo, s.keys);
      if (opts.json) {
        io.stdout(JSON.stringify(list, null, 2) + "\n");
        return;
      }
      if (list.length === 0) {
        io.stderr("no CSV backups yet (a full point writes them: lifeboat backup --full, with LIFEBOAT_CSV_BACKUPS=full)\n");
        return;
      }
      io.stdout(`${"POINT".padEnd(28)}${"TABLE".padEnd(24)}${"ROWS".padStart(10)}${"FILES".padStart(7)}${"BYTES".padStart(12)}\n`);
      for (const b of list) io.stdout(`${b.pointId.padEnd(28)}${b.table.padEnd(24)}${String(b.rows).padStart(10)}${String(b.files.length).padStart(7)}${formatBytes(b.bytes).padStart(12)}\n`);
      io.stdout("Plain CSV of a point: lifeboat export-csv --point <id> --out <dir>; by hand: docs/format.md §11.\n");
    });
}
