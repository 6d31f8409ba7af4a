/**
 * Runs an in-memory Azurite in its own process for the benchmark (bench/run.ts forks it),
 * so Azurite and Lifeboat do not share one event loop.
 *
 * Protocol (IPC): sends { type: "ready", connectionString } once listening, or
 * { type: "error", message } and exits 1. Answers { type: "rss" } with
 * { type: "rss", rss, heapUsed }, and { type: "usage" } with { type: "usage", cpuMicros, rss }
 * (CPU time used so far, to tell whether Azurite or Lifeboat is the bottleneck of a phase). Stops on { type: "stop" }, SIGTERM/SIGINT, or when the
 * parent goes away (IPC disconnect), so it never outlives the benchmark.
 */
import { startAzurite, type RunningAzurite } from "../src/local/azurite";

type ParentMessage = { type: "stop" } | { type: "rss" } | { type: "usage" };

let azurite: RunningAzurite | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(code), 5000);
  force.unref();
  try {
    await azurite?.stop();
  } finally {
    process.exit(code);
  }
}

async function main(): Promise<void> {
  if (!process.send) throw new Error("bench/azurite-child must be started with child_process.fork (it needs an IPC channel)");
  process.on("message", (m: ParentMessage) => {
    if (m?.type === "stop") void shutdown(0);
    else if (m?.type === "rss") {
      const mu = process.memoryUsage();
      process.send?.({ type: "rss", rss: mu.rss, heapUsed: mu.heapUsed });
    } else if (m?.type === "usage") {
      const cpu = process.cpuUsage();
      process.send?.({ type: "usage", cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage.rss() });
    }
  });
  process.on("disconnect", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGINT", () => void shutdown(0));
  azurite = await startAzurite();
  if (stopping) return;
  process.send({ type: "ready", connectionString: azurite.connectionString });
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    process.send?.({ type: "error", message });
  } catch {
    // the parent is gone; nothing to tell
  }
  void shutdown(1);
});
