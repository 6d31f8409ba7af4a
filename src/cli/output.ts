import type { ProgressEvent } from "../app/progress";
import type { CliIo } from "./context";

/** Bytes for people: "1.5 MiB". */
function human(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

export { human as formatBytes };

/** A progress sink that prints one line per report to stderr: phase, table, count, rate, bytes. */
export function progressPrinter(io: CliIo): (e: ProgressEvent) => void {
  return (e) => {
    const secs = Math.max(e.elapsedMs / 1000, 0.001);
    const rate = Math.round(e.entities / secs);
    io.stderr(
      `${e.phase}${e.table ? ` ${e.table}` : ""}: ${e.entities} entities, ${rate}/s` +
        `${e.bytes > 0 ? `, ${human(e.bytes)}` : ""} (${secs.toFixed(1)} s)${e.note ? `: ${e.note}` : ""}\n`,
    );
  };
}
