import { BlobServiceClient } from "@azure/storage-blob";
import { InvocationContext } from "@azure/functions";
import { afterEach, describe, expect, inject, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { applyRetention } from "../../src/app/retention/apply-retention";
import { listPoints } from "../../src/app/repo/catalog";
import { runRestore } from "../../src/app/restore/run-restore";
import { loadConfig } from "../../src/config";
import { paths } from "../../src/format/manifest";
import { retention } from "../../src/functions/retention";
import { resetServices } from "../../src/functions/shared/runtime";
import { createServices } from "../../src/services";
import { cli } from "../helpers/cli-io";
import { uniqueContainer, uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";

const DAY = 24 * 3600 * 1000;
const blobs = (): BlobServiceClient => BlobServiceClient.fromConnectionString(inject("azurite"));

afterEach(() => resetServices());

/**
 * A repository with points taken "20 days ago", "10 days ago" (each a full and an
 * incremental) and now (a full), with a container whose file changes between them, under
 * tiers of 1 day / 2 days / 1 week: the old points have expired, the newest full has not.
 */
async function history() {
  const table = uniqueTable("Ret");
  const container = uniqueContainer("ret");
  const s = testServices([table], { LIFEBOAT_CONTAINERS: container, RETENTION_INCREMENTAL_DAYS: "1", RETENTION_DAILY_DAYS: "2", RETENTION_WEEKLY_WEEKS: "1" });
  await blobs().getContainerClient(container).create();
  await seedTable(s.source, table, makeRecords(30, 1, 2));
  const file = (v: string) => blobs().getContainerClient(container).getBlockBlobClient("app.yaml").uploadData(Buffer.from(`version: ${v}\n`));
  const ids: Record<string, string> = {};
  const take = async (name: string, ago: number, full: boolean): Promise<void> => {
    const r = await runBackup(
      { source: s.source, blobs: s.blobs!, repo: s.repo, keys: s.keys, now: () => new Date(Date.now() - ago) },
      { tables: [table], containers: [container], full, overlapSeconds: 60, chunkEntities: 100 },
    );
    if (r.status !== "committed") throw new Error(`${name} not committed`);
    ids[name] = r.pointId;
  };
  await file("a");
  await take("f20", 20 * DAY, true);
  await file("b");
  await take("i20", 20 * DAY - 60_000, false);
  await file("c");
  await take("f10", 10 * DAY, true);
  await take("i10", 10 * DAY - 60_000, false);
  await file("d");
  await seedTable(s.source, table, makeRecords(5, 2, 2));
  await take("fNow", 0, true);
  return { s, table, container, ids };
}

describe("retention", () => {
  it("removes expired points, then their files and the content objects nothing kept references; a kept point still restores exactly", async () => {
    const { s, table, container, ids } = await history();
    const objectsBefore: string[] = [];
    for await (const o of s.repo.list("objects/")) objectsBefore.push(o.path);
    expect(objectsBefore).toHaveLength(4); // versions a, b, c (shared by f10 and i10), d

    const plan = await applyRetention({ repo: s.repo, keys: s.keys }, { policy: s.config.retention, dryRun: true });
    expect(plan.refused).toBeNull();
    expect(Object.fromEntries(plan.points.map((d) => [d.id, d.keep]))).toEqual({ [ids.f20!]: false, [ids.i20!]: false, [ids.f10!]: false, [ids.i10!]: false, [ids.fNow!]: true });
    expect((await listPoints(s.repo)).length).toBe(5); // a dry run removes nothing

    const r = await applyRetention({ repo: s.repo, keys: s.keys }, { policy: s.config.retention, graceMs: 0 });
    expect(r.removed.map((x) => x.id).sort()).toEqual([ids.f10, ids.f20, ids.i10, ids.i20].sort());
    expect(r.failed).toEqual([]);
    expect(r.objectsRemoved).toBe(3);
    expect((await listPoints(s.repo)).map((p) => p.id)).toEqual([ids.fNow]);
    for (const id of [ids.f20!, ids.i10!]) for await (const o of s.repo.list(paths.dataPrefix(id))) throw new Error(`left behind: ${o.path}`);

    const restored = await runRestore({ source: s.source, blobs: s.blobs!, repo: s.repo, keys: s.keys }, { pointId: ids.fNow!, target: { kind: "prefix", prefix: "kept" }, concurrency: 4 });
    expect(restored.containers[0]?.files).toBe(1);
    const byRk = new Map(makeRecords(5, 2, 2).map((e) => [e.rk, e]));
    await expectTableEquals(`kept${table}`, makeRecords(30, 1, 2).map((e) => byRk.get(e.rk) ?? e));
    const body = await blobs().getContainerClient(`kept-${container}`).getBlobClient("app.yaml").downloadToBuffer();
    expect(body.toString()).toBe("version: d\n");
  }, 60_000);

  it("a crash between a manifest's removal and its files' is cleaned up by the next run; fresh objects wait out the grace period", async () => {
    const { s, ids } = await history();
    // As if a run died right after deleting f20's manifest.
    await s.repo.delete(paths.manifest(ids.f20!));
    let orphaned = 0;
    for await (const o of s.repo.list(paths.dataPrefix(ids.f20!))) orphaned += o.size > 0 ? 1 : 0;
    expect(orphaned).toBeGreaterThan(0);
    const r = await applyRetention({ repo: s.repo, keys: s.keys }, { policy: s.config.retention });
    expect(r.orphansRemoved).toBeGreaterThanOrEqual(orphaned);
    for await (const o of s.repo.list(paths.dataPrefix(ids.f20!))) throw new Error(`left behind: ${o.path}`);
    // The default grace period: objects written minutes ago are never collected.
    expect(r.objectsRemoved).toBe(0);
  }, 60_000);

  it("refuses and removes nothing when a manifest cannot be read", async () => {
    const { s, ids } = await history();
    const repoContainer = s.settings.LIFEBOAT_BACKUP_CONTAINER!;
    const manifest = blobs().getContainerClient(repoContainer).getBlockBlobClient(paths.manifest(ids.i10!));
    const bytes = await manifest.downloadToBuffer();
    bytes[bytes.length - 1]! ^= 1;
    await manifest.uploadData(bytes);
    const r = await applyRetention({ repo: s.repo, keys: s.keys }, { policy: s.config.retention, graceMs: 0 });
    expect(r.refused).toContain(ids.i10);
    expect(r.removed).toEqual([]);
    expect((await listPoints(s.repo)).length).toBe(5);
  }, 60_000);

  it("the blob trigger applies it and audits each removal with its reason; the CLI shows the plan as of a later instant", async () => {
    const { s, ids } = await history();
    const later = await cli(["retention", "--dry-run", "--now", new Date(Date.now() + 400 * DAY).toISOString(), "--json"], s.settings);
    expect(later.code, later.stderr).toBe(0);
    const planned = JSON.parse(later.stdout) as { points: { id: string; keep: boolean; reason: string }[] };
    expect(planned.points.find((p) => p.id === ids.fNow)).toMatchObject({ keep: true, reason: expect.stringMatching(/newest full/) as string });

    resetServices(createServices(loadConfig(s.settings)));
    const ctx = new InvocationContext({ functionName: "retention", triggerMetadata: { name: `${ids.fNow}.manifest.lbe` } });
    const r = await retention(Buffer.alloc(0), ctx);
    expect(r.removed).toHaveLength(4);
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "retention.delete"], s.settings)).stdout) as { operator: string; outcome: string; target: Record<string, string>; details: { reason: string; tier: string } }[];
    expect(audit).toHaveLength(4);
    for (const e of audit) {
      expect(e).toMatchObject({ operator: "trigger:retention", outcome: "succeeded" });
      expect(e.details.reason.length).toBeGreaterThan(10);
    }
    expect(audit.map((e) => e.target.point).sort()).toEqual([ids.f10, ids.f20, ids.i10, ids.i20].sort());
  }, 60_000);

  it("an incremental out of its tier but still within its immutability's extra day waits for a later run", async () => {
    const table = uniqueTable("Wait");
    const s = testServices([table], { RETENTION_INCREMENTAL_DAYS: "1", RETENTION_DAILY_DAYS: "2", RETENTION_WEEKLY_WEEKS: "1" });
    await seedTable(s.source, table, makeRecords(10, 1, 1));
    const take = async (ago: number, full: boolean): Promise<string> => {
      const r = await runBackup({ source: s.source, repo: s.repo, keys: s.keys, now: () => new Date(Date.now() - ago) }, { tables: [table], full, overlapSeconds: 60, chunkEntities: 100 });
      if (r.status !== "committed") throw new Error("not committed");
      return r.pointId;
    };
    await take(1.5 * DAY, true);
    const inc = await take(1.5 * DAY - 60_000, false);
    await take(0, true);
    const r = await applyRetention({ repo: s.repo, keys: s.keys }, { policy: s.config.retention, graceMs: 0 });
    expect(r.points.find((d) => d.id === inc)).toMatchObject({ keep: false, tier: "incremental" });
    expect(r.waiting).toBe(1);
    expect(r.removed.map((x) => x.id)).not.toContain(inc);
    expect((await listPoints(s.repo)).map((p) => p.id)).toContain(inc);
  }, 60_000);
});
