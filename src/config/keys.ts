import { Secret } from "../core/secret";
import { httpUrl, optionalString, type Issue } from "./fields";

/** Where the key-encryption key comes from. */
export type KeySource =
  | { kind: "env"; keyBase64: Secret<string> }
  | { kind: "keyVault"; vaultUri: string; secretName: string; secondaryVaultUri?: string };

/** The key settings. */
export const keyShape = {
  LIFEBOAT_KEK: optionalString,
  LIFEBOAT_KEY_VAULT_URI: httpUrl("must be the vault's https URL"),
  LIFEBOAT_KEK_SECRET: optionalString,
  LIFEBOAT_KEY_VAULT_URI_SECONDARY: httpUrl("must be the second vault's https URL"),
};

/**
 * The key source: LIFEBOAT_KEK (development), or LIFEBOAT_KEY_VAULT_URI +
 * LIFEBOAT_KEK_SECRET. Reports a missing, doubled or malformed key into `issues`
 * (never its value) and returns undefined then.
 */
export function readKeySource(
  p: { LIFEBOAT_KEK?: string | undefined; LIFEBOAT_KEY_VAULT_URI?: string | undefined; LIFEBOAT_KEK_SECRET?: string | undefined; LIFEBOAT_KEY_VAULT_URI_SECONDARY?: string | undefined },
  issues: Issue[],
): KeySource | undefined {
  const secondary = p.LIFEBOAT_KEY_VAULT_URI_SECONDARY;
  if (secondary && !p.LIFEBOAT_KEY_VAULT_URI) {
    issues.push({ setting: "LIFEBOAT_KEY_VAULT_URI_SECONDARY", message: "needs LIFEBOAT_KEY_VAULT_URI: it holds a copy of that vault's KEK" });
  } else if (secondary && sameUrl(secondary, p.LIFEBOAT_KEY_VAULT_URI!)) {
    issues.push({ setting: "LIFEBOAT_KEY_VAULT_URI_SECONDARY", message: "must be another vault than LIFEBOAT_KEY_VAULT_URI (one in the second region)" });
  }
  if (p.LIFEBOAT_KEK && p.LIFEBOAT_KEY_VAULT_URI) {
    issues.push({ setting: "LIFEBOAT_KEK", message: "set either LIFEBOAT_KEK or LIFEBOAT_KEY_VAULT_URI, not both" });
  } else if (p.LIFEBOAT_KEK) {
    const raw = Buffer.from(p.LIFEBOAT_KEK, "base64");
    const ok = raw.length === 32 && raw.toString("base64") === p.LIFEBOAT_KEK.replace(/\s/g, "");
    raw.fill(0);
    if (ok) return { kind: "env", keyBase64: new Secret(p.LIFEBOAT_KEK) };
    issues.push({ setting: "LIFEBOAT_KEK", message: "must be the base64 of exactly 32 random bytes (openssl rand -base64 32)" });
  } else if (p.LIFEBOAT_KEY_VAULT_URI) {
    if (p.LIFEBOAT_KEK_SECRET) {
      return { kind: "keyVault", vaultUri: p.LIFEBOAT_KEY_VAULT_URI, secretName: p.LIFEBOAT_KEK_SECRET, ...(secondary ? { secondaryVaultUri: secondary } : {}) };
    }
    issues.push({ setting: "LIFEBOAT_KEK_SECRET", message: "is required with LIFEBOAT_KEY_VAULT_URI: the name of the secret holding the KEK" });
  } else if (!issues.some((i) => i.setting === "LIFEBOAT_KEK" || i.setting === "LIFEBOAT_KEY_VAULT_URI")) {
    issues.push({ setting: "LIFEBOAT_KEK", message: "is required: LIFEBOAT_KEK (development) or LIFEBOAT_KEY_VAULT_URI + LIFEBOAT_KEK_SECRET" });
  }
  return undefined;
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string): string => u.trim().toLowerCase().replace(/\/+$/, "");
  return norm(a) === norm(b);
}
