import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const running: ChildProcess[] = [];

/** A TypeScript script of test/helpers run in its own Node process (through tsx), its output collected. */
export interface TsxChild {
  process: ChildProcess;
  /** What it printed so far on stdout and stderr. */
  readonly out: string;
  readonly err: string;
  /** Resolves when it exits, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `test/helpers/<script>` with the environment plus `env`; killChildren() ends it if the test does not. */
export function startTsxChild(script: string, env: Record<string, string>): TsxChild {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "test", "helpers", script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  running.push(child);
  const c = { process: child, out: "", err: "", exited: new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))) };
  child.stdout?.on("data", (d: Buffer) => (c.out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (c.err += d.toString()));
  return c;
}

/** For afterEach: SIGKILLs every child still running (by its own pid only). */
export function killChildren(): void {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, "SIGKILL");
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
