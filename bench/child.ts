import { fork, type ChildProcess } from "node:child_process";
import { totalmem } from "node:os";
import { join } from "node:path";

// ---------------------------------------------------------------------------
// Azurite in a child process

export let child: ChildProcess | undefined;

export function childScript(): { path: string; execArgv: string[] } {
  // Compiled: dist/bench/run.js next to dist/bench/azurite-child.js. From source (tsx): the .ts file.
  const fromSource = __filename.endsWith(".ts");
  return {
    path: join(__dirname, fromSource ? "azurite-child.ts" : "azurite-child.js"),
    execArgv: fromSource ? ["--import", "tsx"] : [],
  };
}

export function startAzuriteChild(): Promise<string> {
  const { path, execArgv } = childScript();
  // Azurite keeps every entity and blob in memory: give it room (it is not what we measure).
  const heapMb = Math.max(2048, Math.min(16_384, Math.floor((totalmem() / 1024 / 1024) * 0.6)));
  const c = fork(path, [], {
    execArgv: [...execArgv, `--max-old-space-size=${heapMb}`],
    // Azurite's own output goes to our stderr: stdout is reserved for the results.
    stdio: ["ignore", 2, 2, "ipc"],
  });
  child = c;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Azurite child did not start within 60 s")), 60_000);
    c.on("message", (m: { type?: string; connectionString?: string; message?: string }) => {
      if (m.type === "ready" && m.connectionString) {
        clearTimeout(timer);
        resolve(m.connectionString);
      } else if (m.type === "error") {
        clearTimeout(timer);
        reject(new Error(`Azurite child failed: ${m.message ?? "unknown error"}`));
      }
    });
    c.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (!stoppingChild) {
        const e = new Error(`Azurite child exited unexpectedly (code ${code}, signal ${signal})`);
        reject(e);
        childDied = e;
      }
    });
  });
}

export let stoppingChild = false;
export let childDied: Error | undefined;

/** Asks the child one question over IPC; undefined when it does not answer within 2 s. */
export function askChild<T extends { type: string }>(type: T["type"]): Promise<T | undefined> {
  const c = child;
  if (!c || !c.connected) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      c.off("message", on);
      resolve(undefined);
    }, 2000);
    const on = (m: { type?: string }): void => {
      if (m.type !== type) return;
      clearTimeout(timer);
      c.off("message", on);
      resolve(m as T);
    };
    c.on("message", on);
    c.send({ type });
  });
}

export const childRss = () => askChild<{ type: "rss"; rss: number; heapUsed: number }>("rss");
export const childCpuMicros = async (): Promise<number | undefined> =>
  (await askChild<{ type: "usage"; cpuMicros: number; rss: number }>("usage"))?.cpuMicros;

/** Stops the child: asks politely, then SIGKILL after 5 s. Safe to call more than once. */
export async function stopChild(): Promise<void> {
  const c = child;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  stoppingChild = true;
  const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
  try {
    if (c.connected) c.send({ type: "stop" });
    else c.kill("SIGTERM");
  } catch {
    c.kill("SIGTERM");
  }
  const timer = setTimeout(() => c.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

export function killChildNow(): void {
  const c = child;
  if (c && c.exitCode === null && c.signalCode === null) {
    stoppingChild = true;
    c.kill("SIGKILL");
  }
}

