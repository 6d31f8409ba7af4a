/**
 * The container phase of the benchmark (`npm run bench -- --files`, or `--files-only`).
 *
 * In the bench's Azurite, creates a container of N small files (1-8 KiB of prose-like text,
 * deterministic per file) plus one large file (256 MiB by default, staged in 8 MiB blocks,
 * each block an AES-256-CTR keystream: deterministic, incompressible, no two 4 MiB
 * content blocks alike, so content addressing cannot store any of it once for two).
 * Then, --repeat K rounds (medians reported) of
 *   - the raw SDK ceiling: listBlobsFlat + download of every blob, streamed, bytes
 *     discarded: with C downloads at a time (for reference) and one at a time, as Lifeboat
 *     reads (the ratio's ceiling);
 *   - Lifeboat's full container backup (runBackup, full: true, tables: []) into a fresh
 *     repository (a repository that already holds the blocks would skip writing them).
 *     Nothing is deleted between rounds, so Azurite holds about 2 x the data per round;
 * then 1% of the small files change (untimed) and an incremental is taken: it should read
 * exactly the changed files' bytes.
 * For reference, also a raw copy (download + upload of the same bytes in 4 MiB blocks).
 * Lifeboat's source is wrapped to see which file it reads when (the split between small
 * files and the large one) and how long it waits on the source's download stream.
 */
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { performance } from "node:perf_hooks";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { runBackup, type BackupDeps } from "../src/app/backup/run-backup";
import { BLOCK_BYTES, rechunk } from "../src/app/containers/content-store";
import type { BlobSource } from "../src/app/ports/BlobSource";
import { loadConfig } from "../src/config";
import { createServices } from "../src/services";
import { cpuNote, median, type PhaseStats, type RunPhase } from "./phases";
import { mb, progress, renderGrid, type MemorySampler } from "./report";
import { mulberry32, pad, TEXT_POOL } from "./workload";

const MiB = 1024 * 1024;
/** Block size of the large file's upload: the bench holds one block at a time. */
const STAGE_BYTES = 8 * MiB;
/** Sorts after every small file: in listing order (= Lifeboat's read order) it comes last. */
const BIG_NAME = "zz-big.bin";
const smallName = (i: number): string => `small/f${pad(i, 6)}.txt`;

export interface FilesInput {
  cs: string;
  suffix: string;
  phase: RunPhase;
  mem: MemorySampler;
  /** Rounds of (downloads, full backup); the ratio uses the medians. */
  repeat: number;
  /** Downloads at a time of the parallel raw download (and of the upload). */
  concurrency: number;
  smallFiles: number;
  bigMiB: number;
}

export interface FilesOutput {
  /** Human-readable lines for stdout. */
  text: string;
  /** key=value pairs for the machine-readable last line. */
  machine: string;
}

// ---------------------------------------------------------------------------
// Content

/** Small file i at a version: 1-8 KiB of prose-like ASCII, deterministic. */
export function smallFile(i: number, version: number): Buffer {
  const rnd = mulberry32(Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(version + 7, 0x85ebca6b));
  const size = 1024 + Math.floor(rnd() * (7 * 1024 + 1));
  let text = `# bench file ${i} version ${version}\n`;
  while (text.length < size) {
    const off = Math.floor(rnd() * (TEXT_POOL.length - 512));
    text += TEXT_POOL.slice(off, off + 512) + "\n";
  }
  return Buffer.from(text.slice(0, size), "latin1");
}

const BIG_KEY = createHash("sha256").update("lifeboat bench: the large file").digest();

/** Upload block k of the large file: an AES-256-CTR keystream (a fast deterministic PRNG), its counter range its own. */
function bigBlock(k: number, bytes: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(k, 0);
  return createCipheriv("aes-256-ctr", BIG_KEY, iv).update(Buffer.alloc(bytes));
}

async function pool(count: number, concurrency: number, fn: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < count) {
      try {
        await fn(next++);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function upload(cc: ContainerClient, n: number, bigMiB: number, concurrency: number): Promise<{ smallBytes: number; bigBytes: number }> {
  let smallBytes = 0;
  await pool(n, concurrency, async (i) => {
    const b = smallFile(i, 0);
    smallBytes += b.length;
    await cc.getBlockBlobClient(smallName(i)).upload(b, b.length, { blobHTTPHeaders: { blobContentType: "text/plain" } });
  });
  progress(`files: ${n} small files uploaded (${(smallBytes / 1024).toFixed(0)} KiB); staging the ${bigMiB} MiB file`);
  let bigBytes = 0;
  if (bigMiB > 0) {
    const big = cc.getBlockBlobClient(BIG_NAME);
    const ids: string[] = [];
    for (let k = 0, left = bigMiB * MiB; left > 0; k++) {
      const len = Math.min(STAGE_BYTES, left);
      const id = Buffer.from(`block-${pad(k, 6)}`).toString("base64");
      await big.stageBlock(id, bigBlock(k, len), len);
      ids.push(id);
      left -= len;
      bigBytes += len;
    }
    await big.commitBlockList(ids);
  }
  return { smallBytes, bigBytes };
}

// ---------------------------------------------------------------------------
// The raw ceiling

interface Download {
  files: number;
  bytes: number;
  /** When the large file's download started (ms since the epoch). */
  bigAt: number | undefined;
}

/** Lists the container and downloads every blob, `concurrency` at a time, streaming and discarding the bytes. */
async function rawDownload(cc: ContainerClient, concurrency: number): Promise<Download> {
  const it = cc.listBlobsFlat()[Symbol.asyncIterator]();
  const out: Download = { files: 0, bytes: 0, bigAt: undefined };
  const worker = async (): Promise<void> => {
    for (let r = await it.next(); !r.done; r = await it.next()) {
      if (r.value.name === BIG_NAME) out.bigAt = Date.now();
      const body = (await cc.getBlobClient(r.value.name).download()).readableStreamBody;
      if (body) for await (const chunk of body as AsyncIterable<Buffer>) out.bytes += chunk.length;
      out.files++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/**
 * A reference, not the ceiling: the sequential download again, each blob cut into 4 MiB
 * blocks (as Lifeboat stores it) and each block uploaded to `target` as its own blob: the
 * repository writes a backup cannot avoid, without Lifeboat's hashing, encryption and
 * exists checks.
 */
async function rawCopy(cc: ContainerClient, target: ContainerClient): Promise<Download> {
  const out: Download = { files: 0, bytes: 0, bigAt: undefined };
  for await (const b of cc.listBlobsFlat()) {
    if (b.name === BIG_NAME) out.bigAt = Date.now();
    const body = (await cc.getBlobClient(b.name).download()).readableStreamBody;
    let k = 0;
    if (body) {
      for await (const block of rechunk(body as AsyncIterable<Buffer>, BLOCK_BYTES)) {
        await target.getBlockBlobClient(`${b.name}/${k++}`).upload(block, block.length);
        out.bytes += block.length;
      }
    }
    out.files++;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Lifeboat, wired as the app wires it, with its source watched

interface Watch {
  /** When the large file's read started. */
  bigAt: number | undefined;
  /** Time spent waiting on the source's download streams (ms). */
  readWaitMs: number;
  /** The repository's calls that return a promise, by method: how many, and their time (ms). */
  repo: Map<string, { calls: number; ms: number }>;
}

const newWatch = (): Watch => ({ bigAt: undefined, readWaitMs: 0, repo: new Map() });

/** The repository with the time of each promise-returning call added to `w.repo` (Lifeboat's calls are sequential: the times add up). */
function timedRepo<T extends object>(inner: T, w: Watch): T {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const t = performance.now();
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(out instanceof Promise)) return out;
        const done = (): void => {
          const m = w.repo.get(String(prop)) ?? { calls: 0, ms: 0 };
          m.calls++;
          m.ms += performance.now() - t;
          w.repo.set(String(prop), m);
        };
        return out.finally(done);
      };
    },
  });
}

/** "1,064 exists 0.91 s, 1,071 put 4.10 s" */
const repoNote = (w: Watch): string =>
  [...w.repo].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => `${v.calls.toLocaleString("en-US")} ${k} ${(v.ms / 1000).toFixed(2)} s`).join(", ");

function watched(inner: BlobSource, w: Watch): BlobSource {
  async function* timed(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const it = src[Symbol.asyncIterator]();
    try {
      for (;;) {
        const t = performance.now();
        const r = await it.next();
        w.readWaitMs += performance.now() - t;
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return {
    description: inner.description,
    containerExists: (c) => inner.containerExists(c),
    createContainer: (c) => inner.createContainer(c),
    deleteContainer: (c) => inner.deleteContainer(c),
    list: (c) => inner.list(c),
    properties: (c, p) => inner.properties(c, p),
    read: (c, p, etag) => {
      if (p === BIG_NAME) w.bigAt = Date.now();
      return timed(inner.read(c, p, etag));
    },
    write: (c, p, blocks, props) => inner.write(c, p, blocks, props),
    delete: (c, p) => inner.delete(c, p),
  };
}

function lifeboat(cs: string, container: string, repoContainer: string, w: Watch): { deps: BackupDeps; chunkEntities: number } {
  const config = loadConfig({
    LIFEBOAT_SOURCE: cs,
    LIFEBOAT_BACKUP: cs,
    LIFEBOAT_BACKUP_CONTAINER: repoContainer,
    LIFEBOAT_TABLES: "*", // required; unused: the requests name no table (tables: [])
    LIFEBOAT_CONTAINERS: container,
    LIFEBOAT_KEK: randomBytes(32).toString("base64"),
    LIFEBOAT_OVERLAP_SECONDS: "0",
  });
  const s = createServices(config);
  if (!s.blobs) throw new Error("createServices gave no blob source for the Azurite connection string");
  const deps: BackupDeps = {
    source: s.source,
    blobs: watched(s.blobs, w),
    repo: timedRepo(s.repo, w),
    keys: s.keys,
    progress: (e) => progress(`${e.phase}: ${e.entities} ${e.unit ?? "entities"}, ${mb(e.bytes).toFixed(1)} MiB, ${(e.elapsedMs / 1000).toFixed(1)} s`),
  };
  return { deps, chunkEntities: config.chunkEntities };
}

// ---------------------------------------------------------------------------
// HTTP requests by method (HEAD = exists, PUT = upload/stage/commit, GET = download/list)

class Methods {
  readonly counts = new Map<string, number>();
  readonly #on = (m: unknown): void => {
    const method = (m as { request?: { method?: string } }).request?.method ?? "?";
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
  };
  /** New TCP connections (a request that cannot reuse a kept-alive socket opens one). */
  readonly #onSocket = (): void => {
    this.counts.set("new connections", (this.counts.get("new connections") ?? 0) + 1);
  };
  start(): void {
    subscribe("http.client.request.start", this.#on);
    subscribe("net.client.socket", this.#onSocket);
  }
  stop(): void {
    unsubscribe("http.client.request.start", this.#on);
    unsubscribe("net.client.socket", this.#onSocket);
  }
  /** Runs fn and says which requests it sent: "1,001 GET, 1,064 HEAD, 1,064 PUT". */
  async during<T>(fn: () => Promise<T>): Promise<T & { requests: string }> {
    const before = new Map(this.counts);
    const value = await fn();
    const parts = [...this.counts].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, v]) => v > 0).sort();
    return Object.assign(value as object, { requests: parts.map(([k, v]) => `${v.toLocaleString("en-US")} ${k}`).join(", ") || "none" }) as T & { requests: string };
  }
}

// ---------------------------------------------------------------------------
// The phase

export async function filesBench(input: FilesInput): Promise<FilesOutput> {
  const { cs, suffix, phase, mem, smallFiles: n } = input;
  const container = `benchfiles${suffix}`;
  const service = BlobServiceClient.fromConnectionString(cs, { retryOptions: { maxTries: 9, retryDelayInMs: 250, maxRetryDelayInMs: 30_000 } });
  const cc = service.getContainerClient(container);
  const methods = new Methods();
  methods.start();
  try {
    await cc.create();
    progress(`files: uploading ${n} small files (1-8 KiB, ${input.concurrency} at a time) and one ${input.bigMiB} MiB file (8 MiB staged blocks) to ${container}`);
    const [up, upSt] = await phase("files: upload", () => upload(cc, n, input.bigMiB, input.concurrency), false);
    const total = n + (input.bigMiB > 0 ? 1 : 0);
    const totalBytes = up.smallBytes + up.bigBytes;
    const check = (what: string, files: number, bytes: number): void => {
      if (files !== total || bytes !== totalBytes) throw new Error(`${what}: ${files} files / ${bytes} bytes, expected ${total} / ${totalBytes}`);
    };

    type Round = { par: PhaseStats; seq: PhaseStats & { bigAt: number | undefined }; copy: PhaseStats & { bigAt: number | undefined; methods: string }; full: PhaseStats & { watch: Watch; written: number; methods: string }; seqRequests: string };
    const rounds: Round[] = [];
    let last: { deps: BackupDeps; chunkEntities: number } | undefined;
    for (let i = 0; i < input.repeat; i++) {
      const round = input.repeat > 1 ? ` ${i + 1}/${input.repeat}` : "";
      const [par, parSt] = await phase("files: raw download (parallel)", () => rawDownload(cc, input.concurrency), false);
      check("parallel download", par.files, par.bytes);
      const [seq, seqSt] = await phase("files: raw download (sequential)", () => methods.during(() => rawDownload(cc, 1)), false);
      check("sequential download", seq.files, seq.bytes);
      // Nothing is deleted between rounds (Azurite would reclaim the space while a later phase is timed).
      const copyTarget = service.getContainerClient(`benchcopy${suffix}x${i}`);
      await copyTarget.create();
      const [copied, copySt] = await phase("files: raw copy (sequential)", () => methods.during(() => rawCopy(cc, copyTarget)), false);
      check("raw copy", copied.files, copied.bytes);
      progress(`files: raw download${round}: parallel ${parSt.seconds.toFixed(2)} s, sequential ${seqSt.seconds.toFixed(2)} s (${(mb(totalBytes) / seqSt.seconds).toFixed(0)} MiB/s); raw copy ${copySt.seconds.toFixed(2)} s`);
      const w = newWatch();
      const lb = lifeboat(cs, container, `benchfiles-${suffix}-${i}`, w);
      progress(`files: Lifeboat full container backup${round}`);
      const [full, fullSt] = await phase(
        "files: full backup",
        () => methods.during(() => runBackup(lb.deps, { tables: [], containers: [container], full: true, overlapSeconds: 0, chunkEntities: lb.chunkEntities })),
        true,
      );
      if (full.status !== "committed") throw new Error(`full container backup skipped: ${full.reason}`);
      const c = full.containers[0];
      if (!c || c.skipped.length > 0) throw new Error(`full container backup: ${c ? `skipped ${JSON.stringify(c.skipped)}` : "no container in the result"}`);
      check("full container backup (files read)", c.read, c.readBytes);
      progress(`files: full backup${round}: ${fullSt.seconds.toFixed(2)} s (${(mb(totalBytes) / fullSt.seconds).toFixed(0)} MiB/s), ${(full.bytes / MiB).toFixed(1)} MiB written`);
      rounds.push({ par: parSt, seq: { ...seqSt, bigAt: seq.bigAt }, copy: { ...copySt, bigAt: copied.bigAt, methods: copied.requests }, seqRequests: seq.requests, full: { ...fullSt, watch: w, written: full.bytes, methods: full.requests } });
      last = lb;
    }
    if (!last) throw new Error("--repeat must be at least 1");

    // --- 1% of the small files change (every 100th), untimed; then the incremental.
    const changedIdx: number[] = [];
    for (let i = 0; i < n; i += 100) changedIdx.push(i);
    const [changedBytes, changeSt] = await phase(
      "files: changes",
      async () => {
        let bytes = 0;
        for (const i of changedIdx) {
          const b = smallFile(i, 1);
          bytes += b.length;
          await cc.getBlockBlobClient(smallName(i)).upload(b, b.length, { blobHTTPHeaders: { blobContentType: "text/plain" } });
        }
        return bytes;
      },
      false,
    );
    progress(`files: ${changedIdx.length} small files changed (${changedBytes} bytes); Lifeboat incremental`);
    const lb = last;
    const [inc, incSt] = await phase(
      "files: incremental",
      () => methods.during(() => runBackup(lb.deps, { tables: [], containers: [container], overlapSeconds: 0, chunkEntities: lb.chunkEntities })),
      true,
    );
    if (inc.status !== "committed") throw new Error(`incremental container backup skipped: ${inc.reason}`);
    if (inc.kind !== "incremental") throw new Error(`expected an incremental, got ${inc.kind}`);
    const ic = inc.containers[0];
    if (!ic) throw new Error("incremental: no container in the result");
    if (ic.files !== total) throw new Error(`incremental indexes ${ic.files} files, expected ${total}`);

    // --- Results.
    const seq = median(rounds, (r) => r.seq.seconds);
    const par = median(rounds, (r) => r.par.seconds);
    const copy = median(rounds, (r) => r.copy.seconds);
    const full = median(rounds, (r) => r.full.seconds);
    const vsSeq = seq.seq.seconds / full.full.seconds;
    const vsPar = par.par.seconds / full.full.seconds;
    const incRatio = changedBytes > 0 ? ic.readBytes / changedBytes : NaN;
    const lbPeak = mem.peakOver(["files: full backup", "files: incremental"]);
    const allPeak = mem.peakOver(["files: upload", "files: raw download (parallel)", "files: raw download (sequential)", "files: raw copy (sequential)", "files: full backup", "files: changes", "files: incremental"]);
    const runs = (xs: number[]): string => (xs.length > 1 ? `median of ${xs.map((x) => x.toFixed(2)).join("/")} s; ` : "");
    const peakNote = (name: string): string => {
      const p = mem.peaks.get(name);
      return p ? `rss ${mb(p.rss).toFixed(0)} MB, heap ${mb(p.heapUsed).toFixed(0)} MB` : "";
    };
    const smallMiB = mb(up.smallBytes);
    const bigMiB = mb(up.bigBytes);
    /** The split of a sequential pass at the moment the large file's read started (it is read last). */
    const split = (st: PhaseStats, bigAt: number | undefined): [number, number] | undefined => (bigAt === undefined ? undefined : [(bigAt - st.start.at) / 1000, st.seconds - (bigAt - st.start.at) / 1000]);
    const seqSplit = split(seq.seq, seq.seq.bigAt);
    const fullSplit = split(full.full, full.full.watch.bigAt);
    const copySplit = split(copy.copy, copy.copy.bigAt);
    const row = (phase: string, sec: number | undefined, files: number | undefined, mib: number | undefined, ratio: string, note: string): string[] => [
      phase,
      sec === undefined ? "" : sec.toFixed(2),
      files === undefined ? "" : files.toLocaleString("en-US"),
      mib === undefined ? "" : mib.toFixed(1),
      sec === undefined || mib === undefined || sec <= 0 ? "" : (mib / sec).toFixed(1),
      ratio,
      note,
    ];
    const x = (v: number): string => `${v.toFixed(2)}x`;
    const repoMs = (w: Watch): number => [...w.repo.values()].reduce((t, m) => t + m.ms, 0);
    const big = `the ${input.bigMiB} MiB file`;
    const cells: string[][] = [
      row("files: upload (setup)", upSt.seconds, total, mb(totalBytes), "", `${n} small files ${input.concurrency} at a time + ${big} in 8 MiB staged blocks; not in any ratio; ${peakNote("files: upload")}`),
      row(`files: raw download (${input.concurrency} at a time)`, par.par.seconds, total, mb(totalBytes), "", `for reference: list + download, ${input.concurrency} at a time; ${runs(rounds.map((r) => r.par.seconds))}${cpuNote(par.par)}`),
      row("files: raw download (sequential)", seq.seq.seconds, total, mb(totalBytes), "1.00x", `ceiling: list + download one at a time, as Lifeboat reads; ${runs(rounds.map((r) => r.seq.seconds))}${cpuNote(seq.seq)}; ${seq.seqRequests}`),
      ...(seqSplit ? [row(`  of which ${n} small files`, seqSplit[0], n, smallMiB, "", "list + small files, until the large file's download started"), row(`  of which ${big}`, seqSplit[1], 1, bigMiB, "", "")] : []),
      row("files: raw copy (sequential)", copy.copy.seconds, total, mb(totalBytes), "", `reference, not the ceiling: the sequential download, each blob cut into 4 MiB blocks and each block uploaded as a blob (the writes a backup cannot avoid, no hashing/encryption/exists); ${runs(rounds.map((r) => r.copy.seconds))}${cpuNote(copy.copy)}; ${copy.copy.methods}`),
      ...(copySplit ? [row(`  of which ${n} small files`, copySplit[0], n, smallMiB, "", ""), row(`  of which ${big}`, copySplit[1], 1, bigMiB, "", "")] : []),
      row("files: full backup", full.full.seconds, total, mb(totalBytes), x(vsSeq), `vs the sequential download (target >= 0.80; ${x(vsPar)} vs the parallel one, ${x(copy.copy.seconds / full.full.seconds)} vs the raw copy); ${runs(rounds.map((r) => r.full.seconds))}${(full.full.written / MiB).toFixed(1)} MiB written; ${cpuNote(full.full)}; ${full.full.methods}; ${peakNote("files: full backup")}`),
      ...(fullSplit && seqSplit
        ? [
            row(`  of which ${n} small files`, fullSplit[0], n, smallMiB, x(seqSplit[0] / fullSplit[0]), "lock, manifests, list + small files, until the large file's read started; vs the same part of the download"),
            row(`  of which ${big}`, fullSplit[1], 1, bigMiB, x(seqSplit[1] / fullSplit[1]), "from its read to the commit (index + manifest); vs the same part of the download"),
          ]
        : []),
      row("  waiting on source reads", full.full.watch.readWaitMs / 1000, total, mb(totalBytes), "", "time Lifeboat spent waiting for the download streams' next piece"),
      row("  waiting on the repository", repoMs(full.full.watch) / 1000, undefined, undefined, "", repoNote(full.full.watch)),
      row("  the rest", full.full.seconds - full.full.watch.readWaitMs / 1000 - repoMs(full.full.watch) / 1000, undefined, undefined, "", "this process's own work between the waits: SHA-256 + HMAC + AES of each block, rechunking, listing, index"),
      row("files: 1% changes (untimed)", changeSt.seconds, changedIdx.length, mb(changedBytes), "", `every 100th small file rewritten (new content and size): ${changedBytes.toLocaleString("en-US")} bytes`),
      row("files: incremental", incSt.seconds, ic.read, mb(ic.readBytes), Number.isFinite(incRatio) ? x(incRatio) : "", `read ${ic.readBytes.toLocaleString("en-US")} bytes in ${ic.read} files vs ${changedBytes.toLocaleString("en-US")} bytes changed (target 1.00x); ${ic.files} files indexed; ${x(incSt.seconds / full.full.seconds)} the full's time; ${cpuNote(incSt)}; ${inc.requests}; ${peakNote("files: incremental")}`),
    ];
    const at = lbPeak.atRssPeak;
    const text = [
      "",
      `Lifeboat bench, containers: ${n.toLocaleString("en-US")} small files (${smallMiB.toFixed(1)} MiB) + one ${input.bigMiB} MiB file, content stored in 4 MiB encrypted blocks; ${input.repeat} round(s)`,
      "",
      renderGrid(["phase", "seconds", "files", "MiB", "MiB/s", "ratio", "note"], [false, true, true, true, true, true, false], cells),
      "",
      `files: peak RSS (Lifeboat container phases, sampled every 100 ms): ${mb(lbPeak.rss).toFixed(0)} MB in ${lbPeak.phase ?? "?"} (target < 256 MB); peak heapUsed ${mb(lbPeak.heapUsed).toFixed(0)} MB; largest heap right after a major GC ${mb(lbPeak.liveAfterGc).toFixed(0)} MB` +
        (at ? `; at the RSS peak: heapTotal ${mb(at.heapTotal).toFixed(0)} MB, external ${mb(at.external).toFixed(0)} MB (arrayBuffers ${mb(at.arrayBuffers).toFixed(0)} MB)` : ""),
      `files: peak RSS over the whole container phase (upload and raw downloads too): ${mb(allPeak.rss).toFixed(0)} MB in ${allPeak.phase ?? "?"}; whole-process max RSS so far (kernel): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      "",
    ].join("\n");
    const machine =
      `files=${total} files_mib=${mb(totalBytes).toFixed(1)} files_backup_vs_download=${vsSeq.toFixed(2)} files_backup_vs_download_parallel=${vsPar.toFixed(2)} ` +
      `files_backup_s=${full.full.seconds.toFixed(2)} files_download_s=${seq.seq.seconds.toFixed(2)} files_backup_vs_copy=${(copy.copy.seconds / full.full.seconds).toFixed(2)} files_inc_s=${incSt.seconds.toFixed(2)} ` +
      `files_inc_read_bytes=${ic.readBytes} files_changed_bytes=${changedBytes} files_peak_rss_mb=${Math.round(mb(lbPeak.rss))}`;
    return { text, machine };
  } finally {
    methods.stop();
  }
}
