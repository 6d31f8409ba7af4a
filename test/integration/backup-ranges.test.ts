import { describe, expect, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { runRestore } from "../../src/app/restore/run-restore";
import type { ProgressEvent, ProgressSink } from "../../src/app/progress";
import { listPoints, loadManifest } from "../../src/app/repo/catalog";
import { readKeys } from "../../src/app/repo/files";
import { probeBoundaries, tableRanges } from "../../src/app/tables/table-ranges";
import type { TableSegment } from "../../src/format/manifest";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { deleteFromTable, expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";
import { withScan } from "../helpers/store-wrap";
import { mulberry32 } from "../../bench/workload";
import type { EntityRecord } from "../../src/core/entity/record";

describe("backups that read a table in PartitionKey ranges at once", () => {
  it("store the same content and keys, in the same order, as one stream; split where the last point's key files begin", async () => {
    const table = uniqueTable("Ranges");
    const s = testServices([table]);
    const deps = { source: s.source, repo: s.repo, keys: s.keys };
    const records = makeRecords(3600, 1, 12); // partitions p00..p11, more than three pages of keys
    await seedTable(s.source, table, records);

    // No point yet: the ranges come from probing the key space.
    expect(await probeBoundaries(s.source, table, 4)).toEqual(["p00", "p10"]);
    expect((await tableRanges(s.source, table, undefined, 4)).source).toBe("probe");
    expect((await tableRanges(s.source, table, undefined, 1)).ranges).toEqual([{}]);

    const req = { tables: [table], overlapSeconds: 60, chunkEntities: 100 };
    const segmentOf = async (concurrency: number, full: boolean, progress?: ProgressSink): Promise<TableSegment> => {
      const r = await runBackup({ ...deps, ...(progress ? { progress } : {}) }, { ...req, full, scanConcurrency: concurrency });
      if (r.status !== "committed") throw new Error("not committed");
      return (await loadManifest(s.repo, s.keys, r.pointId)).tables[table]!;
    };
    const keysOf = async (seg: TableSegment): Promise<string[]> => {
      const out: string[] = [];
      for await (const k of readKeys(s.repo, s.keys, seg.keys)) out.push(`${k.pk}/${k.rk}`);
      return out;
    };

    const probed = await segmentOf(4, true);
    // Every key file (and the full's data file) records where it begins.
    expect(probed.keys.every((f) => typeof f.firstPk === "string")).toBe(true);
    expect(probed.data.every((f) => typeof f.firstPk === "string")).toBe(true);
    const fromFiles = await tableRanges(s.source, table, probed.keys, 4);
    expect(fromFiles.source).toBe("key files");
    expect(fromFiles.ranges.length).toBeGreaterThan(3);

    const events: ProgressEvent[] = [];
    const split = await segmentOf(4, true, (e) => events.push(e)); // ranges from the probed point's key files
    // The progress says how the table was read, and counts toward the last point's entities.
    const last = events.filter((e) => e.phase === "full scan" && e.final).at(-1);
    expect(last?.note).toMatch(/^\d+ PartitionKey ranges, 4 at a time \(split at the last point's key files\)$/);
    expect(last?.total).toBe(3600);
    expect(last?.done).toBe(3600);
    const oneStream = await segmentOf(1, true);
    const sorted = records.map((r) => `${r.pk}/${r.rk}`).sort();
    for (const seg of [probed, split, oneStream]) {
      expect(seg.entities).toBe(3600);
      expect(seg.contentDigest).toBe(oneStream.contentDigest);
      // Key files in the service's key order, whatever the split: the deletion diff is a sorted merge.
      expect(await keysOf(seg)).toEqual(sorted);
    }

    // An incremental read in ranges: changes in several ranges and deletions in others.
    const changed = makeRecords(24, 2, 12);
    await seedTable(s.source, table, changed);
    const gone = records.filter((r) => r.pk === "p03" || r.pk === "p11").slice(0, 50);
    await deleteFromTable(s.source, table, gone);
    const inc = await runBackup(deps, { ...req, scanConcurrency: 4 });
    if (inc.status !== "committed") throw new Error("incremental not committed");
    expect(inc.tombstones).toBe(50);
    const incSeg = (await loadManifest(s.repo, s.keys, inc.pointId)).tables[table]!;
    expect(incSeg.keyCount).toBe(3550);

    // Restored into a table that holds leftovers: the sweep reads it in ranges too.
    await seedTable(s.source, `rg${table}`, [{ pk: "p05", rk: "leftover", props: {} }, { pk: "zz", rk: "leftover", props: {} }]);
    await runRestore(deps, { pointId: inc.pointId, target: { kind: "prefix", prefix: "rg" }, concurrency: 4, scanConcurrency: 4 });
    const goneKeys = new Set(gone.map((r) => `${r.pk}/${r.rk}`));
    const byKey = new Map(changed.map((r) => [`${r.pk}/${r.rk}`, r]));
    await expectTableEquals(
      `rg${table}`,
      records.filter((r) => !goneKeys.has(`${r.pk}/${r.rk}`)).map((r) => byKey.get(`${r.pk}/${r.rk}`) ?? r),
    );
  });

  it("read a small table as one range without probing", async () => {
    const table = uniqueTable("Small");
    const s = testServices([table]);
    await seedTable(s.source, table, makeRecords(50, 1, 5));
    expect(await probeBoundaries(s.source, table, 4)).toEqual([]);
    expect(await tableRanges(s.source, table, undefined, 4)).toEqual({ ranges: [{}], source: "none" });
  });

  it("split random keys at their first character, and a failing range fails the backup with nothing committed", async () => {
    const table = uniqueTable("Guid");
    const s = testServices([table]);
    const rnd = mulberry32(17);
    const hex = (): string => Math.floor(rnd() * 0x1_0000_0000).toString(16).padStart(8, "0");
    const records: EntityRecord[] = Array.from({ length: 3200 }, (_, i) => ({ pk: hex(), rk: `r${i}`, props: { n: ["Int32", String(i)] } }));
    await seedTable(s.source, table, records);
    const bounds = await probeBoundaries(s.source, table, 4);
    // Random hex keys differ at the first character: a boundary for each of 0-9a-f found.
    expect(bounds.length).toBeGreaterThanOrEqual(8);
    expect(bounds).toEqual([...bounds].sort());
    expect(new Set(bounds.map((b) => b.length))).toEqual(new Set([8]));

    const req = { tables: [table], overlapSeconds: 60, chunkEntities: 100, scanConcurrency: 4, full: true };
    const ok = await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, req);
    if (ok.status !== "committed") throw new Error("not committed");
    const seg = (await loadManifest(s.repo, s.keys, ok.pointId)).tables[table]!;
    const keys: string[] = [];
    for await (const k of readKeys(s.repo, s.keys, seg.keys)) keys.push(`${k.pk}/${k.rk}`);
    expect(keys).toEqual(records.map((r) => `${r.pk}/${r.rk}`).sort((a, b) => (a < b ? -1 : 1)));

    // A range in the middle fails after its first page: the backup fails, and no point is added.
    const middle = seg.keys[Math.floor(seg.keys.length / 2)]!.firstPk!;
    const failing = withScan(s.source, (t, o) =>
      o?.partitions?.from === middle
        ? (async function* () {
            for await (const page of s.source.scan(t, o)) {
              yield page;
              throw new Error("the service went away mid-range");
            }
          })()
        : s.source.scan(t, o),
    );
    const before = (await listPoints(s.repo)).length;
    await expect(runBackup({ source: failing, repo: s.repo, keys: s.keys }, req)).rejects.toThrow("the service went away mid-range");
    expect((await listPoints(s.repo)).length).toBe(before);
    // The lock was let go: the next backup runs.
    expect((await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, req)).status).toBe("committed");
  });
});

