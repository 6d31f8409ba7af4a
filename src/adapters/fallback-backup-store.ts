import type { BackupStore, Lock, Retention, StoredObject } from "../app/ports/BackupStore";
import { ensureErrorType, LifeboatError, NotFoundError } from "../core/errors";

/** A failure that means "the primary cannot be used now", as opposed to a wrong request. */
function unreachable(err: unknown): boolean {
  return err instanceof LifeboatError && (err.code === "STORE.UNAVAILABLE" || err.code === "TABLE.UNAVAILABLE");
}

/**
 * The primary backup store, falling back to the secondary for reads: when the primary
 * cannot be reached, or does not have the object, the secondary's copy is read; and
 * `alternate` offers the secondary's copy to a caller whose primary copy failed its hash
 * or authentication check. Writes, deletes and locks go to the primary only. Each
 * fallback is reported to `onFallback` (which store was used for what, and why).
 */
export class FallbackBackupStore implements BackupStore {
  readonly description: string;

  constructor(
    private readonly primary: BackupStore,
    private readonly secondary: BackupStore,
    private readonly onFallback: (note: string) => void = () => undefined,
  ) {
    this.description = `${primary.description} (falling back to ${secondary.description})`;
  }

  ensure(): Promise<void> {
    return this.primary.ensure();
  }

  put(path: string, data: Buffer, options?: { ifNoneMatch?: boolean; metadata?: Record<string, string>; retention?: Retention }): Promise<void> {
    return this.primary.put(path, data, options);
  }

  async extendRetention(path: string, retention: Retention): Promise<void> {
    await this.primary.extendRetention?.(path, retention);
  }

  async get(path: string): Promise<Buffer> {
    try {
      return await this.primary.get(path);
    } catch (err) {
      if (!(err instanceof NotFoundError) && !unreachable(err)) throw err;
      const bytes = await this.secondary.get(path);
      this.onFallback(`${path}: read from ${this.secondary.description} (${err instanceof NotFoundError ? "missing from the primary" : ensureErrorType(err).message})`);
      return bytes;
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      return await this.primary.exists(path);
    } catch (err) {
      if (!unreachable(err)) throw err;
      return this.secondary.exists(path);
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let yielded = false;
    try {
      for await (const o of this.primary.list(prefix)) {
        yielded = true;
        yield o;
      }
    } catch (err) {
      if (yielded || !unreachable(err)) throw err;
      this.onFallback(`listing ${prefix}: from ${this.secondary.description} (${ensureErrorType(err).message})`);
      yield* this.secondary.list(prefix);
    }
  }

  delete(path: string): Promise<void> {
    return this.primary.delete(path);
  }

  tryLock(name: string, waitSeconds: number): Promise<Lock | null> {
    return this.primary.tryLock(name, waitSeconds);
  }

  async alternate(path: string): Promise<Buffer | null> {
    try {
      const bytes = await this.secondary.get(path);
      this.onFallback(`${path}: the primary's copy failed its check; read from ${this.secondary.description}`);
      return bytes;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }
}
