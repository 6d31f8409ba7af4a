// Micro-harness: the full backup's per-entity pipeline without Azurite (fake scan over prebuilt page text).
import { backupTable } from "../src/app/backup/backup-table";
import { parseEntityPage } from "../src/core/entity/codec";
import { makeEntity } from "../bench/workload";
import { Secret } from "../src/core/secret";
import type { TableStore } from "../src/app/ports/TableStore";
import type { BackupStore } from "../src/app/ports/BackupStore";

const N = Number(process.env.N ?? 100000);
function pageText(start: number): string {
  const vals: string[] = [];
  for (let i = start; i < start + 1000; i++) {
    const e = makeEntity(i, 0) as Record<string, unknown>;
    const o: Record<string, unknown> = { "odata.etag": `W/"datetime'2026-11-30T10%3A00%3A00.${String(i % 1e7).padStart(7, "0")}Z'"`, PartitionKey: e.partitionKey, RowKey: e.rowKey, Timestamp: "2026-11-30T10:00:00.1234567Z" };
    for (const [k, v] of Object.entries(e)) {
      if (k === "partitionKey" || k === "rowKey") continue;
      if (v && typeof v === "object") { const t = v as { value: unknown; type: string }; o[`${k}@odata.type`] = `Edm.${t.type}`; o[k] = t.type === "Double" ? t.value : String(t.value); }
      else o[k] = v;
    }
    vals.push(JSON.stringify(o));
  }
  return `{"odata.metadata":"http://x/$metadata#t","value":[${vals.join(",")}]}`;
}
const pages: string[] = [];
for (let p = 0; p < 20; p++) pages.push(pageText(p * 1000));
const source = {
  async *scan() { for (let i = 0; i < N / 1000; i++) { const t = pages[i % 20]!; await new Promise((r) => setImmediate(r)); yield parseEntityPage(t); } },
} as unknown as TableStore;
let bytes = 0;
const repo = { async put(_p: string, d: Buffer) { bytes += d.length; } } as unknown as BackupStore;
const kek = { id: "env:test", key: new Secret(Buffer.alloc(32, 7)) };
(async () => {
  for (let round = 0; round < Number(process.env.R ?? 3); round++) {
    const c0 = process.cpuUsage(); const t0 = performance.now();
    await backupTable({ source, repo, keys: { active: async () => kek, byId: async () => kek }, kek, pointId: "20261130T000000000Z-f000000", table: "t", previous: undefined, scanStart: new Date(), overlapSeconds: 0, chunkEntities: 5000, progress: () => {}, csv: process.env.CSV !== "off" });
    const c = process.cpuUsage(c0); const ms = performance.now() - t0;
    console.log(`round ${round}: wall ${(ms * 1000 / N).toFixed(1)} µs/entity, cpu ${((c.user + c.system) / N).toFixed(1)} µs/entity, bytes ${bytes}`);
    bytes = 0;
  }
})();
