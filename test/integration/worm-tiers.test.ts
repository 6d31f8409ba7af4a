import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import { describe, expect, it, onTestFinished } from "vitest";
import { BlobBackupStore, TIER_TAG } from "../../src/adapters/azure/BlobBackupStore";
import { FsBackupStore } from "../../src/adapters/fs/FsBackupStore";
import { EnvKeyProvider } from "../../src/adapters/keys";
import { runBackup } from "../../src/app/backup/run-backup";
import type { BackupStore, Retention } from "../../src/app/ports/BackupStore";
import { applyRetention } from "../../src/app/retention/apply-retention";
import { Secret } from "../../src/core/secret";
import { paths } from "../../src/format/manifest";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

const DAY = 24 * 3600 * 1000;
const POLICY = { incrementalDays: 7, dailyDays: 30, weeklyWeeks: 26 };

/** A store double over a directory that records the retention every write and extension asks for. */
function recording(inner: BackupStore): { store: BackupStore; puts: Map<string, Retention>; extended: Map<string, Retention> } {
  const puts = new Map<string, Retention>();
  const extended = new Map<string, Retention>();
  const store: BackupStore = {
    description: inner.description,
    ensure: () => inner.ensure(),
    put: async (path, data, options) => {
      await inner.put(path, data, options);
      if (options?.retention) puts.set(path, options.retention);
    },
    get: (p) => inner.get(p),
    exists: (p) => inner.exists(p),
    list: (p) => inner.list(p),
    delete: (p) => inner.delete(p),
    tryLock: (n, w) => inner.tryLock(n, w),
    extendRetention: async (path, r) => {
      extended.set(path, r);
    },
  };
  return { store, puts, extended };
}

describe("WORM that matches the tiers", () => {
  it("every file of a point is written with its tier's expiry: the day's first full as a daily (or weekly), another full or an incremental as incremental", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lb-worm-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const table = uniqueTable("Worm");
    const s = testServices([table]);
    await seedTable(s.source, table, makeRecords(20, 1, 2));
    const { store, puts, extended } = recording(new FsBackupStore(dir));
    const keys = new EnvKeyProvider(new Secret(randomBytes(32)));
    // Three points on one UTC day: 02:00 full, 02:15 incremental, 03:00 full.
    const day = new Date(Date.UTC(2026, 10, 11, 2, 0, 0)); // a Wednesday
    const take = async (at: Date, full: boolean) => {
      const r = await runBackup({ source: s.source, repo: store, keys, now: () => at }, { tables: [table], full, overlapSeconds: 60, chunkEntities: 100, retention: POLICY });
      if (r.status !== "committed") throw new Error("not committed");
      return r.pointId;
    };
    const first = await take(day, true);
    const inc = await take(new Date(day.getTime() + 15 * 60_000), false);
    const second = await take(new Date(day.getTime() + 3600_000), true);

    const of = (id: string) => [...puts.entries()].filter(([p]) => p === paths.manifest(id) || p.startsWith(paths.dataPrefix(id))).map(([, r]) => r);
    // The first full of the day is its daily, and (the first daily of its ISO week) its weekly.
    for (const r of of(first)) expect(r).toEqual({ tier: "weekly", until: new Date(day.getTime() + 182 * DAY) });
    for (const r of of(inc)) expect(r).toEqual({ tier: "incremental", until: new Date(day.getTime() + 15 * 60_000 + 8 * DAY) });
    for (const r of of(second)) expect(r).toEqual({ tier: "incremental", until: new Date(day.getTime() + 3600_000 + 8 * DAY) });
    expect(of(first).length).toBeGreaterThan(2);
    expect(extended.size).toBe(0);

    // A longer daily tier later: retention keeps the kept points' files longer (never shorter).
    const r = await applyRetention({ repo: store, keys }, { policy: { ...POLICY, weeklyWeeks: 52 }, asOf: new Date(day.getTime() + 2 * 3600_000) });
    expect(r.extended.map((x) => [x.id, x.tier])).toEqual([[first, "weekly"]]);
    expect(extended.get(paths.manifest(first))).toEqual({ tier: "weekly", until: new Date(day.getTime() + 364 * DAY) });
    for (const [path] of extended) expect(path === paths.manifest(first) || path.startsWith(paths.dataPrefix(first))).toBe(true);
  });

  it("the blob store asks Azure for a Locked version-level expiry and the tier tag, and never shortens one", async () => {
    const uploads: { path: string; options: Record<string, unknown> }[] = [];
    const policies: { path: string; until: Date; mode: string }[] = [];
    const tags: { path: string; tags: Record<string, string> }[] = [];
    let current: Date | undefined = new Date("2027-06-01T00:00:00Z");
    const blob = (path: string) => ({
      uploadData: async (_d: Buffer, options: Record<string, unknown>) => void uploads.push({ path, options }),
      getProperties: async () => ({ immutabilityPolicyExpiresOn: current }),
      setImmutabilityPolicy: async (p: { expiriesOn: Date; policyMode: string }) => void policies.push({ path, until: p.expiriesOn, mode: p.policyMode }),
      setTags: async (t: Record<string, string>) => void tags.push({ path, tags: t }),
    });
    const container = { containerName: "lifeboat", getBlockBlobClient: blob } as unknown as ContainerClient;
    const store = new BlobBackupStore(container, container, { immutability: true });
    const retention = { tier: "daily", until: new Date("2027-01-01T00:00:00Z") };
    await store.put("data/p/T/d-000000.ndjson.gz.lbe", Buffer.from("x"), { ifNoneMatch: true, retention });
    expect(uploads[0]!.options).toMatchObject({ conditions: { ifNoneMatch: "*" }, tags: { [TIER_TAG]: "daily" }, immutabilityPolicy: { expiriesOn: retention.until, policyMode: "Locked" } });
    // Already kept until June: not shortened to January, only retagged.
    await store.extendRetention("objects/ab/abc.lbe", retention);
    expect(policies).toEqual([]);
    expect(tags).toEqual([{ path: "objects/ab/abc.lbe", tags: { [TIER_TAG]: "daily" } }]);
    current = new Date("2026-12-01T00:00:00Z");
    await store.extendRetention("objects/ab/abc.lbe", retention);
    expect(policies).toEqual([{ path: "objects/ab/abc.lbe", until: retention.until, mode: "Locked" }]);
    // Without immutability (Azurite), the tag only.
    const plain = new BlobBackupStore(container, container);
    uploads.length = 0;
    await plain.put("x", Buffer.from("x"), { retention });
    expect(uploads[0]!.options).not.toHaveProperty("immutabilityPolicy");
    expect(uploads[0]!.options).toMatchObject({ tags: { [TIER_TAG]: "daily" } });
  });
});
