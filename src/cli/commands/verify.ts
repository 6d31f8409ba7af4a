import type { Command } from "commander";
import { audited } from "../../app/audit/index";
import { runVerify } from "../../app/verify/run-verify";
import { cliOperatorOf, CliExit, EXIT, formatBytes, progressPrinter, refuse, servicesFor, type CliIo } from "../context";

/** `lifeboat verify [--point <id> | --all]`: decrypts and checks every file. */
export function registerVerify(program: Command, io: CliIo): void {
  program
    .command("verify")
    .description("decrypt and check every file of a restore point (or of the whole repository)")
    .option("--point <id>", "only this restore point")
    .option("--all", "every restore point (the default)")
    .option("--json", "print the result as JSON")
    .action(async (opts: { point?: string; all?: boolean; json?: boolean }) => {
      const target = { point: opts.point ?? "all" };
      if (opts.point && opts.all) await refuse(io, program, { action: "verify", target }, "--point and --all: give one, not both");
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      const r = await audited(
        s.audit,
        { operator: cliOperatorOf(program), action: "verify", target },
        () => runVerify({ repo: s.repo, keys: s.keys, progress: progressPrinter(io) }, opts.point ? { pointId: opts.point } : {}),
        {
          detailsOf: (v) => ({ points: v.points, files: v.files, bytes: v.bytes, problems: v.problems.length, first: v.problems.slice(0, 5) }),
          failureOf: (v) => (v.problems.length > 0 ? `${v.problems.length} problem(s), first: ${v.problems[0]?.path}: ${v.problems[0]?.problem}` : undefined),
        },
      );
      if (opts.json) io.stdout(JSON.stringify(r, null, 2) + "\n");
      else {
        for (const p of r.problems) io.stdout(`PROBLEM ${p.pointId} ${p.path}: ${p.problem}\n`);
        io.stdout(`${r.problems.length === 0 ? "ok" : "FAILED"}: ${r.points} point(s), ${r.files} file(s), ${formatBytes(r.bytes)} checked, ${r.problems.length} problem(s)\n`);
      }
      if (r.problems.length > 0) throw new CliExit(EXIT.problems, `verify found ${r.problems.length} problem(s)`);
    });
}
