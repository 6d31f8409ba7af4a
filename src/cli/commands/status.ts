import type { Command } from "commander";
import { getFullStatus } from "../../app/status/get-status";
import { servicesFor, type CliIo } from "../context";

/** `lifeboat status [--json]`: last point per table and its age against RPO_MINUTES. */
export function registerStatus(program: Command, io: CliIo): void {
  program
    .command("status")
    .description("last restore point per table and its age against RPO_MINUTES")
    .option("--json", "print JSON (the same as GET /api/status)")
    .action(async (opts: { json?: boolean }) => {
      const st = await getFullStatus(servicesFor(io, program.opts<{ settings?: string }>().settings));
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
      if (st.coverage) {
        io.stdout(`LIFEBOAT_TABLES=* covers ${st.coverage.included.length} table(s): ${st.coverage.included.join(", ") || "none"}\n`);
        for (const x of st.coverage.excluded) io.stdout(`  left out: ${x.table.padEnd(24)} ${x.reason}\n`);
      }
    });
}
