/** An object in the backup repository. */
export interface StoredObject {
  path: string;
  size: number;
  metadata: Record<string, string>;
  /** When it was last written (ISO-8601), when the store knows. */
  modified?: string;
  /** Until when it cannot be deleted (its immutability expiry, ISO-8601), when the store keeps one. */
  retainUntil?: string;
}

/** How long an object must be kept, and the retention tier it belongs to (a tag lifecycle rules key on). */
export interface Retention {
  until: Date;
  tier: string;
}

/** An exclusive lock on a repository; renewed in the background until released. */
export interface Lock {
  /** Releases the lock; safe to call twice. */
  release(): Promise<void>;
  /** Throws when the lock was lost (renewal failed), so long work can stop in time. */
  assertHeld(): void;
}

/**
 * The backup repository: a flat namespace of immutable objects ("a/b/c" paths).
 * Append-only by contract: `put` with `ifNoneMatch` never overwrites, which is how
 * manifests are committed. Errors: `get` of a missing path throws NotFoundError
 * (code STORE.NOT_FOUND); `put` with ifNoneMatch on an existing path throws
 * AlreadyExistsError; `delete` of a missing path does nothing.
 */
export interface BackupStore {
  /** A short description for messages, e.g. "blob:lifeboat" or "fs:/backups". Never a secret. */
  readonly description: string;
  /** Creates the container/folder when missing. */
  ensure(): Promise<void>;
  /**
   * Writes an object. With `retention`, a store under WORM (Azure with immutability on)
   * makes it undeletable until `retention.until` and tags it with the tier; other stores
   * ignore it.
   */
  put(path: string, data: Buffer, options?: { ifNoneMatch?: boolean; metadata?: Record<string, string>; retention?: Retention }): Promise<void>;
  get(path: string): Promise<Buffer>;
  /** True when the path exists. */
  exists(path: string): Promise<boolean>;
  /** Objects whose path starts with prefix, sorted by path. */
  list(prefix: string): AsyncIterable<StoredObject>;
  delete(path: string): Promise<void>;
  /**
   * Keeps an existing object at least until `retention.until` (never shortens it) and
   * retags it with the tier. Stores without WORM do nothing. Throws NotFoundError
   * (STORE.NOT_FOUND) for a missing object.
   */
  extendRetention?(path: string, retention: Retention): Promise<void>;
  /**
   * Another copy of the object at `path` (a secondary store's), for a caller whose copy
   * failed its hash or authentication check; null when there is none. Only stores that
   * have a second copy implement it.
   */
  alternate?(path: string): Promise<Buffer | null>;
  /**
   * Takes the named exclusive lock, waiting up to waitSeconds for a holder to finish.
   * Returns null when another holder still has it after that.
   */
  tryLock(name: string, waitSeconds: number): Promise<Lock | null>;
}
