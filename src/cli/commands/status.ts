import type { Command } from "commander";
import { getOnCallStatus } from "../../app/status/on-call-status";
import { drillDeps } from "../../services";
import { servicesFor, type CliIo } from "../context";

/** `lifeboat status [--json]`: last point per table and its age against RPO_MINUTES. */
export function registerStatus(program: Command, io: CliIo): void {
  program
    .command("status")
    .description("last restore point per table and its age against RPO_MINUTES; the projected RTO, the drills, the active endpoint")
    .option("--json", "print JSON (the same as GET /api/status)")
    .action(async (opts: { json?: boolean }) => {
      const st = await getOnCallStatus(drillDeps(servicesFor(io, program.opts<{ settings?: string }>().settings)));
      if (opts.json) {
        io.stdout(JSON.stringify(st, null, 2) + "\n");
        return;
      }
      io.stdout(`RPO ${st.rpoMinutes} min, RTO ${st.rtoMinutes} min; ${st.points} restore point(s); ${st.healthy ? "HEALTHY" : "RPO AT RISK"}${st.degraded ? "; DEGRADED" : ""}\n`);
      if (st.degraded) io.stdout(`  degraded: ${st.degraded}\n`);
      for (const t of st.tables) {
        io.stdout(
          `  ${t.table.padEnd(24)} ${t.lastPointId ?? "never backed up"}` +
            `${t.ageMinutes !== null ? `  ${t.ageMinutes} min old` : ""}  ${t.withinRpo ? "ok" : "OUTSIDE RPO"}\n`,
        );
      }
      for (const c of st.containers) {
        io.stdout(`  ${`container ${c.container}`.padEnd(24)} ${c.lastPointId ?? "never backed up"}${c.ageMinutes !== null ? `  ${c.ageMinutes} min old` : ""}  ${c.withinRpo ? "ok" : "OUTSIDE RPO"}\n`);
      }
      if ("error" in st.rto) io.stdout(`projected RTO: unknown (${st.rto.error})\n`);
      else if (st.rto.projectedMinutes === null) io.stdout("projected RTO: not measured yet (run: lifeboat drill restore-test)\n");
      else io.stdout(`projected RTO: ${Math.round(st.rto.projectedMinutes * 10) / 10} min against ${st.rtoMinutes} min${st.rto.withinObjective ? "" : "  AT RISK"} (drill ${st.rto.from})\n`);
      if (!("error" in st.drills)) {
        for (const d of st.drills) io.stdout(`  drill ${d.kind.padEnd(20)} ${d.outcome ?? "never run"}${d.at ? ` ${d.at}` : ""}${d.overdue ? "  OVERDUE" : ""}\n`);
      }
      io.stdout("error" in st.activeEndpoint ? `active endpoint: unknown (${st.activeEndpoint.error})\n` : `active endpoint: ${st.activeEndpoint.account} ${st.activeEndpoint.tableServiceUri}${st.activeEndpoint.since ? ` since ${st.activeEndpoint.since}` : ""}\n`);
      if (st.coverageError) io.stdout(`LIFEBOAT_TABLES=*: ${st.coverageError}\n`);
      if (st.coverage) {
        io.stdout(`LIFEBOAT_TABLES=* covers ${st.coverage.included.length} table(s): ${st.coverage.included.join(", ") || "none"}\n`);
        for (const x of st.coverage.excluded) io.stdout(`  left out: ${x.table.padEnd(24)} ${x.reason}\n`);
      }
    });
}
