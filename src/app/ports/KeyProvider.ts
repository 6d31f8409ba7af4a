import type { Kek } from "../../core/kek";

export type { Kek };

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
