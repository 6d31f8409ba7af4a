import { REDACTED, sanitizeText } from "../audit/sanitize";

/**
 * The effective app settings, safe to export: a value is either kept as it is or
 * replaced whole by `**redacted**` — never partly scrubbed (one exception: the query
 * string of a service URI is cut off). The rules, in order:
 *
 * 1. Undefined values are dropped.
 * 2. `LIFEBOAT_KEK` is always redacted.
 * 3. Service URIs — names ending in `__tableServiceUri`, `__blobServiceUri`,
 *    `__queueServiceUri` or `__serviceUri` — are kept without their query string,
 *    fragment or user info (a query string may be a SAS token).
 * 4. By shape, whatever the name (also for the names kept by rule 5): a value is
 *    redacted when it holds
 *    - anything the audit sanitizer scrubs (`sanitizeText` of core/audit/sanitize.ts):
 *      `AccountKey=`, `SharedAccessSignature=`, `SharedAccessKey=`, `ClientSecret=`,
 *      `Password=`, `Pwd=` with a value (connection strings), `sig=` (a SAS token or URL),
 *      a JWT (`eyJ….….…`), `Bearer …`, `secret: …`/`api_key=…`, or 40+ base64
 *      characters ending in `=` or holding a `+` (keys);
 *    - base64 or base64url of exactly 32 bytes, padded or not, spaces ignored (a KEK;
 *      see isKeyOf32Bytes for how it is told from a 43-character name);
 *    - a PEM private key (`-----BEGIN … PRIVATE KEY-----`).
 * 5. By name, except the non-secrets below: the name, lower-cased and with everything
 *    but letters and digits removed (so `CONNECTION_STRING` is `connectionstring`),
 *    contains one of {@link SECRET_NAME_PARTS}. Kept despite their names:
 *    {@link NON_SECRET_SETTINGS} (their values name a vault and a secret, they are not
 *    one), `…__clientId`, the service URIs of rule 3, and `…__credential` when it is
 *    `managedidentity`.
 *
 * The rules err on the side of redacting: a name like `MONKEY_COUNT` is redacted too.
 */

/** Parts of a setting name that make its value secret (matched as described above). */
export const SECRET_NAME_PARTS: readonly string[] = [
  "key",
  "secret",
  "password",
  "passwd",
  "pwd",
  "token",
  "sas",
  "signature",
  "connectionstring",
  "credential",
  "kek",
];

/** Settings whose names look secret but whose values are not (compared case-insensitively). */
export const NON_SECRET_SETTINGS: readonly string[] = ["LIFEBOAT_KEY_VAULT_URI", "LIFEBOAT_KEK_SECRET", "LIFEBOAT_ACTIVE_ENDPOINT_SECRET"];

/** Settings redacted whatever they hold (compared case-insensitively). */
export const ALWAYS_REDACTED_SETTINGS: readonly string[] = ["LIFEBOAT_KEK"];

/** Name suffixes of service URIs, kept without their query string (compared case-insensitively). */
export const SERVICE_URI_SUFFIXES: readonly string[] = ["__tableServiceUri", "__blobServiceUri", "__queueServiceUri", "__serviceUri"];

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * True when the value, spaces removed, is the base64 or base64url encoding of exactly 32
 * bytes as an encoder writes it: 43 characters (+ an optional "="), the last one leaving
 * the 2 spare bits zero. Upper- and lower-case letters are both required, which a random
 * key has (all but ~1e-10 of them) and a 43-character resource name usually has not.
 */
function isKeyOf32Bytes(value: string): boolean {
  const v = value.replace(/\s+/g, "");
  return /^[A-Za-z0-9+/_-]{42}[AEIMQUYcgkosw048]=?$/.test(v) && /[A-Z]/.test(v) && /[a-z]/.test(v);
}

/** True when a value is secret by its shape (rule 4). */
function secretShape(value: string): boolean {
  return sanitizeText(value, [], Number.POSITIVE_INFINITY) !== value || isKeyOf32Bytes(value) || PRIVATE_KEY.test(value);
}

/** True when a name is secret by rule 5 (ignoring the exceptions). */
function secretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  return SECRET_NAME_PARTS.some((p) => n.includes(p));
}

const lower = (xs: readonly string[]): Set<string> => new Set(xs.map((x) => x.toLowerCase()));
const NON_SECRET = lower(NON_SECRET_SETTINGS);
const ALWAYS = lower(ALWAYS_REDACTED_SETTINGS);

/** A URI without user info, query string and fragment. */
function bareUri(uri: string): string {
  return uri.replace(/[?#].*$/s, "").replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

function isServiceUri(name: string): boolean {
  const n = name.toLowerCase();
  return SERVICE_URI_SUFFIXES.some((s) => n.endsWith(s.toLowerCase()));
}

/** True when a name is kept despite rule 5. */
function keptName(name: string, value: string): boolean {
  const n = name.toLowerCase();
  if (NON_SECRET.has(n) || n.endsWith("__clientid") || isServiceUri(name)) return true;
  return n.endsWith("__credential") && value.trim().toLowerCase() === "managedidentity";
}

/** The exported form of one setting (rules 2–5). */
function redactOne(name: string, value: string): string {
  if (ALWAYS.has(name.toLowerCase())) return REDACTED;
  const v = isServiceUri(name) ? bareUri(value) : value;
  if (secretShape(v)) return REDACTED;
  if (secretName(name) && !keptName(name, v)) return REDACTED;
  return v;
}

/**
 * The app settings with every secret value replaced by `**redacted**` (the rules are in
 * the module comment), undefined values dropped, and the names sorted (by UTF-16 code
 * units) so that two exports compare line by line. Never throws.
 */
export function redactSettings(settings: Record<string, string | undefined>): Record<string, string> {
  const names = Object.keys(settings).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: [string, string][] = [];
  for (const name of names) {
    const value = settings[name];
    if (value !== undefined) out.push([name, redactOne(name, value)]);
  }
  // fromEntries defines own properties, so a setting named "__proto__" stays a setting.
  return Object.fromEntries(out);
}
