import type { Command } from "commander";
import { activeEndpoint } from "../../app/failover/active-endpoint";
import { failback, type FailbackReport } from "../../app/failover/failback";
import { failover, type FailoverReport } from "../../app/failover/failover";
import type { EndpointRecord, Publication } from "../../app/ports/EndpointState";
import { MAX_REASON } from "../../app/failover/switch-endpoint";
import { cliOperatorOf, progressPrinter, refuse, servicesFor, servicesFrom, type CliIo } from "../context";

interface SwitchOpts {
  reason?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** `lifeboat failover`, `lifeboat failback`, `lifeboat endpoint`: the same use cases as POST /api/failover, /api/failback and GET /api/endpoint. */
export function registerFailover(program: Command, io: CliIo): void {
  const switchCommand = (name: "failover" | "failback", description: string) =>
    program
      .command(name)
      .description(description)
      .option("--reason <text>", "why (an incident number, a drill): kept in the audit log, the endpoint record and the secret")
      .option("--dry-run", "everything but the switch, into scratch tables that are deleted afterwards")
      .option("--json", "print the report as JSON")
      .action(async (opts: SwitchOpts) => {
        const action = opts.dryRun ? (`${name}.dryRun` as const) : name;
        const reason = opts.reason?.trim() ?? "";
        if (reason === "") await refuse(io, program, { action }, "--reason: is required: why (an incident number, a drill)");
        if (reason.length > MAX_REASON) await refuse(io, program, { action }, `--reason: must be at most ${MAX_REASON} characters`);
        // Read the backups from the primary store, falling back to the secondary when it is unreachable.
        const s = servicesFrom(io, program, "auto");
        const req = { operator: cliOperatorOf(program), reason, dryRun: opts.dryRun === true, progress: progressPrinter(io), say: (line: string) => io.stderr(`${line}\n`) };
        const report = name === "failover" ? await failover(s, req) : await failback(s, req);
        if (opts.json) io.stdout(JSON.stringify(report, null, 2) + "\n");
        else printReport(io, report);
      });
  switchCommand("failover", "restore the newest valid point into the failover account (LIFEBOAT_FAILOVER), verify it, then switch the active endpoint to it");
  switchCommand("failback", "back up the failover account, restore that into the primary source in place (after a safety backup), verify, switch the active endpoint back");

  program
    .command("endpoint")
    .description("the active endpoint record: what applications should use (the same as GET /api/endpoint)")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const e = await activeEndpoint(servicesFor(io, program.opts<{ settings?: string }>().settings));
      if (opts.json) io.stdout(JSON.stringify(e, null, 2) + "\n");
      else io.stdout(endpointLine(e));
    });
}

function endpointLine(e: EndpointRecord): string {
  return (
    `active endpoint: ${e.account} ${e.tableServiceUri}${e.blobServiceUri ? ` (blobs ${e.blobServiceUri})` : ""}\n` +
    (e.since ? `  since ${e.since} (${e.failoverId ?? "?"}): ${e.reason ?? ""}\n` : "  never switched\n")
  );
}

function publicationLines(p: Publication | null): string {
  if (!p) return "";
  return [...p.written.map((w) => `  published to ${w}\n`), ...p.failed.map((f) => `  NOT published to ${f.where}: ${f.error}\n`), ...(p.note ? [`  note: ${p.note}\n`] : [])].join("");
}

function printReport(io: CliIo, r: FailoverReport | FailbackReport): void {
  const kind = "timeToVerifiedStandbyMs" in r ? "failover" : "failback";
  io.stdout(`${kind} ${r.failoverId}${r.dryRun ? " (dry run)" : ""}: point ${r.pointId} (${r.pointTime})\n`);
  if ("note" in r && r.note) io.stdout(`NOTE: ${r.note}\n`);
  for (const t of r.tables) io.stdout(`  ${t.table} -> ${t.target}: ${t.entities} entities, verified (digest ${t.digest.slice(0, 12)}…)\n`);
  if (r.containers.length > 0) io.stdout(`  containers: ${r.containers.join(", ")}, verified\n`);
  if ("timeToVerifiedStandbyMs" in r) {
    if (r.containersSkipped.length > 0) io.stdout(`  containers not restored (the failover account has no blob endpoint, or a dry run): ${r.containersSkipped.join(", ")}\n`);
    io.stdout(`  time to a verified standby: ${(r.timeToVerifiedStandbyMs / 1000).toFixed(1)} s; data-loss window: ${r.dataLossWindowSeconds} s (the age of the point)\n`);
  } else {
    if (r.safetyPointId) io.stdout(`  safety backup of the primary: ${r.safetyPointId}\n`);
    io.stdout(`  time to a verified primary: ${(r.timeToVerifiedPrimaryMs / 1000).toFixed(1)} s\n`);
  }
  io.stdout(r.switched ? `switched: ${endpointLine(r.endpoint)}` : `not switched (${r.dryRun ? "dry run" : "?"}): ${endpointLine(r.endpoint)}`);
  io.stdout(publicationLines(r.published));
}
