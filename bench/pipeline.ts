/**
 * `npm run bench:pipeline`: the full backup's per-entity pipeline without Azurite, to compare
 * code changes in seconds instead of minutes. A fake scan hands `backupTable` pages parsed
 * from prebuilt service responses (the bench's entities, minimal metadata), and a store that
 * only counts bytes takes the files; everything between (parse, data and key lines, digest,
 * CSV copy, gzip, encryption) is Lifeboat's real code. Prints, per round, the wall time and
 * this process's CPU per entity. Environment: N (entities, default 100000), R (rounds, 3),
 * CSV=off (no CSV copy). The wall time is the main thread's, which bounds the backup when the
 * service is faster; figures move by about ±1 µs between runs.
 */
import { backupTable } from "../src/app/backup/backup-table";
import type { BackupStore } from "../src/app/ports/BackupStore";
import type { TableStore } from "../src/app/ports/TableStore";
import { parseEntityPage } from "../src/core/entity/codec";
import { Secret } from "../src/core/secret";
import { makeEntity } from "./workload";

const PAGE = 1000;

/** A whole-number setting from the environment, or exit with a message naming it and the rule. */
function envInt(name: string, fallback: number, min: number, multipleOf = 1): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min || n % multipleOf !== 0) {
    console.error(`${name} must be a whole number of at least ${min}${multipleOf > 1 ? ` and a multiple of ${multipleOf}` : ""} (got ${JSON.stringify(raw)})`);
    process.exit(2);
  }
  return n;
}

const N = envInt("N", 100_000, PAGE, PAGE);
const ROUNDS = envInt("R", 3, 1);
const DISTINCT_PAGES = 20;

/** A page of 1,000 entities as the Table service sends it (minimal metadata, type annotations). */
function pageText(start: number): string {
  const values: string[] = [];
  for (let i = start; i < start + PAGE; i++) {
    const e = makeEntity(i, 0) as Record<string, unknown>;
    const o: Record<string, unknown> = {
      "odata.etag": `W/"datetime'2026-11-30T10%3A00%3A00.${String(i % 1e7).padStart(7, "0")}Z'"`,
      PartitionKey: e["partitionKey"],
      RowKey: e["rowKey"],
      Timestamp: "2026-11-30T10:00:00.1234567Z",
    };
    for (const [k, v] of Object.entries(e)) {
      if (k === "partitionKey" || k === "rowKey") continue;
      if (v && typeof v === "object") {
        const t = v as { value: unknown; type: string };
        o[`${k}@odata.type`] = `Edm.${t.type}`;
        o[k] = t.type === "Double" ? t.value : String(t.value);
      } else o[k] = v;
    }
    values.push(JSON.stringify(o));
  }
  return `{"odata.metadata":"http://localhost/$metadata#t","value":[${values.join(",")}]}`;
}

async function main(): Promise<void> {
  const pages = Array.from({ length: DISTINCT_PAGES }, (_, p) => pageText(p * PAGE));
  const source = {
    async *scan() {
      for (let i = 0; i < N / PAGE; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        yield parseEntityPage(pages[i % DISTINCT_PAGES]!);
      }
    },
  } as unknown as TableStore;
  let bytes = 0;
  const repo = {
    async put(_path: string, data: Buffer) {
      bytes += data.length;
    },
  } as unknown as BackupStore;
  const kek = { id: "env:bench", key: new Secret(Buffer.alloc(32, 7)) };
  const keys = { active: async () => kek, byId: async () => kek };
  for (let round = 1; round <= ROUNDS; round++) {
    bytes = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await backupTable({ source, repo, keys, kek, pointId: "20261130T000000000Z-f000000", table: "t", previous: undefined, scanStart: new Date(), overlapSeconds: 0, chunkEntities: 5000, progress: () => undefined, csv: process.env.CSV !== "off" });
    const cpu = process.cpuUsage(cpu0);
    const wallUs = ((performance.now() - t0) * 1000) / N;
    console.log(`round ${round}: wall ${wallUs.toFixed(1)} µs/entity, cpu ${((cpu.user + cpu.system) / N).toFixed(1)} µs/entity, ${bytes.toLocaleString("en-US")} bytes written`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
