import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServices, testSettings } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

/** Settings whose every store is down: all endpoints on a port nothing listens on. */
function storageDown(): Record<string, string> {
  const down = [
    "DefaultEndpointsProtocol=http",
    "AccountName=devstoreaccount1",
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1",
    "TableEndpoint=http://127.0.0.1:9/devstoreaccount1",
  ].join(";");
  return { ...testSettings(["Customers"]), LIFEBOAT_SOURCE: down, LIFEBOAT_BACKUP: down };
}

describe("the CLI at 3 a.m.", () => {
  it("bad input is refused with exit 2 and the rule first, even with every store down", async () => {
    const env = storageDown();
    const [noTarget, badPoint, badPrefix, badTable] = await Promise.all([
      cli(["restore"], env),
      cli(["verify", "--point", "nope"], env),
      cli(["restore", "--point", "20261126T024500123Z-i1a2b3c", "--target-prefix", "1bad"], env),
      cli(["restore", "--tables", "Customers,bad-name", "--target-prefix", "chk"], env),
    ]);
    for (const r of [noTarget, badPoint, badPrefix, badTable]) expect(r.code).toBe(2);
    expect(noTarget.stderr).toMatch(/^lifeboat: a target is required: --target-prefix <p> \(new tables\) or --in-place\n\(this refusal could not be recorded in the audit log: /);
    expect(badPoint.stderr).toMatch(/^lifeboat: --point: must be a restore point id such as 20261126T134500123Z-f1a2b3c/);
    expect(badPrefix.stderr).toMatch(/^lifeboat: --target-prefix: must start with a letter/);
    expect(badTable.stderr).toMatch(/^lifeboat: --tables: "bad-name" is not a table name/);
  }, 30_000);

  it("a restore reports its progress with a percentage, and --quiet silences it", async () => {
    const table = uniqueTable("Prog");
    const s = testServices([table]);
    await seedTable(s.source, table, makeRecords(300, 1, 3));
    const point = (await cli(["backup", "--full"], s.settings)).stdout.trim();
    const loud = await cli(["restore", "--point", point, "--target-prefix", "pg"], s.settings);
    expect(loud.code).toBe(0);
    expect(loud.stderr).toMatch(new RegExp(`^restore pg${table}: 300 entities, \\d+/s, [\\d.]+ KiB \\([\\d.]+ s\\), 100%$`, "m"));
    expect(loud.stderr).toMatch(new RegExp(`^verify pg${table}: 300 entities, .*100%$`, "m"));
    const quiet = await cli(["--quiet", "restore", "--point", point, "--target-prefix", "pq"], s.settings);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
  });
});
