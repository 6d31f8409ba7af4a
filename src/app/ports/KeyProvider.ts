import type { Secret } from "../../core/secret";

/** A key-encryption key and the id that backup files record to find it again. */
export interface Kek {
  /** Stable, non-secret id of this key version, e.g. "env:3f2a…" or "kv:lifeboat-kek/0f1e…". */
  id: string;
  /** 32 bytes. */
  key: Secret<Buffer>;
}

/**
 * Where key-encryption keys come from (Key Vault in Azure, a setting in development).
 * Errors: `byId` for an unknown id throws NotFoundError (code KEY.NOT_FOUND); a
 * malformed key throws LifeboatError (code KEY.INVALID). Messages never contain key bytes.
 */
export interface KeyProvider {
  /** The key new files are encrypted with. */
  active(): Promise<Kek>;
  /** The key a file names in its header (for files written before a rotation). */
  byId(id: string): Promise<Kek>;
}
