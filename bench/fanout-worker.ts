/**
 * One Function instance for `npm run bench:fanout`: the local queue host delivering the jobs
 * queue to the real queue functions (restoreWorker runs backup range tasks), with host.json's
 * queue settings. Reads the Lifeboat settings from its environment. On "stop" over IPC it
 * stops polling, waits for what runs, and answers with its peak RSS and heap, CPU time and
 * how many range tasks it wrote. BENCH_WORKER_BATCH: messages run at once (default host.json's batchSize).
 */
import { join } from "node:path";
import type { InvocationContext } from "@azure/functions";
import { loadConfig } from "../src/config";
import { createServices } from "../src/services";
import { resetServices } from "../src/functions/shared/runtime";
import { restorePoison, restoreWorker } from "../src/functions/restore-worker";
import { JOBS_QUEUE_BINDING } from "../src/app/ports/JobQueue";
import type { Registration } from "../src/local/functions-host";
import { queueOptionsFromHostJson, watchQueueTriggers } from "../src/local/queue-triggers";

resetServices(createServices(loadConfig(process.env)));
const reg = (name: string, queueName: string, handler: (m: unknown, c: InvocationContext) => Promise<void>): Registration => ({
  name,
  bindings: { trigger: { type: "queueTrigger", direction: "in", queueName, connection: "AzureWebJobsStorage" } },
  handler: handler as Registration["handler"],
});
let written = 0;
// host.json sits next to package.json: two levels up from dist/bench (or from bench/ with tsx).
const root = join(__dirname, __filename.endsWith(".ts") ? ".." : "../..");
const stop = watchQueueTriggers(
  [reg("restoreWorker", JOBS_QUEUE_BINDING, restoreWorker), reg("restorePoison", `${JOBS_QUEUE_BINDING}-poison`, restorePoison)],
  process.env,
  (line) => {
    if (/range \d{6} written/.test(line)) written++;
    else if (/failed|error/i.test(line)) process.stderr.write(`worker ${process.pid}: ${line}\n`);
  },
  {
    ...queueOptionsFromHostJson(join(root, "host.json")),
    // The host runs batchSize + newBatchThreshold messages at once (6 with host.json); this local host, batchSize.
    ...(process.env.BENCH_WORKER_BATCH ? { batchSize: Number(process.env.BENCH_WORKER_BATCH) } : {}),
    maxPollingIntervalMs: 200,
  },
);
let heapPeak = 0;
setInterval(() => {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}, 50).unref();
process.on("message", (m: unknown) => {
  if (m !== "stop") return;
  void stop().then(() => {
    const cpu = process.cpuUsage();
    process.send?.({ type: "stopped", peakRssMb: process.resourceUsage().maxRSS / 1024, heapPeakMb: heapPeak / 1024 / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6, written });
    process.exit(0);
  });
});
process.send?.({ type: "ready" });
