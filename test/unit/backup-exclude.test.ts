import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
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
  async *scan(t: string, _o?: ScanOptions): AsyncIterable<EntityRecord[]> {
    const rows = this.tables.get(t) ?? [];
    if (rows.length > 0) yield rows.map((r) => ({ ...r, ts: "2026-01-01T00:00:00.0000000Z", etag: "e" }));
  }
  async read(t: string, k: EntityKey): Promise<EntityRecord | null> {
    return this.tables.get(t)?.find((r) => r.pk === k.pk && r.rk === k.rk) ?? null;
  }
  async submitBatch(_t: string, _w: TableWrite[]): Promise<void> {
    throw new Error("not used");
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
});
