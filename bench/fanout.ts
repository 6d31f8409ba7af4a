/**
 * `npm run bench:fanout [-- --entities N] [--workers W] [--repeat K] [--tasks T]`
 *
 * What a backup fan-out (LIFEBOAT_FANOUT_ENTITIES) costs and what it buys on this machine.
 * Starts Azurite in a child process, loads N entities of ~1 KB (as `npm run bench`), takes a
 * first full (its key files are where the ranges split), then, K rounds, takes a full backup
 * with its CSV copy, as deployed:
 *   - in one process (as below the threshold);
 *   - fanned out with no other instance: the waiting backup runs every range task itself
 *     (what the task records, the queue and the polling cost);
 *   - fanned out with W worker processes (bench/fanout-worker.ts: the local queue host with
 *     host.json's queue settings, each a Function instance) started before the round.
 * LIFEBOAT_FANOUT_ENTITIES is set to 5N/T, so the table splits into about T range tasks (a
 * fifth of the threshold each; default 5), at most one per key file of the first full. Prints a table (medians of K) and as the LAST stdout line:
 *   bench-fanout: entities=<N> workers=<W> tasks=<n> fanout_alone_vs_one=<x> fanout_workers_vs_one=<x>
 *                 coordinator_rss_mb=<n> worker_rss_mb=<n> worker_heap_mb=<n> worker_tasks=<n>
 * BENCH_WORKER_BATCH: messages a worker runs at once (default host.json's batchSize; the Azure host
 * runs batchSize + newBatchThreshold, 6).
 * (time ratios: lower is faster). On this machine one Azurite process serves every request,
 * so what the workers buy is bounded by it, not by Azure's partition servers.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runBackup, type BackupDeps } from "../src/app/backup/run-backup";
import { loadConfig } from "../src/config";
import { createServices } from "../src/services";
import { startAzuriteChild, stopChild, killChildNow } from "./child";
import { BATCH, loadBatch, newTableClient, parallelTransactions } from "./workload";
import { MemorySampler, progress, mb, renderGrid } from "./report";
import { median } from "./phases";

interface Round {
  one: number;
  alone: number;
  workers: number;
  tasks: number;
  workerTasks: number;
  workerRssMb: number;
  workerHeapMb: number;
}

function args(argv: string[]): { entities: number; workers: number; repeat: number; tasks: number } {
  const { values } = parseArgs({ args: argv, options: { entities: { type: "string" }, workers: { type: "string" }, repeat: { type: "string" }, tasks: { type: "string" } }, strict: true });
  const int = (name: string, v: string | undefined, d: number, min: number, max: number): number => {
    const n = v === undefined ? d : Number(v.replace(/_/g, ""));
    if (!Number.isInteger(n) || n < min || n > max) {
      process.stderr.write(`--${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})\n`);
      process.exit(2);
    }
    return n;
  };
  return { entities: int("entities", values.entities, 100_000, 40_000, 10_000_000), workers: int("workers", values.workers, 1, 1, 8), repeat: int("repeat", values.repeat, 3, 1, 9), tasks: int("tasks", values.tasks, 5, 2, 50) };
}

/** Starts W worker processes on the settings; resolves once each polls the queue. */
async function startWorkers(env: Record<string, string>, count: number): Promise<ChildProcess[]> {
  const fromSource = __filename.endsWith(".ts");
  const path = join(__dirname, fromSource ? "fanout-worker.ts" : "fanout-worker.js");
  const workers = Array.from({ length: count }, () => fork(path, [], { env: { ...process.env, ...env }, execArgv: [...(fromSource ? ["--import", "tsx"] : []), "--max-old-space-size=128"], stdio: ["ignore", "ignore", 2, "ipc"] }));
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once("message", () => resolve());
    w.once("exit", (code) => reject(new Error(`a worker exited (code ${code}) before it was ready`)));
  })));
  return workers;
}

/** Stops the workers; their peak RSS (largest) and range tasks written (sum). */
async function stopWorkers(workers: ChildProcess[]): Promise<{ peakRssMb: number; heapPeakMb: number; written: number }> {
  type Answer = { peakRssMb: number; heapPeakMb: number; written: number };
  const answers = await Promise.all(workers.map((w) => new Promise<Answer>((resolve) => {
    w.once("message", (m: Answer) => resolve(m));
    w.send("stop");
  })));
  return { peakRssMb: Math.max(...answers.map((a) => a.peakRssMb)), heapPeakMb: Math.max(...answers.map((a) => a.heapPeakMb)), written: answers.reduce((n, a) => n + a.written, 0) };
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const N = a.entities;
  const mem = new MemorySampler();
  mem.start();
  progress("starting Azurite in a child process");
  const cs = await startAzuriteChild();
  const suffix = randomBytes(4).toString("hex");
  const table = `fan${suffix}`;
  const client = newTableClient(cs, table);
  await client.createTable();
  progress(`loading ${N} entities (~1 KB)`);
  const loaded = await parallelTransactions(client, Math.ceil(N / BATCH), (b) => loadBatch(b, N), 16, "load");
  if (loaded !== N) throw new Error(`loaded ${loaded} entities, expected ${N}`);

  const settings: Record<string, string> = {
    LIFEBOAT_SOURCE: cs,
    LIFEBOAT_BACKUP: cs,
    LIFEBOAT_TABLES: table,
    LIFEBOAT_BACKUP_CONTAINER: `fanout-${suffix}`,
    LIFEBOAT_KEK: randomBytes(32).toString("base64"),
    AzureWebJobsStorage: cs,
    LIFEBOAT_JOBS_QUEUE: `fanout-${suffix}`,
    LIFEBOAT_JOBS_TABLE: `FanoutJobs${suffix}`,
    // Range tasks of N / tasks entities (a fifth of the threshold each); at most one per key file (20,000 keys).
    LIFEBOAT_FANOUT_ENTITIES: String(Math.floor((5 * N) / a.tasks)),
  };
  const config = loadConfig(settings);
  const s = createServices(config);
  const deps: BackupDeps = { source: s.source, repo: s.repo, keys: s.keys };
  const fanout = { jobs: s.jobs!, queue: s.jobQueue!, entities: config.fanoutEntities, account: "primary" };
  let note = "";
  const req = { tables: [table], full: true, overlapSeconds: config.overlapSeconds, chunkEntities: config.chunkEntities, csvBackups: true, scanConcurrency: config.scanConcurrency };
  const timed = async (d: BackupDeps): Promise<number> => {
    const start = Date.now();
    const r = await runBackup({ ...d, progress: (e) => (e.final && e.note ? (note = e.note) : undefined) }, req);
    if (r.status !== "committed" || r.entities !== N) throw new Error(`backup: ${JSON.stringify(r)}`);
    return (Date.now() - start) / 1000;
  };
  progress("first full (in one process: the key files the ranges split at)");
  await timed(deps);

  const rounds: Round[] = [];
  for (let k = 0; k < a.repeat; k++) {
    const one = await timed(deps);
    mem.phase("coordinator");
    const alone = await timed({ ...deps, fanout });
    mem.phase(undefined);
    const tasks = Number(/^(\d+) range tasks/.exec(note)?.[1] ?? "0");
    if (tasks < 2) throw new Error(`the table did not fan out (the full scan's note: ${JSON.stringify(note)}): take at least 40,000 entities, so that its key files split it`);
    const workers = await startWorkers(settings, a.workers);
    const withWorkers = await timed({ ...deps, fanout });
    const here = Number(/, (\d+) of them run here/.exec(note)?.[1] ?? "0");
    const w = await stopWorkers(workers);
    rounds.push({ one, alone, workers: withWorkers, tasks, workerTasks: tasks - here, workerRssMb: w.peakRssMb, workerHeapMb: w.heapPeakMb });
    progress(`round ${k + 1}: one process ${one.toFixed(2)} s, fanned out alone ${alone.toFixed(2)} s, with ${a.workers} worker(s) ${withWorkers.toFixed(2)} s (${tasks - here} of ${tasks} tasks on the workers)`);
  }
  mem.stop();
  await stopChild();

  const m = (key: (r: Round) => number): number => key(median(rounds, key));
  const one = m((r) => r.one);
  const alone = m((r) => r.alone);
  const withWorkers = m((r) => r.workers);
  const coordinatorRss = mb(mem.peaks.get("coordinator")?.rss ?? 0);
  const workerRss = Math.max(...rounds.map((r) => r.workerRssMb));
  const workerHeap = Math.max(...rounds.map((r) => r.workerHeapMb));
  const cells = [
    ["one process", `${one.toFixed(2)} s`, "1.00", ""],
    ["fanned out, no other instance", `${alone.toFixed(2)} s`, (alone / one).toFixed(2), `${rounds[0]!.tasks} tasks, all run by the waiting backup`],
    [`fanned out, ${a.workers} worker process(es)`, `${withWorkers.toFixed(2)} s`, (withWorkers / one).toFixed(2), `${m((r) => r.workerTasks)} of ${rounds[0]!.tasks} tasks on the workers (median)`],
  ];
  process.stdout.write(`Full backup with its CSV copy, ${N.toLocaleString("en-US")} entities, median of ${a.repeat}:\n`);
  process.stdout.write(`${renderGrid(["", "time", "vs one process", ""], [false, true, true, false], cells)}\n`);
  process.stdout.write(`peak RSS: the waiting backup running tasks itself ${coordinatorRss.toFixed(0)} MB; a worker process ${workerRss.toFixed(0)} MB (heap ${workerHeap.toFixed(0)} MB of its 128)\n`);
  process.stdout.write(
    `bench-fanout: entities=${N} workers=${a.workers} tasks=${rounds[0]!.tasks} fanout_alone_vs_one=${(alone / one).toFixed(2)} fanout_workers_vs_one=${(withWorkers / one).toFixed(2)} ` +
      `coordinator_rss_mb=${coordinatorRss.toFixed(0)} worker_rss_mb=${workerRss.toFixed(0)} worker_heap_mb=${workerHeap.toFixed(0)} worker_tasks=${m((r) => r.workerTasks)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-fanout failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  killChildNow();
  process.exit(1);
});
