import type { Command } from "commander";
import { AuditWriteError, type AuditEntry, type AuditVerifyReport } from "../../app/audit";
import { verifyAuditLog, writeAuditDigest } from "../../app/audit/use-cases";
import { AUDIT_ACTIONS } from "../../core/audit/chain";
import { parseInstant } from "../../core/policy/pitr";
import { cliOperatorOf, CliExit, EXIT, servicesFor, type CliIo } from "../context";

/**
 * A --from/--to value: an ISO-8601 instant with a zone, or a UTC day (the start of it
 * for --from, the end of it for --to). Throws CliExit(usage) naming the option.
 */
export function parseWhen(option: "--from" | "--to", text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) {
    const d = new Date(`${text.trim()}T${option === "--from" ? "00:00:00.000" : "23:59:59.999"}Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(text.trim())) return d;
  }
  const d = parseInstant(text);
  if (!d) throw new CliExit(EXIT.usage, `${option}: must be an ISO-8601 instant with a zone (2026-11-26T13:45:00Z) or a UTC day (2026-11-26), got ${JSON.stringify(text)}`);
  return d;
}

function range(opts: { from?: string; to?: string }): { from?: Date; to?: Date } {
  const from = parseWhen("--from", opts.from);
  const to = parseWhen("--to", opts.to);
  if (from && to && from > to) throw new CliExit(EXIT.usage, `--from: must not be after --to`);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function targetText(t: AuditEntry["target"]): string {
  return Object.entries(t)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`)
    .join(" ");
}

function line(e: AuditEntry): string {
  const details = Object.keys(e.details).length > 0 ? ` ${JSON.stringify(e.details)}` : "";
  const target = targetText(e.target);
  return (
    `${e.time}  #${e.seq}  ${e.action}  ${e.outcome}  ${(e.durationMs / 1000).toFixed(1)}s  ${e.operator}` +
    `${target ? `  ${target}` : ""}${details}\n${e.error ? `    error: ${e.error.replace(/\n/g, " ")}\n` : ""}`
  );
}

function printReport(io: CliIo, r: AuditVerifyReport, json: boolean): void {
  if (json) {
    io.stdout(JSON.stringify(r, null, 2) + "\n");
    return;
  }
  const span = r.firstSeq === null ? "no entries" : `${r.entries} entries (seq ${r.firstSeq}..${r.lastSeq})`;
  const scope = `${span} over ${r.days} day(s), ${r.digests} digest(s) checked`;
  if (r.ok) io.stdout(`ok: ${scope}\n`);
  else {
    const f = r.firstBroken!;
    const where = [f.seq !== undefined ? `seq ${f.seq}` : "", f.day ? `on ${f.day}` : "", f.digest ? `digest ${f.digest}` : ""].filter(Boolean).join(" ");
    io.stdout(`first broken link: ${where}: ${f.kind}: ${f.message}\n`);
    for (const p of r.problems) io.stdout(`PROBLEM ${p.kind}${p.seq !== undefined ? ` seq ${p.seq}` : ""}${p.day ? ` ${p.day}` : ""}: ${p.message}\n`);
    io.stdout(`FAILED: ${scope}, ${r.problems.length} problem(s)\n`);
  }
  for (const w of r.warnings) io.stderr(`warning: ${w}\n`);
}

/**
 * `lifeboat audit [--from] [--to] [--action X] [--json]` lists audit entries;
 * `lifeboat audit verify [--from] [--to] [--json]` checks the hash chain and the
 * digests (exit 3 when anything was edited, removed, inserted, reordered or forged);
 * `lifeboat audit digest` writes a digest now.
 */
export function registerAudit(program: Command, io: CliIo): void {
  const audit = program
    .command("audit")
    .description("list audit log entries: who did what, to what, when, and how it ended")
    .option("--from <when>", "entries at or after this instant (ISO-8601) or UTC day")
    .option("--to <when>", "entries at or before this instant (ISO-8601) or UTC day")
    .option("--action <name>", `only this action or group (e.g. backup, restore.dryRun); one of: ${AUDIT_ACTIONS.join(", ")}`)
    .option("--json", "print a JSON array")
    .action(async (opts: { from?: string; to?: string; action?: string; json?: boolean }) => {
      const r = range(opts);
      if (opts.action !== undefined && !AUDIT_ACTIONS.some((a) => a === opts.action || a.startsWith(`${opts.action}.`))) {
        throw new CliExit(EXIT.usage, `--action: ${JSON.stringify(opts.action)} is not an action; use one of ${AUDIT_ACTIONS.join(", ")} (or a group such as backup)`);
      }
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      let n = 0;
      if (opts.json) io.stdout("[");
      for await (const e of s.audit.entries({ ...r, ...(opts.action ? { action: opts.action } : {}) })) {
        if (opts.json) io.stdout(`${n === 0 ? "\n" : ",\n"}${JSON.stringify(e)}`);
        else io.stdout(line(e));
        n++;
      }
      if (opts.json) io.stdout(n === 0 ? "]\n" : "\n]\n");
      else io.stderr(`${n} entr${n === 1 ? "y" : "ies"}\n`);
    });

  audit
    .command("verify")
    .description("recompute the audit hash chain and check it against the signed digests; exit 3 when tampered")
    .option("--from <when>", "verify from this instant or UTC day (whole days are checked)")
    .option("--to <when>", "verify up to this instant or UTC day")
    .option("--json", "print the report as JSON")
    .action(async (own: { from?: string; to?: string; json?: boolean }) => {
      // The parent `audit` command has the same options and takes them wherever they appear.
      const opts = { ...audit.opts<{ from?: string; to?: string; json?: boolean }>(), ...own };
      const r = range(opts);
      const operator = cliOperatorOf(program);
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      let report: AuditVerifyReport;
      try {
        report = await verifyAuditLog(s, { operator, range: r, asked: { ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) } });
      } catch (err) {
        if (err instanceof AuditWriteError && err.result) printReport(io, err.result as AuditVerifyReport, opts.json === true);
        throw err;
      }
      printReport(io, report, opts.json === true);
      if (!report.ok) throw new CliExit(EXIT.problems, `audit verify found ${report.problems.length} problem(s)`);
    });

  audit
    .command("digest")
    .description("write an audit digest now, anchoring the current chain head (the auditDigest timer does this hourly)")
    .action(async () => {
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      const d = await writeAuditDigest(s, cliOperatorOf(program), (e) => io.stderr(`lifeboat: could not record the failed digest in the audit log: ${e.message}\n`));
      io.stderr(`digest ${d.digestSeq} anchors seq ${d.headSeq}\n`);
      io.stdout(`${d.name}\n`);
    });
}
