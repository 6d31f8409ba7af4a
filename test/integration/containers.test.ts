import { createHash } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, inject, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { runRestore } from "../../src/app/restore/run-restore";
import { runVerify } from "../../src/app/verify/run-verify";
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

const awkward = ["config/app.yaml", "config/settings.json", ".env", "scripts/enrich ü ñ 日本.py", "deep/" + "d/".repeat(40) + "file%20name.bin", "spaces in name.txt", "empty.bin"];

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
    const deps = { source: s.source, blobs: s.blobs!, repo: s.repo, keys: s.keys };
    const req = { tables: [table], containers: [container], overlapSeconds: 60, chunkEntities: 100 };

    const full = await runBackup(deps, { ...req, full: true });
    if (full.status !== "committed") throw new Error("full not committed");
    expect(full.containers).toEqual([{ container, files: 7, read: 7, readBytes: expect.any(Number) as number, removed: 0, skipped: [] }]);
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
    expect(inc.containers[0]).toMatchObject({ files: 7, read: 2, removed: 1, skipped: [] });
    const atInc = await snapshot(container);

    await blobService().getContainerClient(container).deleteBlob(awkward[1]!);
    await put(container, awkward[2]!, { body: Buffer.from("API_TOKEN=changed-after\n") });

    // Point-in-time: the full, then the incremental, each into new containers; tables with them.
    const r1 = await runRestore(deps, { pointId: full.pointId, target: { kind: "prefix", prefix: "rf" }, concurrency: 4 });
    expect(r1.containers).toEqual([{ container, target: `rf-${container}`, files: 7, bytes: expect.any(Number) as number, deleted: 0 }]);
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
