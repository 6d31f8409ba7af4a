import type { Command } from "commander";
import { listPoints } from "../../app/repo/catalog";
import { formatBytes, servicesFor, type CliIo } from "../context";

/** `lifeboat points [--json]`: lists restore points, oldest first. */
export function registerPoints(program: Command, io: CliIo): void {
  program
    .command("points")
    .description("list restore points (id, kind, time, entities, bytes)")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const s = servicesFor(io, program.opts<{ settings?: string }>().settings);
      const points = await listPoints(s.repo);
      if (opts.json) {
        io.stdout(JSON.stringify(points.map((p) => ({ ...p, time: p.time.toISOString() })), null, 2) + "\n");
        return;
      }
      if (points.length === 0) {
        io.stderr("no restore points yet (take one: lifeboat backup)\n");
        return;
      }
      io.stdout(`${"ID".padEnd(28)}${"KIND".padEnd(13)}${"TIME".padEnd(26)}${"ENTITIES".padStart(10)}${"BYTES".padStart(12)}\n`);
      for (const p of points) {
        io.stdout(
          `${p.id.padEnd(28)}${p.kind.padEnd(13)}${p.time.toISOString().padEnd(26)}${String(p.entities).padStart(10)}${formatBytes(p.bytes).padStart(12)}\n`,
        );
      }
    });
}
