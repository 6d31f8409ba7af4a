import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { listPoints } from "../../src/app/repo/catalog";
import { paths } from "../../src/format/manifest";
import { cli } from "../helpers/cli-io";
import { uniqueContainer, uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";

const blobs = (): BlobServiceClient => BlobServiceClient.fromConnectionString(inject("azurite"));

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

describe("the encrypted secondary copy", () => {
  it("a directory secondary receives every point, verified, holds no plaintext, and restores exactly on its own", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lb-secondary-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const table = uniqueTable("Sec");
    const s = testServices([table], { LIFEBOAT_SECONDARY_PATH: dir });
    const records = makeRecords(120, 1, 3).map((r) => ({ ...r, props: { ...r.props, marker: ["String", "PLAINTEXT-MARKER-9f31"] as const } }));
    await seedTable(s.source, table, records);
    const b1 = await cli(["backup"], s.settings);
    expect(b1.code, b1.stderr).toBe(0);
    expect(b1.stderr).toMatch(/secondary store: 1 point\(s\) copied and verified/);
    const b2 = await cli(["backup"], s.settings);
    expect(b2.stderr).toMatch(/secondary store: 1 point\(s\) copied and verified/);
    expect((await listPoints(s.secondary!)).map((p) => p.id)).toEqual((await listPoints(s.repo)).map((p) => p.id));

    for (const f of await filesUnder(dir)) {
      if ((await stat(f)).size === 0) continue;
      expect((await readFile(f)).includes("PLAINTEXT-MARKER"), f).toBe(false);
    }
    const r = await cli(["restore", "--from", "secondary", "--target-prefix", "fromsec"], s.settings);
    expect(r.code, r.stderr).toBe(0);
    await expectTableEquals(`fromsec${table}`, records);
  });

  it("a corrupted primary file: restore (auto) reads the secondary's copy, says so, and the data is exact", async () => {
    const table = uniqueTable("Cor");
    const s = testServices([table], { LIFEBOAT_SECONDARY: inject("azurite"), LIFEBOAT_SECONDARY_CONTAINER: uniqueContainer("sec") });
    const records = makeRecords(200, 1, 2);
    await seedTable(s.source, table, records);
    const point = (await cli(["backup"], s.settings)).stdout.trim();
    // Flip a byte of the first data file in the primary.
    let dataFile = "";
    for await (const o of s.repo.list(paths.dataPrefix(point))) if (!dataFile && /\/d-/.test(o.path)) dataFile = o.path;
    const blob = blobs().getContainerClient(s.settings.LIFEBOAT_BACKUP_CONTAINER!).getBlockBlobClient(dataFile);
    const bytes = await blob.downloadToBuffer();
    bytes[bytes.length - 5]! ^= 0xff;
    await blob.uploadData(bytes);

    const primaryOnly = await cli(["restore", "--from", "primary", "--point", point, "--target-prefix", "pri"], s.settings);
    expect(primaryOnly.code).toBe(1);
    expect(primaryOnly.stderr).toMatch(/DATA\.INTEGRITY: .*does not match the manifest's SHA-256/);
    const auto = await cli(["restore", "--point", point, "--target-prefix", "auto"], s.settings);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stderr).toContain(`note: ${dataFile}: the primary's copy failed its check; read from blob:`);
    await expectTableEquals(`auto${table}`, records);
    const verify = await cli(["verify", "--from", "primary"], s.settings);
    expect(verify.code).toBe(3);
  });

  it("an unreachable secondary does not stop a backup; the next backup catches up, oldest first", async () => {
    const table = uniqueTable("Cat");
    const good = inject("azurite");
    const down = good.replace(/BlobEndpoint=http:\/\/[^/;]+/, "BlobEndpoint=http://127.0.0.1:9");
    const container = uniqueContainer("cat");
    const s = testServices([table], { LIFEBOAT_SECONDARY: down, LIFEBOAT_SECONDARY_CONTAINER: container });
    await seedTable(s.source, table, makeRecords(20, 1, 1));
    const b1 = await cli(["backup"], s.settings);
    expect(b1.code).toBe(0);
    expect(b1.stderr).toMatch(/warning: the copy to the secondary store failed \(it catches up on the next backup\): secondary store \(http:\/\/127\.0\.0\.1:9\/devstoreaccount1\/cat-[0-9a-f]+, LIFEBOAT_SECONDARY\): connection refused/);
    const b2 = await cli(["backup"], { ...s.settings, LIFEBOAT_SECONDARY: good });
    expect(b2.code).toBe(0);
    expect(b2.stderr).toMatch(/secondary store: 2 point\(s\) copied and verified/);
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "backup"], s.settings)).stdout) as { details: { secondary?: { error?: string; points?: string[] } } }[];
    expect(audit[0]!.details.secondary?.error).toMatch(/connection refused/);
    expect(audit[1]!.details.secondary?.points).toHaveLength(2);
  }, 120_000);
});

describe("the latest valid backup", () => {
  it("a restore naming no point passes over a newest point damaged on every store, says so, and restores the newest that opens", async () => {
    const table = uniqueTable("Lat");
    const s = testServices([table]);
    const v1 = makeRecords(40, 1, 2);
    await seedTable(s.source, table, v1);
    const older = (await cli(["backup"], s.settings)).stdout.trim();
    await seedTable(s.source, table, makeRecords(40, 2, 2));
    const newest = (await cli(["backup"], s.settings)).stdout.trim();
    const manifest = blobs().getContainerClient(s.settings.LIFEBOAT_BACKUP_CONTAINER!).getBlockBlobClient(paths.manifest(newest));
    const bytes = await manifest.downloadToBuffer();
    bytes[bytes.length - 3]! ^= 0x40;
    await manifest.uploadData(bytes);

    const r = await cli(["restore", "--target-prefix", "lat"], s.settings);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`NOTE: the newest point is damaged on every store: ${newest} (authentication failed`);
    expect(r.stdout).toContain(`restoring ${older}, the newest that opens`);
    await expectTableEquals(`lat${table}`, v1);
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "restore"], s.settings)).stdout) as { details: { point: string; note?: string } }[];
    expect(audit[0]!.details).toMatchObject({ point: older, note: expect.stringContaining(newest) as string });
  });
});
