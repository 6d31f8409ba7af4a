import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { cliOperator, refused, type AuditContext } from "../app/audit";
import { ConfigError, loadConfig, type Config } from "../config";
import { ensureErrorType, LifeboatError, ValidationError } from "../core/errors";
import type { ProgressEvent } from "../app/progress";
import { createServices, type Services } from "../services";

/** Where the CLI writes; tests pass buffers, main passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Overrides service creation (tests); default wires Azure from the settings. */
  services?: (config: Config) => Services;
}

/** Exit codes: 0 success, 1 the system failed, 2 the request or settings were wrong, 3 verification found problems. */
export const EXIT = { ok: 0, failed: 1, usage: 2, problems: 3 } as const;

/** Thrown inside a command to end with a given exit code and one-line reason. */
export class CliExit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * Settings for the CLI: the environment, overlaid with the `Values` of a
 * local.settings.json given by --settings. Throws CliExit(usage) naming the problem.
 */
export function readSettings(io: CliIo, settingsFile: string | undefined): Record<string, string | undefined> {
  if (!settingsFile) return io.env;
  let values: unknown;
  try {
    values = (JSON.parse(readFileSync(settingsFile, "utf8")) as { Values?: unknown }).Values;
  } catch (err) {
    throw new CliExit(EXIT.usage, `--settings ${settingsFile}: cannot read it as local.settings.json (${ensureErrorType(err).message})`);
  }
  if (typeof values !== "object" || values === null) throw new CliExit(EXIT.usage, `--settings ${settingsFile}: has no "Values" object`);
  const out: Record<string, string | undefined> = { ...io.env };
  for (const [k, v] of Object.entries(values)) if (typeof v === "string") out[k] = v;
  return out;
}

/** Loads settings and wires the services, mapping a ConfigError to a usage exit. */
export function servicesFor(io: CliIo, settingsFile: string | undefined): Services {
  const env = readSettings(io, settingsFile);
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(EXIT.usage, err.message);
    throw err;
  }
  return (io.services ?? createServices)(config);
}

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

/**
 * Maps any error to an exit code and a one-line reason (no stack, no secrets): the
 * error catalogue's fault decides (user and settings faults exit 2, system faults 1),
 * as it decides the HTTP status of the functions.
 */
export function exitFor(err: unknown): { code: number; message: string } {
  if (err instanceof CliExit) return { code: err.code, message: err.message };
  if (err instanceof LifeboatError) return { code: err.fault === "system" ? EXIT.failed : EXIT.usage, message: `${err.code}: ${err.message}` };
  const e = ensureErrorType(err);
  return { code: EXIT.failed, message: e.message.split("\n")[0] ?? e.name };
}

/**
 * The operator of this CLI run: the global `--operator <name>` (with the OS account
 * for the record), else the OS account and host. Throws CliExit(usage) when
 * `--operator` is blank.
 */
export function cliOperatorOf(program: Command): string {
  try {
    return cliOperator(program.opts<{ operator?: string }>().operator);
  } catch (err) {
    if (err instanceof ValidationError) throw new CliExit(EXIT.usage, err.message);
    throw err;
  }
}


/**
 * Refuses a request with bad input: records it in the audit log as `refused` when the
 * settings allow (bad settings themselves cannot be audited), then ends with exit 2.
 * Nothing else is written.
 */
export async function refuse(io: CliIo, program: Command, ctx: Omit<AuditContext, "operator">, message: string): Promise<never> {
  let s: Services | undefined;
  try {
    s = servicesFor(io, program.opts<{ settings?: string }>().settings);
  } catch {
    s = undefined;
  }
  if (s) await refused(s.audit, { ...ctx, operator: cliOperatorOf(program) }, message);
  throw new CliExit(EXIT.usage, message);
}
