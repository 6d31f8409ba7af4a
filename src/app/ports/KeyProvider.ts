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

/**
 * A copy of the KEK in a second vault (another region), addressed by the primary's key
 * ids, so files keep naming the primary's id whichever vault opened them. Compared with
 * the primary by id, never by value.
 */
export interface KeyReplica {
  /** Where the copy lives, for messages (a URL; no secret). */
  readonly description: string;
  /** The id of the newest copied KEK; undefined when nothing was copied yet. Throws KEY.UNAVAILABLE. */
  activeId(): Promise<string | undefined>;
  /** Whether the copy holds the KEK with this id. Throws KEY.UNAVAILABLE. */
  has(id: string): Promise<boolean>;
  /** Copies `kek` (it becomes the copy's newest). Throws KEY.UNAVAILABLE. */
  write(kek: Kek): Promise<void>;
}
