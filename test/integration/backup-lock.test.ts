import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BackupStore } from "../../src/app/ports/BackupStore";
import type { TableStore } from "../../src/app/ports/TableStore";
import { FsBackupStore } from "../../src/adapters/fs/FsBackupStore";
import { runBackup, type BackupResult } from "../../src/app/backup/run-backup";
import { listPoints } from "../../src/app/repo/catalog";
import { EXIT } from "../../src/cli/context";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

const tempDirs: string[] = [];
afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

/**
 * Makes two backups overlap for certain: the source's first call (after the lock is
 * taken) waits until both runs have asked for the lock, or 5 s at most.
 */
function overlapping(repo: BackupStore, source: TableStore): { repo: BackupStore; source: TableStore } {
  let asked = 0;
  let bothAsked!: () => void;
  const gate = new Promise<void>((r) => (bothAsked = r));
  const gated = Promise.race([gate, new Promise<void>((r) => setTimeout(r, 5000))]);
  const wrappedRepo: BackupStore = {
    description: repo.description,
    ensure: () => repo.ensure(),
    put: (p, d, o) => repo.put(p, d, o),
    get: (p) => repo.get(p),
    exists: (p) => repo.exists(p),
    list: (p) => repo.list(p),
    delete: (p) => repo.delete(p),
    tryLock: async (name, wait) => {
      try {
        return await repo.tryLock(name, wait);
      } finally {
        if (++asked === 2) bothAsked();
      }
    },
  };
  const wrappedSource: TableStore = {
    listTables: async () => (await gated, source.listTables()),
    tableExists: async (t) => (await gated, source.tableExists(t)),
    createTable: (t) => source.createTable(t),
    deleteTable: (t) => source.deleteTable(t),
    scan: (t, o) => source.scan(t, o),
    submitBatch: (t, w) => source.submitBatch(t, w),
    read: (t, k) => source.read(t, k),
  };
  return { repo: wrappedRepo, source: wrappedSource };
}

async function twoAtOnce(repo: BackupStore): Promise<void> {
  const table = uniqueTable("Lock");
  const s = testServices([table]);
  await seedTable(s.source, table, makeRecords(30));
  const w = overlapping(repo, s.source);
  const deps = { source: w.source, repo: w.repo, keys: s.keys };
  const req = { tables: [table], overlapSeconds: 60, chunkEntities: 100, waitForLockSeconds: 0 };
  const results: BackupResult[] = await Promise.all([runBackup(deps, req), runBackup(deps, req)]);

  const committed = results.filter((r) => r.status === "committed");
  const skipped = results.filter((r): r is Extract<BackupResult, { status: "skipped" }> => r.status === "skipped");
  expect(committed).toHaveLength(1);
  expect(skipped).toHaveLength(1);
  expect(skipped[0]!.reason).toMatch(/lock/);
  expect(skipped[0]!.reason).toMatch(/another backup/);
  expect(skipped[0]!.reason).toContain(repo.description);
  const points = await listPoints(repo);
  expect(points).toHaveLength(1);
  if (committed[0]?.status === "committed") expect(points[0]!.id).toBe(committed[0].pointId);

  // The winner released the lock: the next run goes through.
  const again = await runBackup({ source: s.source, repo, keys: s.keys }, req);
  expect(again.status).toBe("committed");
}

describe("one backup at a time per repository", () => {
  it("two concurrent runs on a blob repository: exactly one commits, the other is skipped because of the lock", async () => {
    const s = testServices(["Unused"]);
    await twoAtOnce(s.repo);
  });

  it("two concurrent runs on a filesystem repository: exactly one commits, the other is skipped because of the lock", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lifeboat-lock-"));
    tempDirs.push(dir);
    await twoAtOnce(new FsBackupStore(dir));
  });

  it("a run that waits gets the lock once the holder finishes", async () => {
    const table = uniqueTable("Wait");
    const s = testServices([table]);
    await seedTable(s.source, table, makeRecords(10));
    await s.repo.ensure();
    const held = await s.repo.tryLock("backup", 0);
    expect(held).not.toBeNull();
    setTimeout(() => void held!.release(), 1500);
    const r = await runBackup(
      { source: s.source, repo: s.repo, keys: s.keys },
      { tables: [table], overlapSeconds: 60, chunkEntities: 100, waitForLockSeconds: 20 },
    );
    expect(r.status).toBe("committed");
  });

  it("the CLI, while another backup holds the lock: exits non-zero with one line on stderr naming another backup; commits nothing", async () => {
    const table = uniqueTable("CliLock");
    const s = testServices([table]);
    await seedTable(s.source, table, makeRecords(10));
    await s.repo.ensure();
    const held = await s.repo.tryLock("backup", 0);
    expect(held).not.toBeNull();
    try {
      const run = await cli(["backup"], s.settings);
      expect(run.code).not.toBe(EXIT.ok);
      expect(run.code).toBe(EXIT.failed);
      expect(run.stdout).toBe("");
      const lines = run.stderr.split("\n").filter((l) => l.length > 0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/another backup/);
      expect(lines[0]).toMatch(/lock/);
      expect(run.stderr).not.toContain(s.settings.LIFEBOAT_KEK);
      expect(await listPoints(s.repo)).toEqual([]);
    } finally {
      await held!.release();
    }
    // With the lock free, the same command works.
    const ok = await cli(["backup"], s.settings);
    expect(ok.code).toBe(EXIT.ok);
  });
});
