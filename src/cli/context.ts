import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { cliOperator, refused, type AuditContext } from "../app/audit";
import { ConfigError, loadConfig, type Config } from "../config";
import { ensureErrorType, ValidationError } from "../core/errors";
import { CliExit, EXIT } from "./exit";
import { createServices, type Services } from "../services";

/** Where the CLI writes; tests pass buffers, main passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Overrides service creation (tests); default wires Azure from the settings. */
  services?: (config: Config) => Services;
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

export { CliExit, EXIT, exitFor } from "./exit";
export { formatBytes, progressPrinter } from "./output";
