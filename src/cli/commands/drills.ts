import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { cliOperatorOf, CliExit, EXIT, refuse, servicesFor, type CliIo } from "../context";
import { drillsStatus, isDrillId, loadReport, runDrill } from "../../app/drills";
import { DRILL_KINDS, type DrillKind, type DrillReport } from "../../core/drills/drill";
import { drillDeps } from "../../services";

const fmt = (x: number | undefined, unit: string): string => (x === undefined ? "" : `${Math.round(x * 10) / 10} ${unit}`);

function printReport(io: CliIo, r: DrillReport): void {
  io.stdout(`drill ${r.kind}: ${r.outcome.toUpperCase()} (report ${r.id})\n`);
  for (const why of r.reasons) io.stdout(`  - ${why}\n`);
  for (const s of r.steps) io.stdout(`  ${s.outcome.padEnd(13)} ${s.name}: ${s.detail}\n`);
  const f = r.figures;
  if (f.projectedRtoMinutes !== undefined) io.stdout(`projected RTO ${fmt(f.projectedRtoMinutes, "min")} (objective ${r.objectives.rtoMinutes} min) at ${Math.round(f.entitiesPerSecond ?? 0)} entities/s for ${f.dataEntities ?? 0} entities\n`);
  if (f.observedRpoMinutes !== undefined) io.stdout(`observed RPO ${fmt(f.observedRpoMinutes, "min")} (objective ${r.objectives.rpoMinutes} min)\n`);
  if (f.timeToStandbyMinutes !== undefined) io.stdout(`failover: verified standby in ${fmt(f.timeToStandbyMinutes, "min")}, data-loss window ${fmt(f.dataLossMinutes, "min")}\n`);
  for (const m of r.manualSteps) io.stdout(`  to sign off: ${m}\n`);
  io.stdout(`review: ${r.runbook}\n`);
}

/** `lifeboat drill <kind>` and `lifeboat drills`: run a DR drill now; list each kind's last run, next due date and overdue flag. */
export function registerDrills(program: Command, io: CliIo): void {
  program
    .command("drill")
    .description(`run a DR drill now (${DRILL_KINDS.join(", ")}); exit 1 when it failed, 3 when at risk`)
    .argument("<kind>", DRILL_KINDS.join(" | "))
    .option("--json", "print the report as JSON")
    .action(async (kind: string, opts: { json?: boolean }) => {
      if (!DRILL_KINDS.includes(kind as DrillKind)) await refuse(io, program, { action: "drill", target: { kind } }, `kind: must be one of ${DRILL_KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
      const deps = drillDeps(servicesFor(io, program.opts<{ settings?: string }>().settings));
      const r = await runDrill(deps, { kind: kind as DrillKind, operator: cliOperatorOf(program), say: (l) => (io.quiet?.() ? undefined : io.stderr(`${l}\n`)) });
      if (opts.json) io.stdout(JSON.stringify(r, null, 2) + "\n");
      else printReport(io, r);
      if (r.outcome === "failed") throw new CliExit(EXIT.failed, `drill ${r.kind} failed: ${r.reasons.join("; ")}`);
      if (r.outcome === "at risk") throw new CliExit(EXIT.problems, `drill ${r.kind} passed but is at risk: ${r.reasons.join("; ")}`);
    });
  program
    .command("drills")
    .description("each drill kind: last run, outcome, next due date, overdue; with --report, one report (--html <file> writes its page)")
    .option("--report <id>", "one report")
    .option("--html <file>", "with --report: write the report's self-contained HTML page to this file")
    .option("--json", "print JSON")
    .action(async (opts: { report?: string; html?: string; json?: boolean }) => {
      if (opts.html !== undefined && opts.report === undefined) throw new CliExit(EXIT.usage, "--html: only with --report <id>");
      if (opts.report !== undefined && !isDrillId(opts.report)) throw new CliExit(EXIT.usage, `--report: must be a drill report id such as 20261201T030000123Z-restore-test-a1b2c3 (see: lifeboat drills), got ${JSON.stringify(opts.report)}`);
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      if (opts.report !== undefined) {
        if (opts.html !== undefined) {
          writeFileSync(opts.html, (await loadReport(s.repo, s.keys, opts.report, "html")) as string);
          io.stdout(`${opts.html}\n`);
          return;
        }
        const r = (await loadReport(s.repo, s.keys, opts.report, "json")) as DrillReport;
        if (opts.json) io.stdout(JSON.stringify(r, null, 2) + "\n");
        else printReport(io, r);
        return;
      }
      const st = await drillsStatus(drillDeps(s));
      if (opts.json) {
        io.stdout(JSON.stringify(st, null, 2) + "\n");
        return;
      }
      for (const k of st.kinds) {
        io.stdout(
          `${k.kind.padEnd(20)} ${k.last ? `${k.last.outcome.padEnd(13)} ${k.last.startedAt}` : "never run".padEnd(38)}  next ${k.nextDue ?? "never"}${k.overdue ? "  OVERDUE" : ""}\n`,
        );
      }
      io.stdout(`projected RTO: ${st.projectedRtoMinutes === null ? "not measured yet (run: lifeboat drill restore-test)" : `${Math.round(st.projectedRtoMinutes * 10) / 10} min (from ${st.projectedFrom})`}\n`);
    });
}
