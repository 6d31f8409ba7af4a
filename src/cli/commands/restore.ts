import type { Command } from "commander";
import { restorePoint } from "../../app/restore/restore-point";
import { checkRestoreRequest, RestoreIncompleteError, type RestoreResult, type RestoreTarget } from "../../app/restore/run-restore";
import { ValidationError } from "../../core/errors";
import { parseInstant } from "../../core/policy/pitr";
import { isPointId } from "../../format/manifest";
import { submitRestoreJob } from "../../app/jobs";
import { jobDeps } from "../../services";
import { followJob } from "./jobs";
import { cliOperatorOf, formatBytes, POINT_ID_RULE, progressPrinter, refuse, servicesFrom, storeChoice, type CliIo } from "../context";

interface RestoreOpts {
  at?: string;
  point?: string;
  tables?: string;
  containers?: string;
  targetPrefix?: string;
  inPlace?: boolean;
  dryRun?: boolean;
  from?: string;
  json?: boolean;
  job?: boolean;
  detach?: boolean;
}

/** `lifeboat restore …`: point-in-time restore into new tables or in place. */
export function registerRestore(program: Command, io: CliIo): void {
  program
    .command("restore")
    .description("restore tables to a point in time, into new tables (--target-prefix) or in place (--in-place)")
    .option("--at <iso8601>", "the latest restore point at or before this time, e.g. 2026-11-26T03:00:00Z")
    .option("--point <id>", "an exact restore point id (see: lifeboat points)")
    .option("--tables <A,B>", "only these tables (default: everything in the point)")
    .option("--containers <a,b>", "only these blob containers (with --tables: both); restored into <prefix>-<container>")
    .option("--target-prefix <p>", "write to new tables named <p><Table>")
    .option("--in-place", "replace the live tables (takes a safety backup first; deletes entities not in the point)")
    .option("--dry-run", "show the plan, write nothing")
    .option("--from <store>", "which copy of the backups: primary, secondary, or auto (the primary, falling back to the secondary)", "auto")
    .option("--json", "print the result as JSON")
    .option("--job", "run it as a restore job on the Functions app's queue (tasks in parallel on every instance) and follow its progress")
    .option("--detach", "with --job: print the job id and return at once (follow later: lifeboat jobs <id> --follow)")
    .action(async (opts: RestoreOpts) => {
      // Validate everything before touching anything.
      const action = opts.dryRun ? "restore.dryRun" : "restore";
      const asked = {
        ...(opts.at !== undefined ? { at: opts.at } : {}),
        ...(opts.point !== undefined ? { point: opts.point } : {}),
        ...(opts.tables !== undefined ? { tables: opts.tables } : {}),
        ...(opts.containers !== undefined ? { containers: opts.containers } : {}),
        into: opts.inPlace ? "in place" : `prefix ${opts.targetPrefix ?? "?"}`,
      };
      const bad = (message: string): Promise<never> => refuse(io, program, { action, target: asked }, message);
      let at: Date | undefined;
      if (opts.at !== undefined) {
        const parsed = parseInstant(opts.at);
        if (!parsed) await bad(`--at: ${JSON.stringify(opts.at)} is not an ISO-8601 time with a zone (e.g. 2026-11-26T03:00:00Z)`);
        at = parsed ?? undefined;
      }
      if (opts.at !== undefined && opts.point !== undefined) await bad("--at and --point: give one, not both");
      if (opts.point !== undefined && !isPointId(opts.point)) await bad(POINT_ID_RULE);
      if (opts.inPlace && opts.targetPrefix !== undefined) await bad("--target-prefix and --in-place: give one, not both");
      if (!opts.inPlace && opts.targetPrefix === undefined) await bad("a target is required: --target-prefix <p> (new tables) or --in-place");
      if (opts.detach && !opts.job) await bad("--detach: only with --job");
      const tables = opts.tables?.split(",").map((t) => t.trim()).filter((t) => t.length > 0);
      if (opts.tables !== undefined && (!tables || tables.length === 0)) await bad("--tables: names no table");
      const containers = opts.containers?.split(",").map((t) => t.trim()).filter((t) => t.length > 0);
      if (opts.containers !== undefined && (!containers || containers.length === 0)) await bad("--containers: names no container");
      const target: RestoreTarget = opts.inPlace ? { kind: "inPlace" } : { kind: "prefix", prefix: opts.targetPrefix ?? "" };
      try {
        checkRestoreRequest({ ...(tables ? { tables } : {}), ...(containers ? { containers } : {}), target });
      } catch (err) {
        if (err instanceof ValidationError) await bad(err.message.replace(/^(target-prefix|tables|containers):/, "--$1:"));
        throw err;
      }

      const from = await storeChoice(io, program, action, opts.from);
      const s = servicesFrom(io, program, from);
      const request = {
        operator: cliOperatorOf(program),
        ...(at ? { at } : {}),
        ...(opts.point ? { pointId: opts.point } : {}),
        ...(tables ? { tables } : {}),
        ...(containers ? { containers } : {}),
        target,
      };
      if (opts.job && !opts.dryRun) {
        const submitted = await submitRestoreJob(jobDeps(s), { ...request, from });
        if (submitted.kind !== "job") return;
        io.stderr(`submitted restore job ${submitted.job.id} (point ${submitted.job.pointId}); follow it with: lifeboat jobs ${submitted.job.id} --follow\n`);
        if (opts.detach) {
          io.stdout(`${submitted.job.id}\n`);
          return;
        }
        return followJob(io, jobDeps(s), submitted.job.id, opts.json === true);
      }
      let result: RestoreResult;
      try {
        result = await restorePoint(s, {
          ...request,
          dryRun: opts.dryRun === true,
          progress: progressPrinter(io),
          say: (line) => io.stderr(`${line}\n`),
        });
      } catch (err) {
        // Everything else was restored and verified: show it, and each refused entity, before failing.
        if (err instanceof RestoreIncompleteError) printResult(io, err.result, opts.json === true);
        throw err;
      }
      printResult(io, result, opts.json === true);
    });
}

/** The restore's outcome: one line per table (or the plan of a dry run), refused entities, the safety point. */
function printResult(io: CliIo, result: RestoreResult, json: boolean): void {
  if (json) {
    io.stdout(JSON.stringify(result, null, 2) + "\n");
    return;
  }
  const p = result.plan;
  if (p.note) io.stdout(`NOTE: ${p.note}\n`);
  io.stdout(`${result.dryRun ? "plan" : "restored"}: point ${p.pointId} (${p.pointTime})${p.inPlace ? ", in place" : ""}\n`);
  for (const t of p.tables) {
    const done = result.tables.find((r) => r.table === t.table);
    io.stdout(
      `  ${t.table} -> ${t.target}: ` +
        (done
          ? `${done.entities - done.rejected.filter((r) => r.write === "upsert").length} entities, ${done.deleted} removed, verified (digest ${done.digest.slice(0, 12)}…)` +
            (done.rejected.length > 0 ? `, except ${done.rejected.length} refused by the service:` : "")
          : `up to ${t.maxEntities} entities from ${t.chain.length} point(s): ${t.chain.join(" <- ")}`) +
        "\n",
    );
    for (const r of done?.rejected ?? []) {
      io.stdout(
        `    NOT ${r.write === "upsert" ? "WRITTEN" : "DELETED"} PartitionKey ${JSON.stringify(r.partitionKey)} RowKey ${JSON.stringify(r.rowKey)}` +
          `${r.property ? ` property ${JSON.stringify(r.property)}` : ""}: ${r.status}${r.serviceCode ? ` ${r.serviceCode}` : ""}: ${r.reason}\n`,
      );
    }
  }
  for (const c of p.containers) {
    const done = result.containers.find((r) => r.container === c.container);
    io.stdout(
      `  container ${c.container} -> ${c.target}: ` +
        (done
          ? `${done.files} files, ${formatBytes(done.bytes)}, ${done.deleted} removed, verified\n`
          : `${c.files} files, ${formatBytes(c.bytes)} to write${c.deletes !== undefined ? `, ${c.deletes} to delete` : ""}\n`),
    );
  }
  if (result.safetyPointId) io.stdout(`safety backup: ${result.safetyPointId}\n`);
}
