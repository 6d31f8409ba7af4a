import { createHash } from "node:crypto";
import type { Kek, KeyProvider } from "../../app/ports/KeyProvider";
import { LifeboatError, NotFoundError } from "../../core/errors";
import { Secret } from "../../core/secret";

/** Length in bytes of a key-encryption key (AES-256). */
export const KEK_BYTES = 32;

/**
 * Decodes the base64 text of a 32-byte key (surrounding and embedded whitespace is
 * ignored, as `openssl rand -base64 32` output may end in a newline).
 * `where` names the source for the error message, e.g. "LIFEBOAT_KEK".
 * Throws LifeboatError KEY.INVALID when the text is not canonical base64 of exactly
 * 32 bytes; the message never contains the text.
 */
export function decodeKeyBase64(text: string | Secret<string>, where: string): Secret<Buffer> {
  const raw = (typeof text === "string" ? text : text.reveal()).replace(/\s/g, "");
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(raw) ? Buffer.from(raw, "base64") : Buffer.alloc(0);
  if (bytes.length !== KEK_BYTES || bytes.toString("base64") !== raw) {
    bytes.fill(0);
    throw new LifeboatError(
      "KEY.INVALID",
      `${where} is not a valid key: it must be the base64 of exactly ${KEK_BYTES} random bytes (openssl rand -base64 32)`,
    );
  }
  return new Secret(bytes);
}

/**
 * The id of an env key: "env:" + the first 16 hex digits of SHA-256 of the key bytes.
 * Stable for a given key, reveals nothing usable about it.
 */
export function envKeyId(key: Secret<Buffer>): string {
  return "env:" + createHash("sha256").update(key.reveal()).digest("hex").slice(0, 16);
}

/** Options of {@link EnvKeyProvider}. */
export interface EnvKeyProviderOptions {
  /**
   * Older keys that files may still name, so a development key can be rotated:
   * new files use the active key, files written before still decrypt.
   */
  previous?: Secret<Buffer>[];
}

/**
 * Key-encryption keys from a setting (LIFEBOAT_KEK, development and tests).
 * `active()` is the configured key; `byId()` finds it or one of `previous`.
 * Throws LifeboatError KEY.INVALID (constructor) when a key is not 32 bytes, and
 * NotFoundError KEY.NOT_FOUND (`byId`) for an id that none of its keys has.
 */
export class EnvKeyProvider implements KeyProvider {
  readonly #active: Kek;
  readonly #byId = new Map<string, Kek>();

  /** Throws LifeboatError KEY.INVALID when `key` or a `previous` key is not 32 bytes. */
  constructor(key: Secret<Buffer>, options: EnvKeyProviderOptions = {}) {
    this.#active = EnvKeyProvider.#kek(key, "LIFEBOAT_KEK");
    this.#byId.set(this.#active.id, this.#active);
    (options.previous ?? []).forEach((k, i) => {
      const kek = EnvKeyProvider.#kek(k, `previous key #${i + 1}`);
      if (!this.#byId.has(kek.id)) this.#byId.set(kek.id, kek);
    });
  }

  /**
   * Builds a provider from base64 text (the LIFEBOAT_KEK setting) and optional older keys.
   * Throws LifeboatError KEY.INVALID when the text is not base64 of 32 bytes.
   */
  static fromBase64(keyBase64: string | Secret<string>, options: EnvKeyProviderOptions = {}): EnvKeyProvider {
    return new EnvKeyProvider(decodeKeyBase64(keyBase64, "LIFEBOAT_KEK"), options);
  }

  static #kek(key: Secret<Buffer>, where: string): Kek {
    if (!Buffer.isBuffer(key.reveal()) || key.reveal().length !== KEK_BYTES) {
      throw new LifeboatError("KEY.INVALID", `${where} is not a valid key: it must be exactly ${KEK_BYTES} bytes`);
    }
    return Object.freeze({ id: envKeyId(key), key });
  }

  /** The configured key. Never throws. */
  active(): Promise<Kek> {
    return Promise.resolve(this.#active);
  }

  /** The key with this id; throws NotFoundError KEY.NOT_FOUND when no configured key has it. */
  byId(id: string): Promise<Kek> {
    const kek = this.#byId.get(id);
    if (kek) return Promise.resolve(kek);
    const hint = id.startsWith("kv:")
      ? "it was written with a Key Vault key: set LIFEBOAT_KEY_VAULT_URI and LIFEBOAT_KEK_SECRET instead of LIFEBOAT_KEK"
      : `it was written with a different LIFEBOAT_KEK (the current one is ${this.#active.id}); set LIFEBOAT_KEK to the key it was written with`;
    return Promise.reject(new NotFoundError("KEY.NOT_FOUND", `key ${JSON.stringify(id.slice(0, 200))} is not available: ${hint}`));
  }
}
