import { fmtRate, progress } from "./report";
import { TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";

// ---------------------------------------------------------------------------
// Test data: generated lazily, one transaction at a time

export const ROWS_PER_PARTITION = 1000;
export const BATCH = 100;
export const TEXT_LENGTH = 800;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ~256 KB of random words: text that compresses roughly like real prose, not like zeros or noise. */
export const TEXT_POOL: string = (() => {
  const rnd = mulberry32(42);
  const letters = "etaoinshrdlcumwfgypbvkjxqz";
  const words: string[] = [];
  for (let i = 0; i < 2000; i++) {
    let w = "";
    const len = 2 + Math.floor(rnd() * 9);
    for (let j = 0; j < len; j++) w += letters[Math.floor(Math.pow(rnd(), 2) * letters.length)];
    words.push(w);
  }
  const parts: string[] = [];
  let size = 0;
  while (size < 256 * 1024) {
    const w = words[Math.floor(rnd() * words.length)] as string;
    parts.push(w);
    size += w.length + 1;
  }
  return parts.join(" ");
})();

export const BASE_TIME = Date.UTC(2024, 0, 1);

export const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/** Entity number i (0-based) at a version (0 = loaded, 1 = changed): ~1 KB on the wire, mixed types. */
export function makeEntity(i: number, version: number): TableEntity<Record<string, unknown>> {
  const rnd = mulberry32(Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(version + 1, 0x85ebca6b));
  const off = Math.floor(rnd() * (TEXT_POOL.length - TEXT_LENGTH));
  return {
    partitionKey: `p${pad(Math.floor(i / ROWS_PER_PARTITION), 7)}`,
    rowKey: `r${pad(i % ROWS_PER_PARTITION, 6)}`,
    text: TEXT_POOL.slice(off, off + TEXT_LENGTH),
    tag: `tag-${Math.floor(rnd() * 1000)}`,
    version,
    count: { value: String(BigInt(i) * 1_000_003n + BigInt(version) + 9_007_199_254_740_993n), type: "Int64" },
    score: { value: Math.floor(rnd() * 1e6) / 1000 + 0.0005, type: "Double" },
    createdAt: { value: new Date(BASE_TIME + i * 1000 + version).toISOString(), type: "DateTime" },
    active: rnd() < 0.5,
  };
}

/** Entity indexes of transaction b: 100 consecutive rows, always inside one partition. */
export function loadBatch(b: number, n: number): TransactionAction[] {
  const actions: TransactionAction[] = [];
  for (let i = b * BATCH; i < Math.min(n, (b + 1) * BATCH); i++) actions.push(["upsert", makeEntity(i, 0), "Replace"]);
  return actions;
}

/** The 1% that changes: every 100th row (10 per partition of 1000), one transaction per partition. */
export function changeBatch(p: number, n: number): TransactionAction[] {
  const actions: TransactionAction[] = [];
  for (let i = p * ROWS_PER_PARTITION; i < Math.min(n, (p + 1) * ROWS_PER_PARTITION); i += 100) {
    actions.push(["upsert", makeEntity(i, 1), "Replace"]);
  }
  return actions;
}

/** Runs `count` transactions, at most `concurrency` at a time; returns entities written. */
export async function parallelTransactions(
  client: TableClient,
  count: number,
  make: (k: number) => TransactionAction[],
  concurrency: number,
  label: string,
): Promise<number> {
  let next = 0;
  let written = 0;
  let failed = false;
  const start = Date.now();
  let lastReport = start;
  const worker = async (): Promise<void> => {
    while (!failed) {
      const k = next++;
      if (k >= count) return;
      const actions = make(k);
      try {
        await client.submitTransaction(actions);
      } catch (err) {
        failed = true;
        throw err;
      }
      written += actions.length;
      const now = Date.now();
      if (now - lastReport >= 2000) {
        lastReport = now;
        progress(`${label}: ${written} entities, ${fmtRate(written / ((now - start) / 1000))}/s`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return written;
}

export function newTableClient(cs: string, table: string): TableClient {
  return TableClient.fromConnectionString(cs, table, {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 8, retryDelayInMs: 250, maxRetryDelayInMs: 30_000 },
  });
}

export async function rawScan(client: TableClient): Promise<number> {
  let n = 0;
  for await (const page of client.listEntities().byPage({ maxPageSize: 1000 })) n += page.length;
  return n;
}


/**
 * The fastest transaction concurrency of 4/8/16/32 on a small pre-trial (after a warm-up), each
 * into its own scratch table. Appends "c:rate/s" per trial to `trials` for the report.
 */
export async function pickConcurrency(cs: string, n: number, suffix: string, trials: string[]): Promise<number> {
  const trialN = Math.max(1000, Math.min(5000, Math.floor(n / 10 / BATCH) * BATCH));
  const warm = newTableClient(cs, `benchwarm${suffix}`);
  await warm.createTable();
  await parallelTransactions(warm, Math.ceil(1000 / BATCH), (b) => loadBatch(b, 1000), 8, "warm-up");
  await warm.deleteTable();
  let best = { c: 16, rate: 0 };
  for (const c of [4, 8, 16, 32]) {
    const t = newTableClient(cs, `benchtrial${c}x${suffix}`);
    await t.createTable();
    const s = Date.now();
    const written = await parallelTransactions(t, Math.ceil(trialN / BATCH), (b) => loadBatch(b, trialN), c, `pre-trial c=${c}`);
    const rate = written / ((Date.now() - s) / 1000);
    await t.deleteTable();
    trials.push(`${c}:${fmtRate(rate)}/s`);
    progress(`pre-trial: concurrency ${c} → ${fmtRate(rate)} entities/s (${written} entities)`);
    if (rate > best.rate) best = { c, rate };
  }
  return best.c;
}
