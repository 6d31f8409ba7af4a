import { describe, expect, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { listPoints, loadManifest } from "../../src/app/repo/catalog";
import { runRestore } from "../../src/app/restore/run-restore";
import { runVerify } from "../../src/app/verify/run-verify";
import { EXIT } from "../../src/cli/context";
import { IntegrityError } from "../../src/core/errors";
import { paths } from "../../src/format/manifest";
import { accountKeyOf, cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServicesSource } from "../helpers/read";
import { testServices } from "../helpers/services";
import { flipByte } from "../helpers/tamper";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

async function backedUp(entities = 25) {
  const table = uniqueTable("Corrupt");
  const s = testServices([table], { LIFEBOAT_CHUNK_ENTITIES: "100" });
  await seedTable(s.source, table, makeRecords(entities));
  // Small chunks so the point has several data files.
  const r = await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, { tables: [table], overlapSeconds: 60, chunkEntities: 10 });
  if (r.status !== "committed") throw new Error(`backup not committed: ${r.reason}`);
  const manifest = await loadManifest(s.repo, s.keys, r.pointId);
  const data = manifest.tables[table]!.data.map((f) => f.path);
  expect(data.length).toBeGreaterThanOrEqual(3);
  expect((await runVerify({ repo: s.repo, keys: s.keys }, {})).problems).toEqual([]);
  return { s, table, pointId: r.pointId, data };
}

async function tableExists(s: ReturnType<typeof testServices>, name: string): Promise<boolean> {
  return s.source.tableExists(name);
}

describe("verify detects corruption at rest", () => {
  it("a data file with one byte flipped: verify names exactly that path, the CLI exits 3, restore fails with IntegrityError and writes nothing", async () => {
    const { s, table, pointId, data } = await backedUp();
    // Restore reads the newest point's files from the last one backwards: corrupt the
    // first file it reads, so nothing can have been written before the check.
    const victim = data.at(-1)!;
    await flipByte(s.repo, victim, (n) => Math.floor(n / 2));

    const v = await runVerify({ repo: s.repo, keys: s.keys }, {});
    expect(v.points).toBe(1);
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toMatchObject({ pointId, path: victim });
    expect(v.problems[0]!.problem).toMatch(/SHA-256|authenticat/i);

    const run = await cli(["verify"], s.settings);
    expect(run.code).toBe(EXIT.problems);
    expect(run.stdout).toContain(victim);
    expect(run.stdout).toMatch(/FAILED/);
    expect(run.stderr).toMatch(/problem/);
    expect(run.stdout + run.stderr).not.toContain(s.settings.LIFEBOAT_KEK);
    expect(run.stdout + run.stderr).not.toContain(accountKeyOf(s.settings.LIFEBOAT_BACKUP!)!);

    const single = await cli(["verify", "--point", pointId, "--json"], s.settings);
    expect(single.code).toBe(EXIT.problems);
    const parsed = JSON.parse(single.stdout) as { problems: { path: string }[] };
    expect(parsed.problems.map((p) => p.path)).toEqual([victim]);

    const target = `bad${table}`;
    const err: unknown = await runRestore(
      { source: s.source, repo: s.repo, keys: s.keys },
      { pointId, target: { kind: "prefix", prefix: "bad" }, concurrency: 4 },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as IntegrityError).message).toContain(victim);
    if (await tableExists(s, target)) expect(await testServicesSource(target)).toEqual([]);

    // Nothing new was committed by any of this.
    expect((await listPoints(s.repo)).map((p) => p.id)).toEqual([pointId]);
  });

  it("a corrupted file in the middle of the point is reported for that path only", async () => {
    const { s, pointId, data } = await backedUp();
    const victim = data[1]!;
    await flipByte(s.repo, victim, (n) => n - 1); // the last byte: the GCM tag
    const v = await runVerify({ repo: s.repo, keys: s.keys }, { pointId });
    expect(v.problems.map((p) => p.path)).toEqual([victim]);
    await expect(
      runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId, target: { kind: "prefix", prefix: "mid" }, concurrency: 4 }),
    ).rejects.toBeInstanceOf(IntegrityError);
  });

  it("a manifest with one byte flipped: verify reports the manifest, the CLI exits 3, restore fails with IntegrityError", async () => {
    const { s, table, pointId } = await backedUp();
    const manifestPath = paths.manifest(pointId);
    // Inside the ciphertext (past the header), so authentication must catch it.
    await flipByte(s.repo, manifestPath, (n) => n - 20);
    // The listing index still shows the point: tampering is only caught by authentication.
    expect((await listPoints(s.repo)).map((p) => p.id)).toEqual([pointId]);

    const v = await runVerify({ repo: s.repo, keys: s.keys }, {});
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]!.pointId).toBe(pointId);
    expect(v.problems[0]!.path).toBe(`points/${pointId}`);
    expect(v.problems[0]!.problem).toMatch(/^manifest: /);

    const run = await cli(["verify"], s.settings);
    expect(run.code).toBe(EXIT.problems);
    expect(run.stdout).toContain(pointId);
    expect(run.stdout).toMatch(/manifest/);

    await expect(
      runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId, target: { kind: "prefix", prefix: "man" }, concurrency: 4 }),
    ).rejects.toBeInstanceOf(IntegrityError);
    expect(await tableExists(s, `man${table}`)).toBe(false);
  });

  it("a flipped byte in the manifest's clear-text header is caught too (the header is authenticated)", async () => {
    const { s, pointId } = await backedUp();
    // "LBOATv1\n" + 4-byte length, then the JSON header: flip a byte inside the header's JSON text.
    const bytes = await s.repo.get(paths.manifest(pointId));
    const headerLen = bytes.readUInt32BE(8);
    const header = bytes.subarray(12, 12 + headerLen).toString("utf8");
    const ivAt = header.indexOf('"iv":"') + 8; // a base64 character of the IV
    expect(ivAt).toBeGreaterThan(8);
    await flipByte(s.repo, paths.manifest(pointId), () => 12 + ivAt);
    const v = await runVerify({ repo: s.repo, keys: s.keys }, {});
    expect(v.problems.map((p) => p.path)).toEqual([`points/${pointId}`]);
  });

  it("a data file deleted from the repository is reported as a problem for that path", async () => {
    const { s, pointId, data } = await backedUp();
    const victim = data[0]!;
    await s.repo.delete(victim);
    const v = await runVerify({ repo: s.repo, keys: s.keys }, {});
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toMatchObject({ pointId, path: victim });
    const run = await cli(["verify"], s.settings);
    expect(run.code).toBe(EXIT.problems);
    expect(run.stdout).toContain(victim);
  });
});
