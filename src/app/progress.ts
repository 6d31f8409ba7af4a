/** What long-running work reports, for a progress line (CLI) or a log (Functions). */
export interface ProgressEvent {
  phase: string;
  table?: string;
  /** What `entities` counts, when not entities (e.g. "files"). */
  unit?: string;
  entities: number;
  bytes: number;
  /** Milliseconds since the phase started. */
  elapsedMs: number;
  /** How much of `total` is done, in the phase's own unit (records read, bytes checked), when the total is known. */
  done?: number;
  /** The whole of the phase in that unit, when known: the percentage and time left come from it. */
  total?: number;
  /** The phase ended (the last report of it). */
  final?: boolean;
  /** How the phase ran, when that is worth knowing (e.g. "sorted merge"). */
  note?: string;
}

export type ProgressSink = (e: ProgressEvent) => void;

export const noProgress: ProgressSink = () => undefined;

/** Percentage done and seconds left of an event with a total, or null without one. Never throws. */
export function eta(e: ProgressEvent): { percent: number; secondsLeft: number | null } | null {
  if (e.total === undefined || e.total <= 0 || e.done === undefined) return null;
  const done = Math.min(e.done, e.total);
  const percent = Math.floor((done / e.total) * 100);
  const rate = done / Math.max(e.elapsedMs / 1000, 0.001);
  return { percent, secondsLeft: e.final ? 0 : rate > 0 ? (e.total - done) / rate : null };
}

/** "1 h 02 min", "3 min 05 s", "12 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}

/** "40%, 1 min 05 s left" for an event with a total; "" without one. */
export function etaText(e: ProgressEvent): string {
  const x = eta(e);
  if (!x) return "";
  return `${x.percent}%${x.secondsLeft === null || e.final ? "" : `, ${formatDuration(x.secondsLeft)} left`}`;
}

/**
 * Counts work in a phase and reports at most every `everyMs`, plus once at the end.
 * With a `total`, each report also says how much of it is done (`done`, in the unit
 * `add` is given: records by default).
 */
export class ProgressMeter {
  #entities = 0;
  #bytes = 0;
  #done = 0;
  readonly #start = Date.now();
  #last = this.#start;
  constructor(
    private readonly sink: ProgressSink,
    private readonly phase: string,
    private readonly table?: string,
    private readonly options: { everyMs?: number; total?: number; unit?: string } = {},
  ) {}

  /** Counts entities and bytes; `done` (default: the entities) advances toward the total. */
  add(entities: number, bytes: number, done = entities): void {
    this.#entities += entities;
    this.#bytes += bytes;
    this.#done += done;
    const now = Date.now();
    if (now - this.#last >= (this.options.everyMs ?? 2000)) {
      this.#last = now;
      this.#emit(now, false);
    }
  }

  /** Reports the final count, with a note on how the phase ran. */
  done(note?: string): void {
    this.#emit(Date.now(), true, note);
  }

  get entities(): number {
    return this.#entities;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #emit(now: number, final: boolean, note?: string): void {
    const total = this.options.total;
    this.sink({
      phase: this.phase,
      ...(this.table ? { table: this.table } : {}),
      ...(this.options.unit ? { unit: this.options.unit } : {}),
      entities: this.#entities,
      bytes: this.#bytes,
      elapsedMs: now - this.#start,
      ...(total !== undefined ? { done: this.#done, total } : {}),
      ...(final ? { final: true } : {}),
      ...(note ? { note } : {}),
    });
  }
}
