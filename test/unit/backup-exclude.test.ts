import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { runRestore } from "../../src/app/restore/run-restore";
import { getFullStatus } from "../../src/app/status/get-status";
import type { ScanOptions, TableStore, TableWrite } from "../../src/app/ports/TableStore";
import { EnvKeyProvider } from "../../src/adapters/keys";
import { FsBackupStore } from "../../src/adapters/fs/FsBackupStore";
import type { EntityKey, EntityRecord } from "../../src/core/entity/record";
import { Secret } from "../../src/core/secret";

/** Tables in memory: enough of the TableStore contract for a backup. */
class MemoryTables implements TableStore {
  constructor(private readonly tables: Map<string, EntityRecord[]>) {}
  async listTables(): Promise<string[]> {
    return [...this.tables.keys()].sort();
  }
  async tableExists(t: string): Promise<boolean> {
    return this.tables.has(t);
  }
  async createTable(t: string): Promise<void> {
    if (!this.tables.has(t)) this.tables.set(t, []);
  }
  async deleteTable(t: string): Promise<void> {
    this.tables.delete(t);
  }
  async *scan(t: string, o?: ScanOptions): AsyncIterable<EntityRecord[]> {
    const from = o?.partitions?.from;
    const before = o?.partitions?.before;
    const rows = (this.tables.get(t) ?? []).filter((r) => (from === undefined || r.pk >= from) && (before === undefined || r.pk < before));
    if (rows.length > 0) yield rows.map((r) => ({ ...r, ts: "2026-01-01T00:00:00.0000000Z", etag: "e" }));
  }
  async read(t: string, k: EntityKey): Promise<EntityRecord | null> {
    return this.tables.get(t)?.find((r) => r.pk === k.pk && r.rk === k.rk) ?? null;
  }
  async submitBatch(t: string, writes: TableWrite[]): Promise<void> {
    const rows = this.tables.get(t);
    if (!rows) throw new Error(`no table ${t}`);
    for (const w of writes) {
      const k = w.kind === "upsert" ? w.record : w.key;
      const i = rows.findIndex((r) => r.pk === k.pk && r.rk === k.rk);
      if (i >= 0) rows.splice(i, 1);
      if (w.kind === "upsert") rows.push(w.record);
    }
    rows.sort((a, b) => (a.pk + "\u0000" + a.rk < b.pk + "\u0000" + b.rk ? -1 : 1));
  }
}

describe("backup of every table (*)", () => {
  it("leaves out the excluded tables, whatever their case", async () => {
    const row: EntityRecord = { pk: "p", rk: "r", props: { n: ["Int32", "1"] } };
    const source = new MemoryTables(new Map([["Customers", [row]], ["LifeboatAudit", [row]], ["Orders", [row]]]));
    const dir = await mkdtemp(join(tmpdir(), "lb-excl-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const repo = new FsBackupStore(dir);
    const keys = new EnvKeyProvider(new Secret(randomBytes(32)));
    const r = await runBackup({ source, repo, keys }, { tables: "*", exclude: ["lifeboataudit"], overlapSeconds: 60, chunkEntities: 100 });
    expect(r.status).toBe("committed");
    if (r.status === "committed") expect(r.tables.map((t) => t.table)).toEqual(["Customers", "Orders"]);
  });

  it("leaves out the tables a restore created (recorded in the repository) and LIFEBOAT_EXCLUDE_TABLES; status says which and why", async () => {
    const row: EntityRecord = { pk: "p", rk: "r", props: { n: ["Int32", "1"] } };
    const source = new MemoryTables(new Map([["Customers", [row]], ["Orders", [row]], ["ScratchOne", [row]], ["LifeboatAudit", [row]]]));
    const dir = await mkdtemp(join(tmpdir(), "lb-own-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const repo = new FsBackupStore(dir);
    const keys = new EnvKeyProvider(new Secret(randomBytes(32)));
    const req = { tables: "*" as const, exclude: ["LifeboatAudit"], excludePatterns: ["scratch*"], overlapSeconds: 60, chunkEntities: 100 };
    const first = await runBackup({ source, repo, keys }, { ...req, full: true });
    if (first.status !== "committed") throw new Error("not committed");
    expect(first.tables.map((t) => t.table)).toEqual(["Customers", "Orders"]);

    // A restore into new tables (the documented safe default) creates chkCustomers and chkOrders.
    await runRestore({ source, repo, keys }, { pointId: first.pointId, target: { kind: "prefix", prefix: "chk" }, concurrency: 2 });
    expect(await source.listTables()).toEqual(["Customers", "LifeboatAudit", "Orders", "ScratchOne", "chkCustomers", "chkOrders"]);
    const next = await runBackup({ source, repo, keys }, req);
    if (next.status !== "committed") throw new Error("not committed");
    expect(next.tables.map((t) => t.table)).toEqual(["Customers", "Orders"]);

    // Restoring again into the tables it created adds nothing new to the registry.
    await runRestore({ source, repo, keys }, { pointId: first.pointId, target: { kind: "prefix", prefix: "chk" }, concurrency: 2 });

    const st = await getFullStatus({ repo, source, config: { tables: "*", containers: [], rpoMinutes: 15, rtoMinutes: 120, auditTable: "LifeboatAudit", excludeTables: ["scratch*"] } });
    expect(st.coverage).toEqual({
      included: ["Customers", "Orders"],
      excluded: [
        { table: "LifeboatAudit", reason: "Lifeboat's audit table" },
        { table: "ScratchOne", reason: "LIFEBOAT_EXCLUDE_TABLES scratch*" },
        { table: "chkCustomers", reason: `created by a Lifeboat restore (point ${first.pointId})` },
        { table: "chkOrders", reason: `created by a Lifeboat restore (point ${first.pointId})` },
      ],
    });
  });
});
