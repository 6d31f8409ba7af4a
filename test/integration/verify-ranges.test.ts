import { describe, expect, it } from "vitest";
import { verifyTarget } from "../../src/app/restore/verify-target";
import { ContentDigest } from "../../src/core/entity/content-digest";
import { IntegrityError } from "../../src/core/errors";
import { noProgress } from "../../src/app/progress";
import { caught } from "../helpers/caught";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

describe("a verification that reads PartitionKey ranges at once", () => {
  it("adds up to the same digest as one scan, and still sees an entity that should not be there, in any range", async () => {
    const table = uniqueTable("Ranges");
    const s = testServices([table]);
    const records = makeRecords(600, 1, 12); // partitions p00..p11
    await seedTable(s.source, table, records);
    const expected = new ContentDigest();
    for (const r of records) expected.add(r);
    const noRefusals = { upserts: new ContentDigest(), deletes: [] };
    const check = (boundaries: string[], concurrency: number) =>
      verifyTarget({ store: s.source, table, target: table, expected, refused: noRefusals, progress: noProgress, boundaries, concurrency });
    await check([], 1);
    await check(["p03", "p03", "p07", "p10"], 4);
    await check(["p00", "p05"], 2);

    // One stray entity in a middle range: every split finds it.
    await seedTable(s.source, table, [{ pk: "p06", rk: "stray", props: { x: ["Int32", "1"] } }]);
    for (const [b, c] of [[[], 1], [["p03", "p07"], 3], [["p06"], 2]] as [string[], number][]) {
      const err = await caught(check(b, c));
      expect(err, JSON.stringify(b)).toBeInstanceOf(IntegrityError);
      expect((err as IntegrityError).message).toMatch(/holds 601 entities .* the backup 600/);
    }
  });
});
