import type { Kek, KeyProvider } from "../../app/ports/KeyProvider";
import { LifeboatError } from "../../core/errors";

/** How long the copy is used without asking the primary again after the primary failed. */
export const PRIMARY_RETRY_MS = 5 * 60 * 1000;

/**
 * The primary vault, and its copy in the second region when the primary cannot be
 * reached (KEY.UNAVAILABLE: a regional outage, throttling past the retries). A key the
 * primary says does not exist (KEY.NOT_FOUND) or is malformed is not looked up in the
 * copy: that is a wrong setting or a purged version, not an outage. After a primary
 * failure the copy answers alone for `retryMs` (a restore reads a key per file; each
 * would otherwise wait out the primary's retries again); keys the copy returned are
 * kept (versions never change). `onFallback` hears once each time the copy takes over.
 */
export class FallbackKeyProvider implements KeyProvider {
  readonly #fromCopy = new Map<string, Kek>();
  #primaryDownUntil = 0;

  constructor(
    private readonly primary: KeyProvider,
    private readonly replica: KeyProvider,
    private readonly onFallback?: (note: string) => void,
    private readonly options: { retryMs?: number; now?: () => number } = {},
  ) {}

  active(): Promise<Kek> {
    return this.#either((k) => k.active(), "the active KEK");
  }

  async byId(id: string): Promise<Kek> {
    const kept = this.#fromCopy.get(id);
    if (kept) return kept;
    return this.#either((k) => k.byId(id), `KEK ${id}`);
  }

  async #either(read: (k: KeyProvider) => Promise<Kek>, what: string): Promise<Kek> {
    const now = this.options.now ?? Date.now;
    if (now() < this.#primaryDownUntil) return this.#keep(await read(this.replica));
    try {
      return await read(this.primary);
    } catch (err) {
      if (!(err instanceof LifeboatError) || err.code !== "KEY.UNAVAILABLE") throw err;
      let kek: Kek;
      try {
        kek = await read(this.replica);
      } catch (second) {
        throw new LifeboatError("KEY.UNAVAILABLE", `${err.message}; the secondary vault failed too: ${second instanceof Error ? second.message : String(second)}`, { cause: err });
      }
      this.#primaryDownUntil = now() + (this.options.retryMs ?? PRIMARY_RETRY_MS);
      this.onFallback?.(`${what} came from the secondary vault: the primary is unavailable (${err.message}); using the copy for the next ${Math.round((this.options.retryMs ?? PRIMARY_RETRY_MS) / 60_000)} min`);
      return this.#keep(kek);
    }
  }

  #keep(kek: Kek): Kek {
    this.#fromCopy.set(kek.id, kek);
    return kek;
  }
}
