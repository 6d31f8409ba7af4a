import type { JsonObject, JsonValue } from "./chain";

/**
 * Keeps secrets out of audit entries. An entry is written by code that cannot know
 * what an SDK put into an error message, so every text is scrubbed before it is
 * hashed and stored: known secret values (the KEK, connection strings) by exact
 * match, and anything shaped like a credential by pattern.
 */

/** What a redacted value is replaced with (the same text Secret prints). */
export const REDACTED = "**redacted**";

const PATTERNS: readonly [RegExp, string][] = [
  // Connection strings and SAS tokens: keep the name, drop the value.
  [/\b(AccountKey|SharedAccessSignature|SharedAccessKey|SharedAccessKeyName|ClientSecret|Password|Pwd)(\s*=\s*)("[^"]*"|[^;&\s"']+)/gi, `$1$2${REDACTED}`],
  [/\b(sig)=([^&;\s"'<>]+)/gi, `$1=${REDACTED}`],
  // Bearer tokens and JWTs.
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, `$1${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // "client_secret": "…", secret: …, password=…
  [/\b(client_secret|secret|password|passwd|api[_-]?key)("?\s*[:=]\s*"?)([^"\s,;&}]+)/gi, `$1$2${REDACTED}`],
  // Base64 key material: 40+ characters of the base64 alphabet ending in padding
  // (a 32-byte KEK is 43 + "=", an account key 86 + "=="), or holding a "+".
  [/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={1,2}(?![A-Za-z0-9+/=])/g, REDACTED],
  [/(?<![A-Za-z0-9+/=])(?=[A-Za-z0-9/]*\+)[A-Za-z0-9+/]{40,}(?![A-Za-z0-9+/=])/g, REDACTED],
];

/** Property names whose values are never recorded, whatever they hold. */
const SECRET_NAME = /^(.*[_-])?(secret|password|passwd|pwd|token|accesstoken|sas|sig|signature|connectionstring|accountkey|credential|credentials|kek|key|apikey|clientsecret)$/i;

/**
 * `text` with every known secret and every credential-shaped substring replaced by
 * `**redacted**`, then cut to `maxLength` characters. `secrets` are exact values to
 * remove (ignored when shorter than 8 characters, which would redact ordinary words).
 * Never throws.
 */
export function sanitizeText(text: string, secrets: readonly string[] = [], maxLength = 4000): string {
  let s = text;
  for (const secret of secrets) {
    if (secret.length >= 8 && s.includes(secret)) s = s.split(secret).join(REDACTED);
  }
  for (const [re, to] of PATTERNS) s = s.replace(re, to);
  return s.length > maxLength ? s.slice(0, maxLength - 1) + "…" : s;
}

/**
 * A JSON value with every string sanitized ({@link sanitizeText}) and the values of
 * secret-named properties (password, token, sas, key, connectionString, …) replaced.
 * Never throws.
 */
export function sanitizeValue(v: JsonValue, secrets: readonly string[] = []): JsonValue {
  if (typeof v === "string") return sanitizeText(v, secrets, 2000);
  if (Array.isArray(v)) return v.map((x) => sanitizeValue(x, secrets));
  if (v !== null && typeof v === "object") {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[sanitizeText(k, secrets, 200)] = SECRET_NAME.test(k) ? REDACTED : sanitizeValue(x, secrets);
    return out;
  }
  return v;
}

/**
 * The variants of a secret that could appear in text: itself, and for key bytes their
 * base64, base64url and hex forms. For building the `secrets` list of an auditor.
 */
export function secretForms(secret: string | Buffer): string[] {
  if (typeof secret === "string") return [secret];
  return [secret.toString("base64"), secret.toString("base64url"), secret.toString("hex")];
}

/**
 * The secret values inside a Storage connection string (the account key, a SAS
 * token, and the whole string), for exact-match redaction. Never throws.
 */
export function connectionStringSecrets(cs: string): string[] {
  const out = [cs];
  for (const m of cs.matchAll(/(?:AccountKey|SharedAccessSignature)=([^;]+)/gi)) if (m[1]) out.push(m[1]);
  return out;
}
