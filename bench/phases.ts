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

// ---------------------------------------------------------------------------
// The phase runner every measured phase goes through

/** Runs one measured phase: wall time, CPU of both processes, memory peaks (under `name`), HTTP requests, optional CPU profile. */
export type RunPhase = <T>(name: string, fn: () => Promise<T>, lifeboat: boolean) => Promise<[T, PhaseStats]>;

export function phaseRunner(
  mem: { phase(name: string | undefined): void },
  requests: RequestCounter,
  profiler: CpuProfiler | undefined,
  childCpuMicros: () => Promise<number | undefined>,
  log: (msg: string) => void,
): RunPhase {
  return async <T>(name: string, fn: () => Promise<T>, lifeboat: boolean): Promise<[T, PhaseStats]> => {
    const childBefore = await childCpuMicros();
    if (profiler && lifeboat) await profiler.start();
    const cpuBefore = process.cpuUsage();
    mem.phase(name);
    const reqBefore = requests.snapshot();
    const t = Date.now();
    const start: CpuMark = { at: t, cpu: cpuBefore, child: childBefore };
    const value = await fn();
    const sec = seconds(t);
    mem.phase(undefined);
    const cpu = process.cpuUsage(cpuBefore);
    if (profiler && lifeboat) log(`cpu profile: ${await profiler.stop(name)}`);
    const childAfter = await childCpuMicros();
    const perSec = (micros: number): number => micros / 1e6 / Math.max(sec, 1e-3);
    return [
      value,
      {
        seconds: sec,
        lifeboatCpu: perSec(cpu.user + cpu.system),
        azuriteCpu: childBefore !== undefined && childAfter !== undefined ? perSec(childAfter - childBefore) : undefined,
        start,
        requests: { batch: requests.batch - reqBefore.batch, other: requests.other - reqBefore.other },
      },
    ];
  };
}

/** "cpu lifeboat 85% azurite 97%": per wall second, 100% = one core. */
export const cpuNote = (s: Pick<PhaseStats, "lifeboatCpu" | "azuriteCpu">): string =>
  `cpu lifeboat ${Math.round(s.lifeboatCpu * 100)}% azurite ${s.azuriteCpu === undefined ? "?" : Math.round(s.azuriteCpu * 100)}%`;

/** The median of xs by key (the lower middle one for an even count). */
export const median = <T>(xs: T[], key: (x: T) => number): T => [...xs].sort((p, q) => key(p) - key(q))[Math.floor((xs.length - 1) / 2)] as T;
