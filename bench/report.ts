import { PerformanceObserver, constants } from "node:perf_hooks";

// ---------------------------------------------------------------------------
// Memory sampling

export interface MemPeak {
  rss: number;
  heapUsed: number;
  /** Largest heapUsed seen right after a major GC: roughly what the phase really keeps alive. */
  liveAfterGc: number;
  /** process.memoryUsage() when rss peaked: what the peak was made of. */
  atRssPeak: NodeJS.MemoryUsage | undefined;
}

export class MemorySampler {
  #phase: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly peaks = new Map<string, MemPeak>();
  #gcObserver: PerformanceObserver | undefined;

  start(): void {
    this.#timer = setInterval(() => this.sample(), 100);
    this.#timer.unref();
    // After each mark-compact, heapUsed is (nearly) the live heap.
    this.#gcObserver = new PerformanceObserver((list) => {
      if (this.#phase === undefined) return;
      if (!list.getEntries().some((e) => (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) return;
      const p = this.#peak(this.#phase);
      p.liveAfterGc = Math.max(p.liveAfterGc, process.memoryUsage().heapUsed);
    });
    this.#gcObserver.observe({ entryTypes: ["gc"] });
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#gcObserver?.disconnect();
  }

  #peak(phase: string): MemPeak {
    let p = this.peaks.get(phase);
    if (!p) {
      p = { rss: 0, heapUsed: 0, liveAfterGc: 0, atRssPeak: undefined };
      this.peaks.set(phase, p);
    }
    return p;
  }

  /** Attributes samples from now on to `phase` (undefined: not attributed). */
  phase(phase: string | undefined): void {
    this.sample();
    this.#phase = phase;
    this.sample();
  }

  sample(): void {
    if (this.#phase === undefined) return;
    const mu = process.memoryUsage();
    const p = this.#peak(this.#phase);
    if (mu.rss > p.rss) {
      p.rss = mu.rss;
      p.atRssPeak = mu;
    }
    p.heapUsed = Math.max(p.heapUsed, mu.heapUsed);
  }

  peakOver(phases: string[]): MemPeak & { phase: string | undefined } {
    let best: MemPeak & { phase: string | undefined } = { rss: 0, heapUsed: 0, liveAfterGc: 0, atRssPeak: undefined, phase: undefined };
    let heapUsed = 0;
    let liveAfterGc = 0;
    for (const ph of phases) {
      const p = this.peaks.get(ph);
      if (!p) continue;
      if (p.rss > best.rss) best = { ...p, phase: ph };
      heapUsed = Math.max(heapUsed, p.heapUsed);
      liveAfterGc = Math.max(liveAfterGc, p.liveAfterGc);
    }
    return { ...best, heapUsed, liveAfterGc };
  }
}

// ---------------------------------------------------------------------------
// Output helpers

export function progress(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

export function fmtRate(r: number): string {
  return Number.isFinite(r) ? Math.round(r).toLocaleString("en-US") : "-";
}

export const mb = (bytes: number): number => bytes / 1024 / 1024;

export interface Row {
  phase: string;
  seconds: number | undefined;
  entities: number | undefined;
  ratio: string;
  note: string;
}

export function renderTable(rows: Row[]): string {
  const cells = rows.map((r) => [
    r.phase,
    r.seconds === undefined ? "" : r.seconds.toFixed(2),
    r.entities === undefined ? "" : r.entities.toLocaleString("en-US"),
    r.seconds === undefined || r.entities === undefined || r.seconds <= 0 ? "" : fmtRate(r.entities / r.seconds),
    r.ratio,
    r.note,
  ]);
  return renderGrid(["phase", "seconds", "entities", "entities/s", "ratio", "note"], [false, true, true, true, true, false], cells);
}

/** A plain-text table: a header, a rule, then the rows; `right` says which columns are right-aligned. */
export function renderGrid(header: string[], right: boolean[], cells: string[][]): string {
  const all = [header, ...cells];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? "").length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) => (right[c] ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

