import type { Command } from "commander";
import { runDoctor } from "../../app/doctor/run-doctor";
import type { Check } from "../../app/doctor/checks";
import { ConfigError, loadConfig } from "../../config";
import { createServices } from "../../services";
import { cliOperatorOf, CliExit, EXIT, readSettings, type CliIo } from "../context";

function line(c: Check): string {
  return `${c.status.padEnd(5)} ${c.name.padEnd(14)} ${c.detail}\n${c.fix ? `${" ".repeat(21)}fix: ${c.fix}\n` : ""}`;
}

/**
 * `lifeboat doctor [--json]`: checks the settings, every store with the access Lifeboat
 * needs there, the clock, the key, the RPO and the audit chain; one line per check with
 * what to do about a failure. Exit 0 when nothing failed, 2 for invalid settings, 3 when
 * a check failed.
 */
export function registerDoctor(program: Command, io: CliIo): void {
  program
    .command("doctor")
    .description("check that Lifeboat can do its job now: settings, stores and permissions, clock, key, RPO, audit chain")
    .option("--json", "print the report as JSON")
    .action(async (opts: { json?: boolean }) => {
      const env = readSettings(io, program.opts<{ settings?: string }>().settings);
      let config;
      try {
        config = loadConfig(env);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const checks: Check[] = err.issues.map((i) => ({ name: "settings", status: "fail", detail: `${i.setting}: ${i.message}`, fix: `set ${i.setting} (see the README's Settings table)` }));
        if (opts.json) io.stdout(JSON.stringify({ ok: false, checks }, null, 2) + "\n");
        else for (const c of checks) io.stdout(line(c));
        throw new CliExit(EXIT.usage, `doctor: the settings are invalid (${checks.length} problem(s))`);
      }
      const services = (io.services ?? ((c) => createServices(c, { retries: "quick" })))(config);
      const report = await runDoctor(services, { operator: cliOperatorOf(program), probeAppend: true });
      const checks: Check[] = [{ name: "settings", status: "ok", detail: "valid" }, ...report.checks];
      if (opts.json) io.stdout(JSON.stringify({ ok: report.ok, checks }, null, 2) + "\n");
      else for (const c of checks) io.stdout(line(c));
      if (!report.ok) throw new CliExit(EXIT.problems, `doctor: ${checks.filter((c) => c.status === "fail").length} check(s) failed`);
    });
}
