import type { Command } from "commander";
import { listExports, loadExport } from "../../app/config-export/exports";
import type { RestoreConfigResult } from "../../app/config-export/restore-config";
import { restoreConfigExport, takeConfigExport } from "../../app/config-export/use-cases";
import { isExportId } from "../../format/config-export";
import { CONTAINER_NAME, CONTAINER_NAME_RULE } from "../../core/names";
import { cliOperatorOf, formatBytes, progressPrinter, refuse, servicesFor, type CliIo } from "../context";

const EXPORT_RULE = "--export: must be a config export id such as 20261130T003000123Z-x1a2b3c (see: lifeboat config-exports)";

function printRestore(io: CliIo, r: RestoreConfigResult): void {
  io.stdout(`${r.dryRun ? "plan" : "restored"}: config export ${r.exportId}\n`);
  for (const c of r.containers) {
    io.stdout(
      `  ${c.container} -> ${c.target}: ${c.files} files, ${formatBytes(c.bytes)}` +
        (r.dryRun ? ` to write, ${c.deletes ?? 0} to delete\n` : `, ${c.deleted ?? 0} removed, verified\n`),
    );
  }
  if (r.safetyExportId) io.stdout(`safety export: ${r.safetyExportId}\n`);
}

/**
 * `lifeboat export-config` takes a config export now; `lifeboat config-exports [--json]`
 * lists them (with --export <id>, that export's files: size, hash, parse status);
 * `lifeboat restore-config --export <id> (--target-container <name> | --in-place)
 * [--container <c>] [--dry-run]` restores one, verified after writing.
 */
export function registerConfigExport(program: Command, io: CliIo): void {
  program
    .command("export-config")
    .description("export the config containers now (the configExport timer does it nightly); prints the export id")
    .action(async () => {
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      const r = await takeConfigExport(s, { operator: cliOperatorOf(program), progress: progressPrinter(io) });
      for (const p of r.problems) io.stderr(`warning: ${p.container}/${p.path} does not parse: ${p.message}\n`);
      for (const x of r.skipped) io.stderr(`warning: ${x.container}/${x.path} is not in the export: ${x.reason}\n`);
      io.stderr(`exported ${r.files} files, ${formatBytes(r.bytes)}, ${r.problems.length} that do not parse\n`);
      io.stdout(`${r.exportId}\n`);
    });

  program
    .command("config-exports")
    .description("list config exports; with --export <id>, its files with size, hash and parse status")
    .option("--export <id>", "one export's files")
    .option("--json", "print JSON")
    .action(async (opts: { export?: string; json?: boolean }) => {
      if (opts.export !== undefined && !isExportId(opts.export)) await refuse(io, program, { action: "config.export", target: { export: opts.export } }, EXPORT_RULE);
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      if (opts.export === undefined) {
        const list = await listExports(s.repo);
        if (opts.json) return void io.stdout(JSON.stringify(list, null, 2) + "\n");
        if (list.length === 0) return void io.stderr("no config exports yet (take one: lifeboat export-config)\n");
        for (const e of list) io.stdout(`${e.id}  ${e.time}  ${String(e.files).padStart(6)} files  ${formatBytes(e.bytes).padStart(10)}  ${e.problems} not parsing  ${e.containers.join(",")}\n`);
        return;
      }
      const m = await loadExport(s.repo, s.keys, opts.export);
      if (opts.json) return void io.stdout(JSON.stringify({ exportId: m.exportId, startedAt: m.startedAt, settings: m.settings, containers: Object.fromEntries(Object.entries(m.containers).map(([c, v]) => [c, v.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, parse: f.parse, ...(f.envKeys ? { envKeys: f.envKeys } : {}) }))])) }, null, 2) + "\n");
      for (const [c, v] of Object.entries(m.containers)) {
        for (const f of v.files) {
          const status = f.parse === null ? "-" : f.parse.ok ? `${f.parse.kind} ok` : `${f.parse.kind} FAILS: ${f.parse.message}`;
          io.stdout(`${c}/${f.path}  ${f.size} B  sha256 ${f.sha256.slice(0, 16)}…  ${status}${f.envKeys ? `  (${f.envKeys.join(", ")})` : ""}\n`);
        }
      }
    });

  program
    .command("restore-config")
    .description("restore a config export into a container (--target-container) or in place (after a safety export)")
    .requiredOption("--export <id>", "the config export (see: lifeboat config-exports)")
    .option("--container <c>", "the export's container to restore (needed with --target-container when it holds several)")
    .option("--target-container <name>", "write into this container")
    .option("--in-place", "replace the live containers (a safety export is taken first)")
    .option("--dry-run", "show what would be written and deleted, write nothing")
    .action(async (opts: { export: string; container?: string; targetContainer?: string; inPlace?: boolean; dryRun?: boolean }) => {
      const action = opts.dryRun ? "restore.dryRun" : "restore";
      const asked = { export: opts.export, into: opts.inPlace ? "in place" : `container ${opts.targetContainer ?? "?"}` };
      const bad = (m: string): Promise<never> => refuse(io, program, { action, target: asked }, m);
      if (!isExportId(opts.export)) await bad(EXPORT_RULE);
      if (opts.inPlace && opts.targetContainer !== undefined) await bad("--target-container and --in-place: give one, not both");
      if (!opts.inPlace && opts.targetContainer === undefined) await bad("a target is required: --target-container <name> or --in-place");
      for (const [flag, v] of [["--target-container", opts.targetContainer], ["--container", opts.container]] as const) {
        if (v !== undefined && !CONTAINER_NAME.test(v)) await bad(`${flag}: ${JSON.stringify(v)} is not a container name (${CONTAINER_NAME_RULE})`);
      }
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      const r = await restoreConfigExport(s, {
        operator: cliOperatorOf(program),
        exportId: opts.export,
        ...(opts.container ? { container: opts.container } : {}),
        target: opts.inPlace ? { kind: "inPlace" } : { kind: "container", name: opts.targetContainer! },
        dryRun: opts.dryRun === true,
        progress: progressPrinter(io),
        say: (line) => io.stderr(`${line}\n`),
      });
      printRestore(io, r);
    });
}
