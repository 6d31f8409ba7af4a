import type { Command } from "commander";
import { runRetention } from "../../app/retention/run-retention";
import { parseInstant } from "../../core/policy/pitr";
import { cliOperatorOf, CliExit, EXIT, refuse, servicesFor, type CliIo } from "../context";

/**
 * `lifeboat retention [--dry-run] [--now <ISO>] [--json]`: the retention plan (point,
 * tier, keep/remove, reason), as of now or of a later instant with --dry-run; without
 * --dry-run applies it as of now, the same use case as the blob trigger.
 */
export function registerRetention(program: Command, io: CliIo): void {
  program
    .command("retention")
    .description("apply the retention tiers now, or show the plan (--dry-run, optionally --now <ISO> for a later instant)")
    .option("--dry-run", "show the plan, remove nothing")
    .option("--now <iso8601>", "plan as of this instant (with --dry-run): what goes next month?")
    .option("--json", "print the result as JSON")
    .action(async (opts: { dryRun?: boolean; now?: string; json?: boolean }) => {
      const action = "retention.delete";
      let asOf: Date | undefined;
      if (opts.now !== undefined) {
        if (!opts.dryRun) await refuse(io, program, { action, target: { now: opts.now } }, "--now: only with --dry-run (retention applies as of now)");
        asOf = parseInstant(opts.now) ?? undefined;
        if (!asOf) await refuse(io, program, { action, target: { now: opts.now } }, `--now: ${JSON.stringify(opts.now)} is not an ISO-8601 time with a zone (e.g. 2026-12-31T00:00:00Z)`);
      }
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      const r = await runRetention(s, { operator: cliOperatorOf(program), ...(opts.dryRun ? { dryRun: true } : {}), ...(asOf ? { asOf } : {}) });
      if (opts.json) io.stdout(JSON.stringify(r, null, 2) + "\n");
      else {
        if (r.skipped) io.stdout(`skipped: ${r.skipped}\n`);
        if (r.refused) io.stdout(`REFUSED (nothing removed): ${r.refused}\n`);
        for (const d of [...r.points, ...r.exports]) io.stdout(`${d.keep ? "keep  " : "remove"}  ${d.id}  ${d.tier.padEnd(11)}  ${d.reason}\n`);
        if (!r.dryRun) {
          io.stdout(
            `removed ${r.removed.length} point(s)/export(s), ${r.orphansRemoved} orphaned file(s), ${r.objectsRemoved} unreferenced object(s); ` +
              `${r.waiting} waiting for their immutability to expire; ${r.extended.length} kept longer; ${r.failed.length} removal(s) failed\n`,
          );
        }
        for (const f of r.failed) io.stdout(`FAILED ${f.id}: ${f.error}\n`);
      }
      if (r.refused) throw new CliExit(EXIT.problems, `retention refused: ${r.refused}`);
      if (r.failed.length > 0) throw new CliExit(EXIT.failed, `${r.failed.length} removal(s) failed`);
    });
}
