import { SecretClient, type KeyVaultSecret, type SecretClientOptions } from "@azure/keyvault-secrets";
import type { TokenCredential } from "@azure/identity";
import type { Kek, KeyProvider } from "../../app/ports/KeyProvider";
import { LifeboatError, NotFoundError } from "../../core/errors";
import { decodeKeyBase64 } from "./EnvKeyProvider";

/** How long `active()` reuses the latest version before asking Key Vault again. */
export const DEFAULT_ACTIVE_CACHE_MS = 5 * 60 * 1000;

/** Options of {@link KeyVaultKeyProvider}. */
export interface KeyVaultKeyProviderOptions {
  /** Passed to the SecretClient (retry options; in tests `allowInsecureConnection`, `disableChallengeResourceVerification`). */
  clientOptions?: SecretClientOptions;
  /** How long `active()` reuses the latest version, in ms (default 5 minutes). 0 asks every time. */
  activeCacheMs?: number;
  /** Clock for the active-key cache, in ms since the epoch (tests). Default Date.now. */
  now?: () => number;
}

/** A Key Vault key id, "kv:<secret name>/<version>", split into its parts; undefined when it is not one. */
export function parseKeyVaultKeyId(id: string): { secretName: string; version: string } | undefined {
  const m = /^kv:([0-9A-Za-z-]{1,127})\/([0-9A-Za-z]{1,64})$/.exec(id);
  return m ? { secretName: m[1]!, version: m[2]! } : undefined;
}

/**
 * Key-encryption keys from an Azure Key Vault secret whose value is the base64 of
 * 32 random bytes. `active()` is the secret's latest version (re-read at most every
 * `activeCacheMs`, so a rotation is picked up); its id is "kv:<secret>/<version>".
 * `byId()` reads exactly that version (cached for the process lifetime: versions are
 * immutable), so files written before a rotation still decrypt.
 * Errors: NotFoundError KEY.NOT_FOUND when the secret or version does not exist (or the
 * id is not a Key Vault id); LifeboatError KEY.INVALID when a value is not base64 of
 * 32 bytes; LifeboatError KEY.UNAVAILABLE (`kv: cannot read secret <name>: <status/code>`,
 * with the SDK error as cause) for anything else. No message holds a secret value.
 */
export class KeyVaultKeyProvider implements KeyProvider {
  readonly #client: SecretClient;
  readonly #vaultUrl: string;
  readonly #secretName: string;
  readonly #activeCacheMs: number;
  readonly #now: () => number;
  readonly #versions = new Map<string, Promise<Kek>>();
  #active: { kek: Kek; at: number } | undefined;
  #activeFetch: Promise<Kek> | undefined;

  /**
   * `vaultUrl` is the vault's URL (https://<name>.vault.azure.net), `secretName` the
   * secret holding the KEK. Makes no request; throws only when the URL is malformed.
   */
  constructor(vaultUrl: string, secretName: string, credential: TokenCredential, options: KeyVaultKeyProviderOptions = {}) {
    this.#client = new SecretClient(vaultUrl, credential, options.clientOptions);
    this.#vaultUrl = vaultUrl;
    this.#secretName = secretName;
    this.#activeCacheMs = options.activeCacheMs ?? DEFAULT_ACTIVE_CACHE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The latest version of the secret. Throws KEY.NOT_FOUND, KEY.INVALID or KEY.UNAVAILABLE. */
  active(): Promise<Kek> {
    const cached = this.#active;
    if (cached && this.#now() - cached.at < this.#activeCacheMs) return Promise.resolve(cached.kek);
    if (!this.#activeFetch) {
      const at = this.#now();
      this.#activeFetch = this.#read(this.#secretName, undefined)
        .then((kek) => {
          this.#active = { kek, at };
          return kek;
        })
        .finally(() => {
          this.#activeFetch = undefined;
        });
    }
    return this.#activeFetch;
  }

  /**
   * Exactly the version an id names (any secret of this vault). Throws NotFoundError
   * KEY.NOT_FOUND for a missing version or a non-Key Vault id, KEY.INVALID, KEY.UNAVAILABLE.
   */
  byId(id: string): Promise<Kek> {
    const parsed = parseKeyVaultKeyId(id);
    if (!parsed) {
      const hint = id.startsWith("env:")
        ? "it was written with a development key: set LIFEBOAT_KEK to that key"
        : "it is not a Key Vault key id (kv:<secret>/<version>)";
      return Promise.reject(new NotFoundError("KEY.NOT_FOUND", `key ${JSON.stringify(id.slice(0, 200))} is not available: ${hint}`));
    }
    const cacheKey = `${parsed.secretName.toLowerCase()}/${parsed.version.toLowerCase()}`;
    let pending = this.#versions.get(cacheKey);
    if (!pending) {
      pending = this.#read(parsed.secretName, parsed.version);
      this.#versions.set(cacheKey, pending);
      // Failures are not cached: the next call asks again.
      const mine = pending;
      mine.catch(() => {
        if (this.#versions.get(cacheKey) === mine) this.#versions.delete(cacheKey);
      });
    }
    return pending;
  }

  async #read(secretName: string, version: string | undefined): Promise<Kek> {
    const what = version === undefined ? `secret ${secretName}` : `secret ${secretName} version ${version}`;
    let secret: KeyVaultSecret;
    try {
      secret = await this.#client.getSecret(secretName, version === undefined ? {} : { version });
    } catch (err) {
      throw wrapKeyVaultError(err, this.#vaultUrl, secretName, what);
    }
    const name = secret.properties.name || secretName;
    const gotVersion = secret.properties.version;
    if (!gotVersion || (version !== undefined && gotVersion.toLowerCase() !== version.toLowerCase())) {
      throw new LifeboatError("KEY.UNAVAILABLE", `kv: cannot read secret ${secretName}: the response named no or another version`);
    }
    if (secret.value === undefined) {
      throw new LifeboatError("KEY.INVALID", `kv: ${what} in ${this.#vaultUrl} has no value`);
    }
    const key = decodeKeyBase64(secret.value, `kv: ${what} in ${this.#vaultUrl}`);
    const kek: Kek = Object.freeze({ id: `kv:${name}/${gotVersion}`, key });
    const cacheKey = `${name.toLowerCase()}/${gotVersion.toLowerCase()}`;
    if (!this.#versions.has(cacheKey)) this.#versions.set(cacheKey, Promise.resolve(kek));
    return kek;
  }
}

/**
 * A Key Vault SDK error as a Lifeboat error: 404 → NotFoundError KEY.NOT_FOUND (naming
 * `settings`, the settings that point at the vault and secret); anything else →
 * LifeboatError KEY.UNAVAILABLE with status and code. A response that could not be
 * parsed may carry its body (a secret value) in the SDK error's message: such an error
 * is never kept as the cause. No message holds a secret value.
 */
export function wrapKeyVaultError(err: unknown, vaultUrl: string, secretName: string, what: string, settings = "LIFEBOAT_KEY_VAULT_URI and LIFEBOAT_KEK_SECRET"): LifeboatError {
  const e = (typeof err === "object" && err !== null ? err : {}) as { statusCode?: unknown; code?: unknown; name?: unknown };
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const code = typeof e.code === "string" ? e.code : undefined;
  if (status === 404) {
    return new NotFoundError("KEY.NOT_FOUND", `kv: ${what} not found in ${vaultUrl} (${code ?? "404"}); check ${settings}, and that the version was not purged`, { cause: err });
  }
  const bodyInError = code === "PARSE_ERROR" || (status !== undefined && status >= 200 && status < 300);
  const reason = [status, code].filter((x) => x !== undefined).join(" ") || (typeof e.name === "string" ? e.name : "error");
  return new LifeboatError("KEY.UNAVAILABLE", `kv: cannot read secret ${secretName}: ${reason}`, bodyInError ? undefined : { cause: err });
}
