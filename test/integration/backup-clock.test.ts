import { describe, expect, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { runRestore } from "../../src/app/restore/run-restore";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { deleteFromTable, expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";

const TEN_MINUTES = 10 * 60 * 1000;

describe("watermarks on the storage service's clock", () => {
  for (const [name, skew] of [["ten minutes ahead", TEN_MINUTES], ["ten minutes behind", -TEN_MINUTES]] as const) {
    it(`a local clock ${name} loses no change across full → writes → incremental → restore, and is warned about`, async () => {
      const table = uniqueTable("Clock");
      const s = testServices([table]);
      const deps = { source: s.source, repo: s.repo, keys: s.keys, now: () => new Date(Date.now() + skew) };
      const req = { tables: [table], overlapSeconds: 300, chunkEntities: 100 };
      const v1 = makeRecords(200, 1, 4);
      await seedTable(s.source, table, v1);
      const full = await runBackup(deps, { ...req, full: true });
      if (full.status !== "committed") throw new Error("full not committed");
      expect(full.warnings).toEqual([expect.stringMatching(new RegExp(`^the local clock is (59\\d|6\\d\\d)\\.\\d s ${skew > 0 ? "ahead of" : "behind"} the storage service's`))]);

      // Changes right after the full: by the skewed clock they are ten minutes off the watermark.
      const v2 = makeRecords(20, 2, 4);
      await seedTable(s.source, table, v2);
      await deleteFromTable(s.source, table, v1.slice(100, 110));
      const inc = await runBackup(deps, req);
      if (inc.status !== "committed") throw new Error("incremental not committed");
      expect(inc.entities).toBeGreaterThanOrEqual(20);
      expect(inc.tombstones).toBe(10);

      await runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId: inc.pointId, target: { kind: "prefix", prefix: "ck" }, concurrency: 4 });
      const gone = new Set(v1.slice(100, 110).map((r) => r.rk));
      const changed = new Map(v2.map((r) => [r.rk, r]));
      await expectTableEquals(`ck${table}`, v1.filter((r) => !gone.has(r.rk)).map((r) => changed.get(r.rk) ?? r));
    });
  }

  it("a clock within a tenth of the overlap gives no warning", async () => {
    const table = uniqueTable("Clk");
    const s = testServices([table]);
    await seedTable(s.source, table, makeRecords(10, 1, 1));
    const r = await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, { tables: [table], overlapSeconds: 300, chunkEntities: 100 });
    expect(r.status === "committed" && r.warnings).toEqual([]);
  });
});
