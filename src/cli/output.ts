import { etaText, type ProgressEvent } from "../app/progress";
import type { CliIo } from "./context";

/** Bytes for people: "1.5 MiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/**
 * One progress line: phase, table, count, rate, bytes, elapsed, and with a known total
 * the percentage and the time left: `restore T: 12000 entities, 13055/s, 32.3 MiB (0.9 s), 40%, 1 s left`.
 */
export function progressLine(e: ProgressEvent): string {
  const secs = Math.max(e.elapsedMs / 1000, 0.001);
  const rate = Math.round(e.entities / secs);
  const left = etaText(e);
  return (
    `${e.phase}${e.table ? ` ${e.table}` : ""}: ${e.entities} ${e.unit ?? "entities"}, ${rate}/s` +
    `${e.bytes > 0 ? `, ${formatBytes(e.bytes)}` : ""} (${secs.toFixed(1)} s)${left ? `, ${left}` : ""}${e.note ? `: ${e.note}` : ""}`
  );
}

/**
 * A progress sink for stderr: on a terminal one line per phase that updates in place
 * (the final report ends it), otherwise one line per report (every few seconds). Prints
 * nothing with --quiet.
 */
export function progressPrinter(io: CliIo): (e: ProgressEvent) => void {
  return (e) => {
    if (io.quiet?.()) return;
    const line = progressLine(e);
    if (!io.isTTY) {
      io.stderr(`${line}\n`);
      return;
    }
    io.stderr(`\r\u001b[2K${line}${e.final ? "\n" : ""}`);
  };
}
