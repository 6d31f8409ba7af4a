import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, inject, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { runRestore } from "../../src/app/restore/run-restore";
import { runVerify } from "../../src/app/verify/run-verify";
import { cli } from "../helpers/cli-io";
import { uniqueContainer, uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";

const blobService = (): BlobServiceClient => BlobServiceClient.fromConnectionString(inject("azurite"));

interface Upload {
  body: Buffer;
  contentType?: string;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  tier?: "Hot" | "Cool";
}

async function put(container: string, path: string, u: Upload): Promise<void> {
  const blob = blobService().getContainerClient(container).getBlockBlobClient(path);
  await blob.uploadData(u.body, {
    ...(u.contentType ? { blobHTTPHeaders: { blobContentType: u.contentType, blobCacheControl: "no-cache" } } : {}),
    ...(u.metadata ? { metadata: u.metadata } : {}),
    ...(u.tags ? { tags: u.tags } : {}),
    ...(u.tier ? { tier: u.tier } : {}),
  });
}

/** Every blob of a container: content hash, content type, metadata, tags, tier. */
async function snapshot(container: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const c = blobService().getContainerClient(container);
  for await (const b of c.listBlobsFlat({ includeMetadata: true, includeTags: true })) {
    const body = await c.getBlobClient(b.name).downloadToBuffer();
    out[b.name] = {
      sha256: createHash("sha256").update(body).digest("hex"),
      size: body.length,
      contentType: b.properties.contentType,
      cacheControl: b.properties.cacheControl,
      metadata: b.metadata,
      tags: b.tags ?? {},
      tier: b.properties.accessTierInferred ? undefined : b.properties.accessTier,
    };
  }
  return out;
}

const awkward = ["config/app.yaml", "config/settings.json", ".env", "scripts/enrich ü ñ 日本.py", "deep/" + "d/".repeat(40) + "file%20name.bin", "spaces in name.txt", "empty.bin", "long/" + "n".repeat(1019)];

describe("blob containers in restore points", () => {
  it("round-trip through full → change → delete → point-in-time restore, with properties, metadata, tags, tier, unicode names and zero bytes", async () => {
    const container = uniqueContainer("cfg");
    const table = uniqueTable("Mix");
    const s = testServices([table], { LIFEBOAT_CONTAINERS: container });
    await blobService().getContainerClient(container).create();
    await seedTable(s.source, table, makeRecords(50, 1, 2));
    await put(container, awkward[0]!, { body: Buffer.from("name: app\nreplicas: 3\n"), contentType: "application/yaml", metadata: { owner: "platform" }, tags: { env: "prod" } });
    await put(container, awkward[1]!, { body: Buffer.from('{"feature": true}'), contentType: "application/json", tier: "Cool" });
    await put(container, awkward[2]!, { body: Buffer.from("API_TOKEN=abc\n") });
    await put(container, awkward[3]!, { body: Buffer.from("print('hi')\n"), metadata: { lang: "py" } });
    await put(container, awkward[4]!, { body: Buffer.alloc(300_000, 7) });
    await put(container, awkward[5]!, { body: Buffer.from("x") });
    await put(container, awkward[6]!, { body: Buffer.alloc(0) });
    await put(container, awkward[7]!, { body: Buffer.from("the longest name a blob may have: 1,024 characters") });
    const deps = { source: s.source, blobs: s.blobs!, repo: s.repo, keys: s.keys };
    const req = { tables: [table], containers: [container], overlapSeconds: 60, chunkEntities: 100 };

    const full = await runBackup(deps, { ...req, full: true });
    if (full.status !== "committed") throw new Error("full not committed");
    expect(awkward[7]!.length).toBe(1024);
    expect(full.containers).toEqual([{ container, files: 8, read: 8, readBytes: expect.any(Number) as number, removed: 0, skipped: [] }]);
    const atFull = await snapshot(container);
    const tableAtFull = makeRecords(50, 1, 2);

    // Change one file, delete one, add one, retag one (tags do not change the ETag); and the table.
    await put(container, awkward[0]!, { body: Buffer.from("name: app\nreplicas: 5\n"), contentType: "application/yaml", metadata: { owner: "platform" }, tags: { env: "prod" } });
    await blobService().getContainerClient(container).deleteBlob(awkward[5]!);
    await put(container, "new/added.json", { body: Buffer.from("[]"), contentType: "application/json" });
    await blobService().getContainerClient(container).getBlobClient(awkward[3]!).setTags({ reviewed: "yes" });
    await seedTable(s.source, table, makeRecords(10, 2, 2));
    const inc = await runBackup(deps, req);
    if (inc.status !== "committed") throw new Error("incremental not committed");
    // Only the changed and added files were read.
    expect(inc.containers[0]).toMatchObject({ files: 8, read: 2, removed: 1, skipped: [] });
    const atInc = await snapshot(container);

    await blobService().getContainerClient(container).deleteBlob(awkward[1]!);
    await put(container, awkward[2]!, { body: Buffer.from("API_TOKEN=changed-after\n") });

    // Point-in-time: the full, then the incremental, each into new containers; tables with them.
    const r1 = await runRestore(deps, { pointId: full.pointId, target: { kind: "prefix", prefix: "rf" }, concurrency: 4 });
    expect(r1.containers).toEqual([{ container, target: `rf-${container}`, files: 8, bytes: expect.any(Number) as number, deleted: 0 }]);
    expect(await snapshot(`rf-${container}`)).toEqual(atFull);
    await expectTableEquals(`rf${table}`, tableAtFull);
    await runRestore(deps, { pointId: inc.pointId, target: { kind: "prefix", prefix: "ri" }, concurrency: 4 });
    expect(await snapshot(`ri-${container}`)).toEqual(atInc);
    const byRk = new Map(makeRecords(10, 2, 2).map((r) => [r.rk, r]));
    await expectTableEquals(`ri${table}`, tableAtFull.map((r) => byRk.get(r.rk) ?? r));

    // Into an existing target (a re-run over the full's copy): what the point lacks is removed.
    const again = await runRestore(deps, { pointId: inc.pointId, containers: [container], target: { kind: "prefix", prefix: "rf" }, concurrency: 4 });
    expect(again.tables).toEqual([]);
    expect(again.containers[0]).toMatchObject({ deleted: 1 });
    expect(await snapshot(`rf-${container}`)).toEqual(atInc);

    const v = await runVerify({ repo: s.repo, keys: s.keys }, {});
    expect(v.problems).toEqual([]);
  }, 60_000);

  it("an unchanged file referenced by many points and paths is stored once", async () => {
    const container = uniqueContainer("dup");
    const s = testServices(["Unused"], { LIFEBOAT_CONTAINERS: container });
    await blobService().getContainerClient(container).create();
    const big = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    for (const p of ["a.db", "copy/a.db", "again/a.db"]) await put(container, p, { body: big });
    const deps = { source: s.source, blobs: s.blobs!, repo: s.repo, keys: s.keys };
    const req = { tables: [] as string[], containers: [container], overlapSeconds: 60, chunkEntities: 100 };
    for (let n = 0; n < 3; n++) {
      const r = await runBackup(deps, { ...req, full: n === 1 });
      if (r.status !== "committed") throw new Error("not committed");
    }
    let objects = 0;
    let bytes = 0;
    for await (const o of s.repo.list("objects/")) {
      objects++;
      bytes += o.size;
    }
    expect(objects).toBe(5); // 20 MiB in 4 MiB blocks, once, whatever the paths and points
    expect(bytes).toBeLessThan(big.length + 5 * 1024);
  }, 120_000);

  it("a container that does not exist is a clear error at the start", async () => {
    const s = testServices(["Unused"], { LIFEBOAT_CONTAINERS: "no-such-container-x" });
    await expect(runBackup({ source: s.source, blobs: s.blobs!, repo: s.repo, keys: s.keys }, { tables: [], containers: ["no-such-container-x"], overlapSeconds: 60, chunkEntities: 100 })).rejects.toMatchObject({
      code: "CONTAINER.NOT_FOUND",
    });
  });
});

describe("a large file streams", () => {
  /** Peak RSS of a child process that backs up and restores `container`. */
  async function peakRss(container: string): Promise<number> {
    const root = join(__dirname, "..", "..");
    const env = { ...process.env, ...testServices(["Unused"], { LIFEBOAT_CONTAINERS: container }).settings };
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "test/helpers/container-child.ts")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    if (code !== 0) throw new Error(`child exited ${code}: ${err}`);
    return Number(/maxrss (\d+)/.exec(out)?.[1]);
  }

  /** A container holding one file of `mib` MiB (written as 8 MiB blocks). */
  async function containerWithFile(mib: number): Promise<string> {
    const name = uniqueContainer(`f${mib}`);
    await blobService().getContainerClient(name).create();
    const big = blobService().getContainerClient(name).getBlockBlobClient("db/data.mdf");
    const part = Buffer.alloc(8 * 1024 * 1024);
    const ids: string[] = [];
    for (let i = 0; i < mib / 8; i++) {
      part.fill(i + 1);
      const id = Buffer.from(`blk-${String(i).padStart(4, "0")}`).toString("base64");
      await big.stageBlock(id, part, part.length);
      ids.push(id);
    }
    await big.commitBlockList(ids);
    return name;
  }

  it("memory does not grow with the file: a 128 MiB file peaks where a 32 MiB one does", async () => {
    const small = await containerWithFile(32);
    const large = await containerWithFile(128);
    try {
      const baseline = await peakRss(small);
      const peak = await peakRss(large);
      // Holding the file would add 96 MiB (and its encrypted copy as much again).
      expect(peak - baseline, `peak ${Math.round(peak / 2 ** 20)} MiB for 128 MiB vs ${Math.round(baseline / 2 ** 20)} MiB for 32 MiB`).toBeLessThan(32 * 2 ** 20);
      expect(peak).toBeLessThan(320 * 2 ** 20);
      const restored = await blobService().getContainerClient(`mem-${large}`).getBlobClient("db/data.mdf").getProperties();
      expect(restored.contentLength).toBe(128 * 1024 * 1024);
    } finally {
      // The test Azurite keeps everything in memory: give it back.
      for (const c of [small, large, `mem-${small}`, `mem-${large}`]) await blobService().getContainerClient(c).deleteIfExists();
    }
  }, 240_000);
});

describe("containers through the CLI", () => {
  it("restore --containers (dry run, then for real), and verify names a damaged content object", async () => {
    const container = uniqueContainer("cli");
    const s = testServices(["Unused"], { LIFEBOAT_CONTAINERS: container, LIFEBOAT_TABLES: "Unused" });
    await blobService().getContainerClient(container).create();
    await put(container, "a.json", { body: Buffer.from('{"a":1}'), contentType: "application/json" });
    await put(container, "b.txt", { body: Buffer.from("bee") });
    await s.source.createTable("Unused");
    const point = (await cli(["backup", "--full"], s.settings)).stdout.trim();
    await blobService().getContainerClient(`cp-${container}`).create();
    await put(`cp-${container}`, "stray.txt", { body: Buffer.from("left over") });

    const dry = await cli(["restore", "--point", point, "--containers", container, "--target-prefix", "cp", "--dry-run"], s.settings);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`  container ${container} -> cp-${container}: 2 files, 10 B to write, 1 to delete`);
    expect(dry.stdout).not.toContain("Unused ->");
    const real = await cli(["restore", "--point", point, "--containers", container, "--target-prefix", "cp"], s.settings);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain(`  container ${container} -> cp-${container}: 2 files, 10 B, 1 removed, verified`);
    expect(await snapshot(`cp-${container}`)).toEqual(await snapshot(container));

    const bad = await cli(["restore", "--point", point, "--containers", "Bad_Name", "--target-prefix", "cp"], s.settings);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--containers: "Bad_Name" is not a container name/);

    // Damage one content object in place (as storage corruption would).
    let object = "";
    for await (const o of s.repo.list("objects/")) object = o.path;
    const repoContainer = s.settings.LIFEBOAT_BACKUP_CONTAINER!;
    const damaged = await blobService().getContainerClient(repoContainer).getBlobClient(object).downloadToBuffer();
    damaged[damaged.length - 1]! ^= 1;
    await blobService().getContainerClient(repoContainer).getBlockBlobClient(object).uploadData(damaged);
    const v = await cli(["verify"], s.settings);
    expect(v.code).toBe(3);
    expect(v.stdout).toMatch(new RegExp(`PROBLEM ${point} ${object.replace(/[.]/g, "\\.")}: [ab]\\.(json|txt): `));
  }, 60_000);
});
