import { hostname, userInfo } from "node:os";
import { ValidationError } from "../../core/errors";

/**
 * Who an audit entry says acted. The prefix says how much to trust it:
 * - `entra:<name> (id <object id>)`: the Entra ID principal App Service Authentication
 *   put in the request headers (authenticated by the platform);
 * - `asserted:<name>`: a name the HTTP caller gave (recorded, not authenticated);
 * - `timer:<function>`: a scheduled function;
 * - `trigger:<function>`: a function started by an event (a new blob);
 * - `cli:<name> (<os user>@<host>)` or `cli:<os user>@<host>`: the runbook CLI.
 */

/** Longest operator name kept; longer text is cut. */
const MAX_NAME = 128;

function clean(s: string): string {
  // Control characters would let a name forge extra lines in a listing.
  return s.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, MAX_NAME);
}

/** Request headers as @azure/functions gives them (a Headers), or a plain record (tests, other hosts). */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function header(h: HeaderSource, name: string): string | undefined {
  if (typeof (h as { get?: unknown }).get === "function") {
    const v = (h as { get(name: string): string | null }).get(name);
    return v ?? undefined;
  }
  const rec = h as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The operator of an HTTP request. When App Service Authentication (Easy Auth)
 * signed the caller in, it sets `x-ms-client-principal-name` / `-id` (and strips any
 * the caller sent), so those win: `entra:alice@contoso.com (id 00000000-…)`.
 * Otherwise the caller must name itself (`operator` in the body or query): recorded as
 * `asserted:<name>`. Only enable this behind Easy Auth or a function key: without
 * Easy Auth in front, the principal headers are whatever the caller sent.
 * Throws ValidationError (field "operator") when neither is present or the name is
 * empty or not text.
 */
export function operatorFromHttp(headers: HeaderSource, asserted?: unknown): string {
  const name = clean(header(headers, "x-ms-client-principal-name") ?? "");
  const id = clean(header(headers, "x-ms-client-principal-id") ?? "");
  if (name || id) return `entra:${name || id}${name && id ? ` (id ${id})` : ""}`;
  if (asserted === undefined || asserted === null || asserted === "") {
    throw new ValidationError("operator", "is required: who is asking (sign in through App Service Authentication, or name yourself in \"operator\")");
  }
  if (typeof asserted !== "string") throw new ValidationError("operator", "must be text");
  const n = clean(asserted);
  if (!n) throw new ValidationError("operator", "must name someone (it was blank)");
  return `asserted:${n}`;
}

/** The operator of a timer-triggered function: `timer:<functionName>`. Never throws. */
export function timerOperator(functionName: string): string {
  return `timer:${clean(functionName) || "unknown"}`;
}

/** The operator of an event-triggered function (a blob trigger): `trigger:<functionName>`. Never throws. */
export function triggerOperator(functionName: string): string {
  return `trigger:${clean(functionName) || "unknown"}`;
}

/** The OS account and host this process runs as, "user@host" (a placeholder when unknown). Never throws. */
export function osIdentity(): string {
  let user = "unknown";
  try {
    user = userInfo().username || user;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? user;
  }
  return `${clean(user)}@${clean(hostname()) || "unknown-host"}`;
}

/**
 * The operator of a CLI run: `--operator <name>` when given, followed by the OS
 * account for the record (`cli:alice (root@host)`), else `cli:root@host`.
 * Throws ValidationError (field "--operator") when the flag is given but blank.
 */
export function cliOperator(flag?: string): string {
  if (flag === undefined) return `cli:${osIdentity()}`;
  const n = clean(flag);
  if (!n) throw new ValidationError("--operator", "must name someone (it was blank)");
  return `cli:${n} (${osIdentity()})`;
}
