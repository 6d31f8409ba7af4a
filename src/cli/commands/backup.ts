import type { Command } from "commander";
import { audited } from "../../app/audit/index";
import { runBackup } from "../../app/backup/run-backup";
import { backupAudit, recordSettingsChange } from "../../app/backup/take-backup";
import { settingsSummary } from "../../config/summary";
import { cliOperatorOf, CliExit, EXIT, formatBytes, progressPrinter, refuse, servicesFor, type CliIo } from "../context";

/** `lifeboat backup [--full] [--wait <s>]`: takes a restore point and prints its id on stdout. */
export function registerBackup(program: Command, io: CliIo): void {
  program
    .command("backup")
    .description("take a restore point now (incremental, or full with --full); prints its id")
    .option("--full", "take a full backup instead of an incremental")
    .option("--wait <seconds>", "wait this long for a running backup to finish", "0")
    .action(async (opts: { full?: boolean; wait: string }) => {
      const action = opts.full ? "backup.full" : "backup.incremental";
      const wait = Number(opts.wait);
      if (!Number.isInteger(wait) || wait < 0) {
        await refuse(io, program, { action }, `--wait: must be a whole number of seconds, got ${JSON.stringify(opts.wait)}`);
      }
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      const operator = cliOperatorOf(program);
      const result = await audited(
        s.audit,
        { operator, action, target: { tables: s.config.tables === "*" ? "*" : s.config.tables } },
        () =>
          runBackup(
            { source: s.source, repo: s.repo, keys: s.keys, progress: progressPrinter(io) },
            {
              tables: s.config.tables,
            exclude: [s.config.auditTable],
              full: opts.full === true,
              overlapSeconds: s.config.overlapSeconds,
              chunkEntities: s.config.chunkEntities,
              waitForLockSeconds: wait,
              settings: settingsSummary(s.config),
            },
          ),
        backupAudit,
      );
      await recordSettingsChange(s.audit, operator, result);
      if (result.status === "skipped") throw new CliExit(EXIT.failed, `backup skipped: ${result.reason}`);
      io.stderr(
        `committed ${result.kind} point ${result.pointId}: ${result.entities} entities, ${result.tombstones} deletions, ` +
          `${formatBytes(result.bytes)} in ${(result.durationMs / 1000).toFixed(1)} s\n`,
      );
      io.stdout(`${result.pointId}\n`);
    });
}
