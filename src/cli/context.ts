import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { cliOperator, refused, type AuditContext } from "../app/audit";
import { ConfigError, loadConfig, type Config } from "../config";
import { ensureErrorType, ValidationError } from "../core/errors";
import { CliExit, EXIT } from "./exit";
import { createServices, servicesReadingFrom, type Services, type StoreChoice } from "../services";

/** Where the CLI writes; tests pass buffers, main passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** stderr is a terminal: progress updates one line in place. */
  isTTY?: boolean;
  /** --quiet was given: no progress lines (asked when printing, after the options are parsed). */
  quiet?: () => boolean;
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
  return (io.services ?? ((c) => createServices(c, {}, { keyFallback: (note) => io.stderr(`note: ${note}\n`) })))(config);
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
  if (s) {
    // The user's mistake comes first and keeps exit 2, even when the log cannot take the
    // refusal (storage down): say that second, and do not wait minutes for retries.
    const recorded = refused(s.audit, { ...ctx, operator: cliOperatorOf(program) }, message);
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), REFUSAL_AUDIT_TIMEOUT_MS).unref());
    const outcome = await Promise.race([recorded.then(() => "ok" as const, (err: unknown) => ensureErrorType(err)), timeout]);
    if (outcome !== "ok") {
      const why = outcome === "timeout" ? `the audit log did not answer within ${REFUSAL_AUDIT_TIMEOUT_MS / 1000} s` : outcome.message;
      throw new CliExit(EXIT.usage, `${message}\n(this refusal could not be recorded in the audit log: ${why})`);
    }
  }
  throw new CliExit(EXIT.usage, message);
}

/** The copy of the repository --from names ("auto" when not given); refuses anything else with exit 2. */
export async function storeChoice(io: CliIo, program: Command, action: AuditContext["action"], from: string | undefined): Promise<StoreChoice> {
  const v = from ?? "auto";
  if (v === "primary" || v === "secondary" || v === "auto") return v;
  return refuse(io, program, { action, target: { from: v } }, `--from: must be primary, secondary or auto, got ${JSON.stringify(v)}`);
}

/** The services reading from `from`, with each fallback to the secondary said on stderr. Throws CliExit(usage) for an impossible choice. */
export function servicesFrom(io: CliIo, program: Command, from: StoreChoice): Services {
  try {
    return servicesReadingFrom(servicesFor(io, program.opts<{ settings?: string }>().settings), from, (note) => io.stderr(`note: ${note}\n`));
  } catch (err) {
    if (err instanceof ValidationError) throw new CliExit(EXIT.usage, err.message);
    throw err;
  }
}

/** The rule for --point, as every command states it. */
export const POINT_ID_RULE = "--point: must be a restore point id such as 20261126T134500123Z-f1a2b3c (see: lifeboat points)";

/** How long a refusal waits for its audit record before saying it could not be recorded. */
const REFUSAL_AUDIT_TIMEOUT_MS = 5000;

export { CliExit, EXIT, exitFor } from "./exit";
export { formatBytes, progressPrinter } from "./output";
