/** What long-running work reports, for a progress line (CLI) or a log (Functions). */
export interface ProgressEvent {
  phase: string;
  table?: string;
  entities: number;
  bytes: number;
  /** Milliseconds since the phase started. */
  elapsedMs: number;
  /** How the phase ran, when that is worth knowing (e.g. "sorted merge"). */
  note?: string;
}

export type ProgressSink = (e: ProgressEvent) => void;

export const noProgress: ProgressSink = () => undefined;

/** Counts work in a phase and reports at most every `everyMs`, plus once at the end. */
export class ProgressMeter {
  #entities = 0;
  #bytes = 0;
  readonly #start = Date.now();
  #last = this.#start;
  constructor(
    private readonly sink: ProgressSink,
    private readonly phase: string,
    private readonly table?: string,
    private readonly everyMs = 2000,
  ) {}

  add(entities: number, bytes: number): void {
    this.#entities += entities;
    this.#bytes += bytes;
    const now = Date.now();
    if (now - this.#last >= this.everyMs) {
      this.#last = now;
      this.#emit(now);
    }
  }

  /** Reports the final count, with a note on how the phase ran. */
  done(note?: string): void {
    this.#emit(Date.now(), note);
  }

  get entities(): number {
    return this.#entities;
  }

  #emit(now: number, note?: string): void {
    this.sink({
      phase: this.phase,
      ...(this.table ? { table: this.table } : {}),
      entities: this.#entities,
      bytes: this.#bytes,
      elapsedMs: now - this.#start,
      ...(note ? { note } : {}),
    });
  }
}
