import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import type { TokenCredential } from "@azure/identity";
import type { Kek, KeyProvider, KeyReplica } from "../../app/ports/KeyProvider";
import { LifeboatError, NotFoundError } from "../../core/errors";
import { decodeKeyBase64 } from "./EnvKeyProvider";
import { parseKeyVaultKeyId, wrapKeyVaultError } from "./KeyVaultKeyProvider";

/** The tag on every copy naming the primary's key id it copies. */
export const KEK_ID_TAG = "lifeboat-kek-id";
const SETTINGS = "LIFEBOAT_KEY_VAULT_URI_SECONDARY and LIFEBOAT_KEK_SECRET (and run lifeboat kek sync)";

/**
 * The KEK's copy in a second Key Vault (LIFEBOAT_KEY_VAULT_URI_SECONDARY). Key Vault
 * chooses version ids itself, so a copy cannot reuse the primary's; instead each primary
 * version `kv:<secret>/<version>` is copied to its own secret `<secret>--<version>`, and
 * the newest also to `<secret>`, each tagged `lifeboat-kek-id = kv:<secret>/<version>`.
 * Reading a copy needs no listing, and every KEK it returns carries the primary's id, so
 * files written with it are indistinguishable from files written with the primary.
 * Errors as KeyVaultKeyProvider's; a copy whose tag names another id is KEY.INVALID.
 */
export class KeyVaultReplica implements KeyProvider, KeyReplica {
  readonly description: string;
  readonly #client: SecretClient;
  readonly #vaultUrl: string;
  readonly #secretName: string;

  constructor(vaultUrl: string, secretName: string, credential: TokenCredential, clientOptions?: SecretClientOptions) {
    this.#client = new SecretClient(vaultUrl, credential, clientOptions);
    this.#vaultUrl = vaultUrl;
    this.#secretName = secretName;
    this.description = `${vaultUrl.replace(/\/+$/, "")} (secret ${secretName})`;
  }

  /** The newest copied KEK, under the primary's id. */
  async active(): Promise<Kek> {
    const got = await this.#read(this.#secretName);
    if (!got.id) throw new LifeboatError("KEY.UNAVAILABLE", `kv: ${this.#secretName} in ${this.#vaultUrl} is not a Lifeboat KEK copy (no ${KEK_ID_TAG} tag); run lifeboat kek sync`);
    return Object.freeze({ id: got.id, key: got.key() });
  }

  /** The copy of the primary's KEK `id`. Throws KEY.NOT_FOUND when it was never copied. */
  async byId(id: string): Promise<Kek> {
    const got = await this.#read(copyName(id));
    if (got.id !== id) throw new LifeboatError("KEY.INVALID", `kv: the copy of ${id} in ${this.#vaultUrl} is tagged ${JSON.stringify(got.id ?? "")}`);
    return Object.freeze({ id, key: got.key() });
  }

  async activeId(): Promise<string | undefined> {
    try {
      return (await this.#read(this.#secretName)).id;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async has(id: string): Promise<boolean> {
    try {
      return (await this.#read(copyName(id))).id === id;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  async write(kek: Kek): Promise<void> {
    const value = kek.key.reveal().toString("base64");
    const options = { tags: { [KEK_ID_TAG]: kek.id }, contentType: "application/vnd.lifeboat.kek-copy" };
    for (const name of [copyName(kek.id), this.#secretName]) {
      try {
        await this.#client.setSecret(name, value, options);
      } catch (err) {
        throw wrapKeyVaultError(err, this.#vaultUrl, name, `secret ${name}`, SETTINGS);
      }
    }
  }

  /** A secret's tag and (decoded on demand) value. */
  async #read(name: string): Promise<{ id: string | undefined; key: () => Kek["key"] }> {
    let secret;
    try {
      secret = await this.#client.getSecret(name);
    } catch (err) {
      throw wrapKeyVaultError(err, this.#vaultUrl, name, `secret ${name}`, SETTINGS);
    }
    const value = secret.value;
    if (value === undefined) throw new LifeboatError("KEY.INVALID", `kv: secret ${name} in ${this.#vaultUrl} has no value`);
    return { id: secret.properties.tags?.[KEK_ID_TAG], key: () => decodeKeyBase64(value, `kv: secret ${name} in ${this.#vaultUrl}`) };
  }
}

/** The secret holding the copy of the primary's KEK `id` ("kv:<secret>/<version>" → "<secret>--<version>"). */
export function copyName(id: string): string {
  const parsed = parseKeyVaultKeyId(id);
  if (!parsed) throw new NotFoundError("KEY.NOT_FOUND", `key ${JSON.stringify(id.slice(0, 200))} is not a Key Vault key id, so it has no copy in the secondary vault`);
  const name = `${parsed.secretName}--${parsed.version}`;
  if (name.length > 127) throw new LifeboatError("KEY.INVALID", `the copy's secret name for ${id} would exceed Key Vault's 127 characters: use a shorter LIFEBOAT_KEK_SECRET`);
  return name;
}
