#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { TOOL } from "../version";
import { registerAudit } from "./commands/audit";
import { registerBackup } from "./commands/backup";
import { registerConfigExport } from "./commands/config-export";
import { registerDoctor } from "./commands/doctor";
import { registerDrills } from "./commands/drills";
import { registerCsvBackups } from "./commands/csv-backups";
import { registerExportCsv } from "./commands/export-csv";
import { registerImportCsv } from "./commands/import-csv";
import { registerJobs } from "./commands/jobs";
import { registerFailover } from "./commands/failover";
import { registerKek } from "./commands/kek";
import { registerRetention } from "./commands/retention";
import { registerPoints } from "./commands/points";
import { registerRestore } from "./commands/restore";
import { registerStatus } from "./commands/status";
import { registerVerify } from "./commands/verify";
import { EXIT, exitFor, type CliIo } from "./context";

/** Runs the `lifeboat` CLI with the given arguments; returns the exit code. Never throws. */
export async function runCli(argv: string[], given: CliIo): Promise<number> {
  const io: CliIo = { ...given, quiet: () => program.opts<{ quiet?: boolean }>().quiet === true };
  const program = new Command("lifeboat")
    .description("Lifeboat: backups, point-in-time restore and verification for Azure Table Storage")
    .version(TOOL.version)
    .option("--settings <file>", "read settings from this local.settings.json (Values) over the environment")
    .option("--operator <name>", "who is running this, for the audit log (default: the OS user and host)")
    .option("--quiet", "no progress lines on stderr")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerBackup(program, io);
  registerPoints(program, io);
  registerRestore(program, io);
  registerJobs(program, io);
  registerVerify(program, io);
  registerStatus(program, io);
  registerAudit(program, io);
  registerDoctor(program, io);
  registerConfigExport(program, io);
  registerRetention(program, io);
  registerKek(program, io);
  registerFailover(program, io);
  registerDrills(program, io);
  registerImportCsv(program, io);
  registerExportCsv(program, io);
  registerCsvBackups(program, io);
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program).slice(1)) c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT.ok; // --help, --version
      return EXIT.usage;
    }
    const { code, message } = exitFor(err);
    io.stderr(`lifeboat: ${message}\n`);
    return code;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: process.stderr.isTTY === true,
  }).then((code) => {
    process.exitCode = code;
  });
}
