import type { Command } from "commander";
import { takeBackup } from "../../app/backup/take-backup";
import { followActiveEndpoint } from "../../app/failover/follow-endpoint";
import { cliOperatorOf, CliExit, EXIT, formatBytes, progressPrinter, refuse, servicesFor, type CliIo } from "../context";

/** `lifeboat backup [--full] [--wait <s>]`: takes a restore point and prints its id on stdout. */
export function registerBackup(program: Command, io: CliIo): void {
  program
    .command("backup")
    .description("take a restore point now (incremental, or full with --full); prints its id")
    .option("--full", "take a full backup instead of an incremental")
    .option("--wait <seconds>", "wait this long for a running backup to finish", "0")
    .action(async (opts: { full?: boolean; wait: string }) => {
      const kind = opts.full ? "full" : "incremental";
      const wait = Number(opts.wait);
      if (!Number.isInteger(wait) || wait < 0) {
        await refuse(io, program, { action: `backup.${kind}` }, `--wait: must be a whole number of seconds, got ${JSON.stringify(opts.wait)}`);
      }
      // Backups follow the active endpoint: after a failover, the failover account is the source.
      const { ctx: s, note } = await followActiveEndpoint(servicesFor(io, program.opts<{ settings?: string }>().settings));
      if (note) io.stderr(`note: ${note}\n`);
      const result = await takeBackup(s, { operator: cliOperatorOf(program), kind, waitForLockSeconds: wait, progress: progressPrinter(io) });
      if (result.status === "skipped") throw new CliExit(EXIT.failed, `backup skipped: ${result.reason}`);
      if (result.degraded) io.stderr(`warning: DEGRADED: ${result.degraded}\n`);
      if (result.backfilled) io.stderr(`back-filled the primary with ${result.backfilled.length} point(s) taken while it was unreachable\n`);
      for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
      if (result.secondary && "error" in result.secondary) io.stderr(`warning: the copy to the secondary store failed (it catches up on the next backup): ${result.secondary.error}\n`);
      else if (result.secondary) io.stderr(`secondary store: ${result.secondary.points.length} point(s) copied and verified, ${formatBytes(result.secondary.bytes)}\n`);
      io.stderr(
        `committed ${result.kind} point ${result.pointId}: ${result.entities} entities, ${result.tombstones} deletions, ` +
          `${formatBytes(result.bytes)} in ${(result.durationMs / 1000).toFixed(1)} s\n`,
      );
      io.stdout(`${result.pointId}\n`);
    });
}
