import type { Kek, KeyProvider } from "../../app/ports/KeyProvider";
import { LifeboatError } from "../../core/errors";

/**
 * The primary vault, and its copy in the second region when the primary cannot be
 * reached (KEY.UNAVAILABLE: a regional outage, throttling past the retries). A key the
 * primary says does not exist (KEY.NOT_FOUND) or is malformed is not looked up in the
 * copy: that is a wrong setting or a purged version, not an outage. `onFallback` hears
 * each time the copy answered.
 */
export class FallbackKeyProvider implements KeyProvider {
  constructor(
    private readonly primary: KeyProvider,
    private readonly replica: KeyProvider,
    private readonly onFallback?: (note: string) => void,
  ) {}

  active(): Promise<Kek> {
    return this.#either((k) => k.active(), "the active KEK");
  }

  byId(id: string): Promise<Kek> {
    return this.#either((k) => k.byId(id), `KEK ${id}`);
  }

  async #either(read: (k: KeyProvider) => Promise<Kek>, what: string): Promise<Kek> {
    try {
      return await read(this.primary);
    } catch (err) {
      if (!(err instanceof LifeboatError) || err.code !== "KEY.UNAVAILABLE") throw err;
      try {
        const kek = await read(this.replica);
        this.onFallback?.(`${what} came from the secondary vault: the primary is unavailable (${err.message})`);
        return kek;
      } catch (second) {
        throw new LifeboatError("KEY.UNAVAILABLE", `${err.message}; the secondary vault failed too: ${second instanceof Error ? second.message : String(second)}`, { cause: err });
      }
    }
  }
}
