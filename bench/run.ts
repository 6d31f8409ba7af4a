/**
 * `npm run bench [-- --entities N] [--concurrency C|auto] [--repeat K] [--restore-concurrency R]
 *                 [--chunk-entities K] [--overlap S] [--cpu-prof DIR] [--files | --files-only]`
 *
 * Starts its own in-memory Azurite in a child process (bench/azurite-child.ts), loads N
 * entities of ~1 KB with parallel 100-entity upsert transactions, and measures in one run:
 *   - the raw SDK scan ceiling: TableClient.listEntities().byPage({ maxPageSize: 1000 }),
 *     counting only, alternated with
 *   - Lifeboat's full backup (runBackup, full: true): data and key files only, then again with
 *     the CSV copy a deployment writes by default (unless LIFEBOAT_CSV_BACKUPS=off) — K rounds,
 *     median of each;
 *   - an incremental backup after 1% of the entities changed (the changes are written untimed);
 *   - the raw SDK transaction ceiling: the load's upserts again, same concurrency, into a fresh
 *     table right before
 *   - a full restore to a new table (runRestore): write phase, sweep, verification;
 *   - with --files (after all of the above) or --files-only (instead of it), the container
 *     phase of bench/files.ts: raw download vs full container backup, then an incremental.
 * It prints a table to stdout, progress to stderr, and as the LAST stdout line:
 *   bench: entities=<N> backup_vs_scan=<x> backup_csv_vs_scan=<x> restore_vs_raw=<x> incremental_vs_full=<x> peak_rss_mb=<n>
 *          backup_cpu_us=<x> backup_csv_cpu_us=<x> incremental_cpu_us=<x> restore_cpu_us=<x>   (CPU of this process per entity)
 * Environment: LIFEBOAT_SCAN_CONCURRENCY (ranges read at once, default 4), LIFEBOAT_CSV_BACKUPS=off.
 * With --model it also prints the sizing model (bench/model.ts) from those CPU figures.
 * backup_vs_scan and restore_vs_raw are throughput ratios (higher is better; targets 0.95 and 0.9),
 * incremental_vs_full is a time ratio (lower is better), peak_rss_mb the peak RSS of this
 * process (which runs Lifeboat; Azurite is the child), sampled every 100 ms during the
 * Lifeboat phases. The container phase appends its own figures to that line (files_backup_vs_download=<x> ...;
 * with --files-only the line holds only those). Exits non-zero on any failure and always stops the child.
 */
import { randomBytes } from "node:crypto";
import { getHeapStatistics } from "node:v8";
import { runBackup, type BackupDeps } from "../src/app/backup/run-backup";
import type { ProgressEvent } from "../src/app/progress";
import { runRestore } from "../src/app/restore/run-restore";
import { loadConfig } from "../src/config";
import { createServices } from "../src/services";
import { startAzuriteChild, childDied, childRss, childCpuMicros, stopChild, killChildNow } from "./child";
import { ROWS_PER_PARTITION, BATCH, loadBatch, changeBatch, parallelTransactions, newTableClient, pickConcurrency, rawScan } from "./workload";
import { MemorySampler, progress, fmtRate, mb, type Row, renderTable } from "./report";
import { parse, REPEAT_UP_TO, type Args } from "./args";
import { filesBench } from "./files";
import { renderModel, type MeasuredCpu } from "./model";
import { CpuProfiler, RequestCounter, cpuBetween, cpuNote, median, phaseRunner, type CpuMark, type PhaseStats } from "./phases";

// ---------------------------------------------------------------------------
// The benchmark

async function bench(args: Args): Promise<void> {
  const N = args.entities;
  const mem = new MemorySampler();
  mem.start();
  const profiler = args.cpuProf ? new CpuProfiler(args.cpuProf) : undefined;
  const requests = new RequestCounter();
  requests.start();

  const phase = phaseRunner(mem, requests, profiler, childCpuMicros, progress);
  const txNote = (s: PhaseStats): string => `${s.requests.batch.toLocaleString("en-US")} transactions sent`;

  progress(`starting Azurite in a child process`);
  const cs = await startAzuriteChild();
  progress(`Azurite ready`);

  const suffix = randomBytes(4).toString("hex");
  const filesInput = { cs, suffix, phase, mem, repeat: args.repeat, concurrency: args.concurrency ?? 16, smallFiles: args.smallFiles, bigMiB: args.bigMiB };
  if (args.files === "only") {
    const f = await filesBench(filesInput);
    mem.stop();
    process.stdout.write(f.text);
    progress("stopping Azurite");
    await stopChild();
    process.stdout.write(`bench: ${f.machine}\n`);
    return;
  }
  const table = `bench${suffix}`;
  const client = newTableClient(cs, table);

  // --- Transaction concurrency: fixed, or the fastest of a small pre-trial.
  const trials: string[] = [];
  const C = args.concurrency ?? (await pickConcurrency(cs, N, suffix, trials));

  // --- 1. Load = raw transaction ceiling.
  await client.createTable();
  progress(`loading ${N} entities (~1 KB) with ${C} parallel 100-entity transactions`);
  const [loaded, load] = await phase("load", () => parallelTransactions(client, Math.ceil(N / BATCH), (b) => loadBatch(b, N), C, "load"), false);
  if (loaded !== N) throw new Error(`loaded ${loaded} entities, expected ${N}`);
  progress(`load: ${load.seconds.toFixed(2)} s, ${fmtRate(N / load.seconds)} entities/s (${cpuNote(load)})`);
  if (process.env["BENCH_LOAD_ONLY"] === "1") {
    // Tuning aid: measure only the raw transaction ceiling.
    process.stdout.write(`load-only: entities=${N} concurrency=${C} seconds=${load.seconds.toFixed(2)} rate=${Math.round(N / load.seconds)} ${cpuNote(load)}\n`);
    return;
  }

  // --- Lifeboat, wired exactly as the app wires it.
  const config = loadConfig({
    LIFEBOAT_SOURCE: cs,
    LIFEBOAT_BACKUP: cs,
    LIFEBOAT_TABLES: table,
    LIFEBOAT_BACKUP_CONTAINER: `bench-${suffix}`,
    LIFEBOAT_KEK: randomBytes(32).toString("base64"),
    LIFEBOAT_OVERLAP_SECONDS: String(args.overlapSeconds),
    ...(args.chunkEntities !== undefined ? { LIFEBOAT_CHUNK_ENTITIES: String(args.chunkEntities) } : {}),
    ...(args.restoreConcurrency !== undefined ? { LIFEBOAT_RESTORE_CONCURRENCY: String(args.restoreConcurrency) } : {}),
    // LIFEBOAT_SCAN_CONCURRENCY: the PartitionKey ranges the backup's scans, the sweep and the verification read at once (default 4).
    ...(process.env.LIFEBOAT_SCAN_CONCURRENCY ? { LIFEBOAT_SCAN_CONCURRENCY: process.env.LIFEBOAT_SCAN_CONCURRENCY } : {}),
    // The CSV copy a full backup writes from the same scan (on by default): LIFEBOAT_CSV_BACKUPS=off measures without it.
    ...(process.env.LIFEBOAT_CSV_BACKUPS ? { LIFEBOAT_CSV_BACKUPS: process.env.LIFEBOAT_CSV_BACKUPS } : {}),
  });
  const services = createServices(config);
  const events = new Map<string, ProgressEvent>();
  let restoreMark: Promise<CpuMark> | undefined;
  const deps: BackupDeps = {
    source: services.source,
    repo: services.repo,
    keys: services.keys,
    progress: (e) => {
      events.set(e.phase, e);
      if (e.phase === "restore") {
        // CPU of both processes as the write phase reports (the last report is its end).
        const mark = { at: Date.now(), cpu: process.cpuUsage(), child: undefined as number | undefined };
        restoreMark = childCpuMicros().then((child) => ({ ...mark, child }));
      }
      progress(`${e.phase}: ${e.entities} entities, ${(e.elapsedMs / 1000).toFixed(1)} s`);
    },
  };
  // As takeBackup asks, with one difference: each round takes the full backup twice, without the
  // CSV copy (the table backup itself: backup_vs_scan) and with it, as deployed by default
  // (backup_csv_vs_scan; skipped with LIFEBOAT_CSV_BACKUPS=off).
  const csvCopies = config.csvBackups !== "off";
  const backupReq = { tables: [table], overlapSeconds: config.overlapSeconds, chunkEntities: config.chunkEntities, scanConcurrency: config.scanConcurrency };

  // --- 2 + 3. Raw scan ceiling and full backup, alternated (--repeat K, median of each),
  // after one warm-up scan: Azurite's query path is then as warm for the ceiling as for Lifeboat.
  // (Skipped above 200k entities: one scan is then long enough to warm up by itself.)
  let warmScan: PhaseStats | undefined;
  if (N <= REPEAT_UP_TO) {
    progress(`raw scan (warm-up)`);
    const [warmN, st] = await phase("raw scan", () => rawScan(client), false);
    if (warmN !== N) throw new Error(`raw scan saw ${warmN} entities, expected ${N}`);
    warmScan = st;
  }
  // The table's first backup finds its ranges by probing the key space (a one-off); every
  // later one splits where the previous point's key files begin. Measured apart, before the rounds.
  events.clear();
  progress(`Lifeboat first full backup (no point yet: the key space is probed for ranges)`);
  const [first, firstSt] = await phase("first full backup", () => runBackup(deps, { ...backupReq, full: true }), true);
  if (first.status !== "committed" || first.entities !== N) throw new Error(`first full backup: ${first.status === "committed" ? `${first.entities} entities` : first.reason}`);
  progress(`first full backup: ${firstSt.seconds.toFixed(2)} s`);

  const scans: PhaseStats[] = [];
  const fulls: { st: PhaseStats; bytes: number; scanEvent: ProgressEvent | undefined }[] = [];
  const csvFulls: { st: PhaseStats; bytes: number; scanEvent: ProgressEvent | undefined }[] = [];
  for (let i = 0; i < args.repeat; i++) {
    const round = args.repeat > 1 ? ` ${i + 1}/${args.repeat}` : "";
    progress(`raw scan${round}`);
    const [n, st] = await phase("raw scan", () => rawScan(client), false);
    if (n !== N) throw new Error(`raw scan saw ${n} entities, expected ${N}`);
    scans.push(st);
    progress(`raw scan${round}: ${st.seconds.toFixed(2)} s, ${fmtRate(N / st.seconds)} entities/s`);
    events.clear();
    progress(`Lifeboat full backup${round} (chunk ${config.chunkEntities} entities)`);
    const [full, fullSt] = await phase("full backup", () => runBackup(deps, { ...backupReq, full: true }), true);
    if (full.status !== "committed") throw new Error(`full backup skipped: ${full.reason}`);
    if (full.entities !== N) throw new Error(`full backup holds ${full.entities} entities, expected ${N}`);
    fulls.push({ st: fullSt, bytes: full.bytes, scanEvent: events.get("full scan") });
    progress(`full backup${round}: ${fullSt.seconds.toFixed(2)} s, ${fmtRate(N / fullSt.seconds)} entities/s`);
    if (csvCopies) {
      events.clear();
      progress(`Lifeboat full backup with its CSV copy${round}`);
      const [withCsv, csvSt] = await phase("full backup + CSV copy", () => runBackup(deps, { ...backupReq, full: true, csvBackups: true }), true);
      if (withCsv.status !== "committed" || withCsv.entities !== N) throw new Error(`full backup with CSV copy: ${withCsv.status === "committed" ? `${withCsv.entities} entities` : withCsv.reason}`);
      csvFulls.push({ st: csvSt, bytes: withCsv.bytes, scanEvent: events.get("full scan") });
      progress(`full backup + CSV copy${round}: ${csvSt.seconds.toFixed(2)} s, ${fmtRate(N / csvSt.seconds)} entities/s`);
    }
  }
  const scan = median(scans, (s) => s.seconds);
  const rawScanRate = N / scan.seconds;
  const fullPick = median(fulls, (f) => f.st.seconds);
  const fullSt = fullPick.st;
  const fullScanEvent = fullPick.scanEvent;
  const csvSt = csvFulls.length > 0 ? median(csvFulls, (f) => f.st.seconds).st : undefined;
  const runsNote = (xs: PhaseStats[]): string => (xs.length > 1 ? `median of ${xs.map((x) => x.seconds.toFixed(2)).join("/")} s; ` : "");

  // --- 4. 1% changes (untimed), then the incremental.
  const partitions = Math.ceil(N / ROWS_PER_PARTITION);
  progress(`changing 1% of the entities (every 100th row) with raw transactions`);
  const [changed, changeSt] = await phase("changes", () => parallelTransactions(client, partitions, (p) => changeBatch(p, N), C, "changes"), false);
  events.clear();
  progress(`Lifeboat incremental backup`);
  const [inc, incSt] = await phase("incremental backup", () => runBackup(deps, backupReq), true);
  if (inc.status !== "committed") throw new Error(`incremental backup skipped: ${inc.reason}`);
  if (inc.kind !== "incremental") throw new Error(`expected an incremental backup, got ${inc.kind}`);
  if (inc.entities < changed) throw new Error(`incremental holds ${inc.entities} entities, fewer than the ${changed} changed`);
  const changesEvent = events.get("changes");
  const keyScanEvent = events.get("key scan");

  /** The load's upserts again, same concurrency, into a scratch table that is dropped afterwards. */
  const rawTxCeiling = async (name: string, scratchName: string, when: string): Promise<PhaseStats> => {
    const scratch = newTableClient(cs, scratchName);
    await scratch.createTable();
    progress(`${name}: ${N} entities into a scratch table, ${when}`);
    const [n, st] = await phase(name, () => parallelTransactions(scratch, Math.ceil(N / BATCH), (b) => loadBatch(b, N), C, "ceiling"), false);
    if (n !== N) throw new Error(`the ceiling run wrote ${n} entities, expected ${N}`);
    progress(`${name}: ${st.seconds.toFixed(2)} s, ${fmtRate(N / st.seconds)} entities/s`);
    await scratch.deleteTable();
    return st;
  };

  // --- Raw transaction ceiling, right before the restore: the load's upserts again, same
  // concurrency, into a fresh scratch table (dropped afterwards). Measured here rather than
  // taken from the load because Azurite gets slower as it holds more (the load starts empty;
  // at 100k it was ~15-25% faster than the same writes later), so this is Azurite in the
  // state the restore meets.
  const txCeiling = await rawTxCeiling("raw transactions (ceiling)", `benchtx${suffix}`, "right before the restore");
  const rawTxRate = N / txCeiling.seconds;

  // --- 5. Full restore of the latest point (incremental + its full) into a new table.
  events.clear();
  const prefix = "r";
  progress(`Lifeboat restore into ${prefix}${table} (concurrency ${config.restoreConcurrency})`);
  const [restored, restoreSt] = await phase(
    "restore",
    () => runRestore(deps, { tables: [table], target: { kind: "prefix", prefix }, concurrency: config.restoreConcurrency, scanConcurrency: config.scanConcurrency }),
    true,
  );
  const rt = restored.tables[0];
  if (!rt || rt.entities !== N || rt.written !== N) {
    throw new Error(`restore wrote ${rt?.written} / verified ${rt?.entities} entities, expected ${N}`);
  }
  // The same ceiling again right after: Azurite slows as it holds more, so the two bracket
  // the state the restore wrote in. Reported, not used in the ratio.
  const txAfter = await rawTxCeiling("raw transactions (after)", `benchtx2${suffix}`, "right after the restore");
  const writeEvent = events.get("restore");
  const verifyEvent = events.get("verify");
  const writeSec = writeEvent ? writeEvent.elapsedMs / 1000 : restoreSt.seconds;
  const writeCpu = restoreMark ? cpuBetween(restoreSt.start, await restoreMark) : undefined;
  const verifySec = verifyEvent ? verifyEvent.elapsedMs / 1000 : undefined;
  const sweepEtcSec = verifySec !== undefined ? restoreSt.seconds - writeSec - verifySec : undefined;

  const azurite = await childRss();
  const maxRssKb = process.resourceUsage().maxRSS; // before the container phase (--files), which runs last
  const files = args.files === "also" ? await filesBench(filesInput) : undefined;
  mem.stop();

  // --- Results.
  const backupVsScan = N / fullSt.seconds / rawScanRate;
  const backupCsvVsScan = csvSt ? N / csvSt.seconds / rawScanRate : undefined;
  const restoreVsRaw = N / writeSec / rawTxRate;
  const restoreE2eVsRaw = N / restoreSt.seconds / rawTxRate;
  const incVsFull = incSt.seconds / fullSt.seconds;
  // CPU of this process per entity: what decides throughput on Azure, where the service is not the limit.
  const cpuUs = (st: Pick<PhaseStats, "lifeboatCpu" | "seconds">): number => (st.lifeboatCpu * st.seconds * 1e6) / N;
  // The sizing model takes the full backup as deployed by default: with its CSV copy when measured.
  const cpu: MeasuredCpu = { backupUs: cpuUs(csvSt ?? fullSt), incrementalUs: cpuUs(incSt), restoreUs: cpuUs(restoreSt) };
  const tableBackupUs = cpuUs(fullSt);
  const lifeboatPhases = ["first full backup", "full backup", "full backup + CSV copy", "incremental backup", "restore"];
  const lifeboat = mem.peakOver(lifeboatPhases);
  const phasePeak = (p: string): string => {
    const pk = mem.peaks.get(p);
    if (!pk) return "";
    const live = pk.liveAfterGc > 0 ? `live after GC ${mb(pk.liveAfterGc).toFixed(0)} MB` : "no major GC";
    return `rss ${mb(pk.rss).toFixed(0)} MB, heap ${mb(pk.heapUsed).toFixed(0)} MB, ${live}`;
  };
  const x = (v: number): string => `${v.toFixed(2)}x`;

  const rows: Row[] = [
    {
      phase: "raw transactions (load)",
      seconds: load.seconds,
      entities: N,
      ratio: "",
      note: `${C} parallel 100-entity upserts into an empty Azurite, for reference (see the ceiling below)${trials.length ? ` (pre-trial ${trials.join(" ")})` : ""}; ${cpuNote(load)}`,
    },
    { phase: "raw scan (listEntities)", seconds: scan.seconds, entities: N, ratio: "1.00x", note: `ceiling: byPage 1000, just before the backup${warmScan ? ` (warm-up scan ${warmScan.seconds.toFixed(2)} s)` : ""}; ${runsNote(scans)}${cpuNote(scan)}` },
    { phase: "first full backup", seconds: firstSt.seconds, entities: N, ratio: x(N / firstSt.seconds / rawScanRate), note: `the table's first: ranges found by probing the key space (later ones split where the last point's key files begin); ${cpuNote(firstSt)}` },
    { phase: "full backup", seconds: fullSt.seconds, entities: N, ratio: x(backupVsScan), note: `vs raw scan (target >= 0.95); data and key files, no CSV copy; ${runsNote(fulls.map((f) => f.st))}${fullPick.bytes.toLocaleString("en-US")} bytes; ${cpuNote(fullSt)}; ${phasePeak("full backup")}` },
    ...(fullScanEvent ? [{ phase: "  of which scan+write", seconds: fullScanEvent.elapsedMs / 1000, entities: fullScanEvent.entities, ratio: "", note: "until the last page was handed to the writers" }] : []),
    ...(csvSt && backupCsvVsScan !== undefined
      ? [{ phase: "full backup + CSV copy", seconds: csvSt.seconds, entities: N, ratio: x(backupCsvVsScan), note: `vs raw scan; as deployed by default (LIFEBOAT_CSV_BACKUPS=full); ${runsNote(csvFulls.map((f) => f.st))}${cpuNote(csvSt)}; ${phasePeak("full backup + CSV copy")}` }]
      : []),
    { phase: "1% changes (raw, untimed)", seconds: changeSt.seconds, entities: changed, ratio: "", note: "every 100th row, one transaction per partition; not in any ratio" },
    { phase: "incremental backup", seconds: incSt.seconds, entities: N, ratio: x(incVsFull), note: `time vs full backup (smaller is better; entities/s over the whole table); ${inc.entities} changed entities stored; ${cpuNote(incSt)}; ${phasePeak("incremental backup")}` },
    ...(changesEvent ? [{ phase: "  of which changes scan", seconds: changesEvent.elapsedMs / 1000, entities: changesEvent.entities, ratio: "", note: "filter Timestamp ge watermark" }] : []),
    ...(keyScanEvent ? [{ phase: "  of which key scan", seconds: keyScanEvent.elapsedMs / 1000, entities: keyScanEvent.entities, ratio: "", note: "keys only, for tombstones" }] : []),
    { phase: "raw transactions (ceiling)", seconds: txCeiling.seconds, entities: N, ratio: "1.00x", note: `ceiling: the same upserts, same concurrency, into a fresh table right before the restore; ${cpuNote(txCeiling)}; ${txNote(txCeiling)}` },
    { phase: "restore: write phase", seconds: writeSec, entities: N, ratio: x(restoreVsRaw), note: `vs raw transactions (target >= 0.85); concurrency ${config.restoreConcurrency}${writeCpu ? `; ${cpuNote(writeCpu)}` : ""}` },
    { phase: "raw transactions (after)", seconds: txAfter.seconds, entities: N, ratio: x(N / writeSec / (N / txAfter.seconds)), note: `the ceiling again, right after the restore (restore write phase vs this); ${cpuNote(txAfter)}; ${txNote(txAfter)}` },
    ...(sweepEtcSec !== undefined ? [{ phase: "restore: plan+sweep", seconds: sweepEtcSec, entities: undefined, ratio: "", note: "manifests; the keys-only sweep of the target is skipped for a table the restore created" }] : []),
    ...(verifySec !== undefined ? [{ phase: "restore: verify", seconds: verifySec, entities: N, ratio: "", note: "full scan of the target + digest" }] : []),
    { phase: "restore: end to end", seconds: restoreSt.seconds, entities: N, ratio: x(restoreE2eVsRaw), note: `vs raw transactions, incl. sweep and verify; ${cpuNote(restoreSt)}; ${txNote(restoreSt)} (${restoreSt.requests.other.toLocaleString("en-US")} other requests); ${phasePeak("restore")}` },
  ];

  const out: string[] = [];
  out.push("");
  out.push(`Lifeboat bench: ${N.toLocaleString("en-US")} entities of ~1 KB, Azurite ${azurite ? `(child, rss ${mb(azurite.rss).toFixed(0)} MB at end)` : "(child)"}, Node ${process.version}, ` +
      `heap limit ${mb(getHeapStatistics().heap_size_limit).toFixed(0)} MB (${process.execArgv.join(" ") || "no node flags"})`,
  );
  out.push(`settings: chunk ${config.chunkEntities} entities, restore concurrency ${config.restoreConcurrency}, scan concurrency ${config.scanConcurrency}, CSV copies ${csvCopies ? "measured apart" : "off"}, overlap ${config.overlapSeconds} s (nothing writes during the bench; the default 300 s would re-read everything loaded in the 5 min before the full backup)`);
  out.push("");
  out.push(renderTable(rows));
  out.push("");
  const at = lifeboat.atRssPeak;
  out.push(
    `peak RSS (Lifeboat phases, sampled every 100 ms): ${mb(lifeboat.rss).toFixed(0)} MB in ${lifeboat.phase ?? "?"} (target < 256 MB at 1M entities); peak heapUsed ${mb(lifeboat.heapUsed).toFixed(0)} MB; largest heap right after a major GC (≈ live) ${mb(lifeboat.liveAfterGc).toFixed(0)} MB` +
      (at ? `; at the RSS peak: heapTotal ${mb(at.heapTotal).toFixed(0)} MB, heapUsed ${mb(at.heapUsed).toFixed(0)} MB, external ${mb(at.external).toFixed(0)} MB (arrayBuffers ${mb(at.arrayBuffers).toFixed(0)} MB)` : ""),
  );
  out.push(`peak RSS (load phase, for reference): ${phasePeak("load")}; whole-process max RSS (kernel): ${(maxRssKb / 1024).toFixed(0)} MB`);
  out.push(`restore_vs_raw compares the restore's write phase (files read, decoded, written; up to its last transaction) with the raw transaction ceiling (the same upserts, same concurrency, into a fresh table); end to end it is ${restoreE2eVsRaw.toFixed(2)}x`);
  out.push(`cpu: per wall second, 100% = one core (2-core machine); a phase with azurite near 100% is bound by Azurite, not by Lifeboat`);
  out.push(`cpu per entity (this process, one core): full backup ${tableBackupUs.toFixed(1)} µs${csvSt ? ` (${cpu.backupUs.toFixed(1)} µs with the CSV copy)` : ""}, incremental ${cpu.incrementalUs.toFixed(1)} µs (per entity of the table), restore end to end ${cpu.restoreUs.toFixed(1)} µs`);
  out.push("");
  if (args.model) out.push(renderModel(cpu, 15, 120, { scanConcurrency: config.scanConcurrency }));
  process.stdout.write(out.join("\n") + "\n" + (files?.text ?? ""));

  progress("stopping Azurite");
  await stopChild();

  // The machine-readable line, last.
  process.stdout.write(
    `bench: entities=${N} backup_vs_scan=${backupVsScan.toFixed(2)}${backupCsvVsScan !== undefined ? ` backup_csv_vs_scan=${backupCsvVsScan.toFixed(2)}` : ""} restore_vs_raw=${restoreVsRaw.toFixed(2)} ` +
      `incremental_vs_full=${incVsFull.toFixed(2)} peak_rss_mb=${Math.round(mb(lifeboat.rss))} ` +
      `backup_cpu_us=${tableBackupUs.toFixed(1)}${csvSt ? ` backup_csv_cpu_us=${cpu.backupUs.toFixed(1)}` : ""} incremental_cpu_us=${cpu.incrementalUs.toFixed(1)} restore_cpu_us=${cpu.restoreUs.toFixed(1)}${files ? ` ${files.machine}` : ""}\n`,
  );
}

// ---------------------------------------------------------------------------

process.on("exit", killChildNow);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    progress(`${sig}: stopping`);
    killChildNow();
    process.exit(sig === "SIGINT" ? 130 : 143);
  });
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    await bench(args);
    return 0;
  } catch (err) {
    const e = childDied ?? err;
    process.stderr.write(`bench: FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    if (childDied && err !== childDied) process.stderr.write(`(while: ${err instanceof Error ? err.message : String(err)})\n`);
    return 1;
  } finally {
    await stopChild().catch(() => killChildNow());
  }
}

void main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: FAILED: ${String(err)}\n`);
    killChildNow();
    process.exit(1);
  },
);
