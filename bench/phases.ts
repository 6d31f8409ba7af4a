import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

// ---------------------------------------------------------------------------
// Phase timing: wall clock, CPU of this process and of the Azurite child, CPU profiles

export const seconds = (startMs: number): number => (Date.now() - startMs) / 1000;

export interface PhaseStats {
  seconds: number;
  /** CPU time of this process (Lifeboat, incl. GC and the libuv pool) per wall second: 1.0 = one core. */
  lifeboatCpu: number;
  /** The same for the Azurite child; undefined when it did not answer. */
  azuriteCpu: number | undefined;
  /** Where the phase started: wall clock, this process's CPU, the child's CPU (µs). */
  start: CpuMark;
  /** HTTP requests sent during the phase. */
  requests: { batch: number; other: number };
}

export interface CpuMark {
  at: number;
  cpu: NodeJS.CpuUsage;
  child: number | undefined;
}

/** CPU use between two marks, per wall second (1.0 = one core). */
export function cpuBetween(a: CpuMark, b: CpuMark): { seconds: number; lifeboatCpu: number; azuriteCpu: number | undefined } {
  const sec = Math.max((b.at - a.at) / 1000, 1e-3);
  const own = (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1e6 / sec;
  const child = a.child !== undefined && b.child !== undefined ? (b.child - a.child) / 1e6 / sec : undefined;
  return { seconds: sec, lifeboatCpu: own, azuriteCpu: child };
}

/** CPU profiles of this process through the inspector (--cpu-prof DIR). */
export class CpuProfiler {
  readonly #session = new Session();
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.#session.connect();
  }
  #post(method: string, params?: object): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.#session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  }
  async start(): Promise<void> {
    await this.#post("Profiler.enable");
    await this.#post("Profiler.setSamplingInterval", { interval: 500 });
    await this.#post("Profiler.start");
  }
  async stop(name: string): Promise<string> {
    const { profile } = (await this.#post("Profiler.stop")) as { profile: unknown };
    const file = join(this.dir, `${name.replace(/[^a-z0-9]+/gi, "-")}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  }
}


/**
 * HTTP requests this process sends, counted through Node's diagnostics channel: entity-group
 * transactions (`$batch`) apart from the rest. A phase that sends more transactions than it
 * has batches is retrying (throttling, timeouts, resets).
 */
export class RequestCounter {
  batch = 0;
  other = 0;
  readonly #onStart = (message: unknown): void => {
    const req = (message as { request?: { path?: string } }).request;
    if (req?.path?.includes("$batch")) this.batch++;
    else this.other++;
  };
  start(): void {
    subscribe("http.client.request.start", this.#onStart);
  }
  stop(): void {
    unsubscribe("http.client.request.start", this.#onStart);
  }
  snapshot(): { batch: number; other: number } {
    return { batch: this.batch, other: this.other };
  }
}
