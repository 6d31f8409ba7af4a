import type { Command } from "commander";
import { verifyRepository } from "../../app/verify/verify-repository";
import { isPointId } from "../../format/manifest";
import { cliOperatorOf, CliExit, EXIT, formatBytes, POINT_ID_RULE, progressPrinter, refuse, servicesFrom, storeChoice, type CliIo } from "../context";

/** `lifeboat verify [--point <id> | --all]`: decrypts and checks every file. */
export function registerVerify(program: Command, io: CliIo): void {
  program
    .command("verify")
    .description("decrypt and check every file of a restore point (or of the whole repository)")
    .option("--point <id>", "only this restore point")
    .option("--all", "every restore point (the default)")
    .option("--from <store>", "which copy: primary, secondary, or auto (the primary, falling back to the secondary)", "auto")
    .option("--json", "print the result as JSON")
    .action(async (opts: { point?: string; all?: boolean; from?: string; json?: boolean }) => {
      if (opts.point && opts.all) await refuse(io, program, { action: "verify", target: { point: opts.point } }, "--point and --all: give one, not both");
      if (opts.point !== undefined && !isPointId(opts.point)) await refuse(io, program, { action: "verify", target: { point: opts.point } }, POINT_ID_RULE);
      const s = servicesFrom(io, program, await storeChoice(io, program, "verify", opts.from));
      const r = await verifyRepository(s, { operator: cliOperatorOf(program), ...(opts.point ? { pointId: opts.point } : {}), progress: progressPrinter(io) });
      if (opts.json) io.stdout(JSON.stringify(r, null, 2) + "\n");
      else {
        for (const p of r.problems) io.stdout(`PROBLEM ${p.pointId} ${p.path}: ${p.problem}\n`);
        io.stdout(`${r.problems.length === 0 ? "ok" : "FAILED"}: ${r.points} point(s), ${r.files} file(s), ${formatBytes(r.bytes)} checked, ${r.problems.length} problem(s)\n`);
      }
      if (r.problems.length > 0) throw new CliExit(EXIT.problems, `verify found ${r.problems.length} problem(s)`);
    });
}
