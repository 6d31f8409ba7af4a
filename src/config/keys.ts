import { Secret } from "../core/secret";
import { httpUrl, optionalString, type Issue } from "./fields";

/** Where the key-encryption key comes from. */
export type KeySource =
  | { kind: "env"; keyBase64: Secret<string> }
  | { kind: "keyVault"; vaultUri: string; secretName: string };

/** The key settings. */
export const keyShape = {
  LIFEBOAT_KEK: optionalString,
  LIFEBOAT_KEY_VAULT_URI: httpUrl("must be the vault's https URL"),
  LIFEBOAT_KEK_SECRET: optionalString,
};

/**
 * The key source: LIFEBOAT_KEK (development), or LIFEBOAT_KEY_VAULT_URI +
 * LIFEBOAT_KEK_SECRET. Reports a missing, doubled or malformed key into `issues`
 * (never its value) and returns undefined then.
 */
export function readKeySource(p: { LIFEBOAT_KEK?: string | undefined; LIFEBOAT_KEY_VAULT_URI?: string | undefined; LIFEBOAT_KEK_SECRET?: string | undefined }, issues: Issue[]): KeySource | undefined {
  if (p.LIFEBOAT_KEK && p.LIFEBOAT_KEY_VAULT_URI) {
    issues.push({ setting: "LIFEBOAT_KEK", message: "set either LIFEBOAT_KEK or LIFEBOAT_KEY_VAULT_URI, not both" });
  } else if (p.LIFEBOAT_KEK) {
    const raw = Buffer.from(p.LIFEBOAT_KEK, "base64");
    const ok = raw.length === 32 && raw.toString("base64") === p.LIFEBOAT_KEK.replace(/\s/g, "");
    raw.fill(0);
    if (ok) return { kind: "env", keyBase64: new Secret(p.LIFEBOAT_KEK) };
    issues.push({ setting: "LIFEBOAT_KEK", message: "must be the base64 of exactly 32 random bytes (openssl rand -base64 32)" });
  } else if (p.LIFEBOAT_KEY_VAULT_URI) {
    if (p.LIFEBOAT_KEK_SECRET) return { kind: "keyVault", vaultUri: p.LIFEBOAT_KEY_VAULT_URI, secretName: p.LIFEBOAT_KEK_SECRET };
    issues.push({ setting: "LIFEBOAT_KEK_SECRET", message: "is required with LIFEBOAT_KEY_VAULT_URI: the name of the secret holding the KEK" });
  } else if (!issues.some((i) => i.setting === "LIFEBOAT_KEK" || i.setting === "LIFEBOAT_KEY_VAULT_URI")) {
    issues.push({ setting: "LIFEBOAT_KEK", message: "is required: LIFEBOAT_KEK (development) or LIFEBOAT_KEY_VAULT_URI + LIFEBOAT_KEK_SECRET" });
  }
  return undefined;
}
