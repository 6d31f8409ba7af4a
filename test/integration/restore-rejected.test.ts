import { describe, expect, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { runRestore } from "../../src/app/restore/run-restore";
import type { EntityRecord } from "../../src/core/entity/record";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { withExtraEntity } from "../helpers/store-wrap";
import { expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";

/** 40,000 UTF-16 characters: over the service's 32K-character (64 KiB) limit for one property. */
const HUGE = "h".repeat(40_000);

describe("a restore the table service refuses part of", () => {
  it("an entity Azurite refuses inside a transaction (U+2028) is written on its own; the whole table restores and verifies", async () => {
    const table = uniqueTable("Sep");
    const s = testServices([table]);
    const records = makeRecords(299, 1, 3);
    records[150] = { ...records[150]!, props: { ...records[150]!.props, note: ["String", "line\u2028separated\u2029paragraph"] } };
    // Seeded one by one: Azurite would refuse the transaction that holds it.
    await seedTable(s.source, table, records.filter((_, i) => i !== 150));
    await s.source.submitBatch(table, [{ kind: "upsert", record: records[150]! }]);
    const full = await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, { tables: [table], overlapSeconds: 60, chunkEntities: 100 });
    if (full.status !== "committed") throw new Error("not committed");

    const r = await runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId: full.pointId, target: { kind: "prefix", prefix: "sep" }, concurrency: 4 });
    expect(r.tables[0]!.rejected).toEqual([]);
    // Three partitions of ~100: one transaction each, plus the halvings around the refused one.
    expect(r.tables[0]!.transactions).toBeGreaterThan(3);
    await expectTableEquals(`sep${table}`, records);
  }, 60_000);

  it("an entity the service refuses even alone is named (table, keys, the service's reason, never its values); everything else is restored; exit 1; audited", async () => {
    const table = uniqueTable("Big");
    const s = testServices([table]);
    const records = makeRecords(250, 1, 3);
    await seedTable(s.source, table, records);
    // A backup holding an entity this service will not take (as after a schema change, or a move to a stricter service).
    const huge: EntityRecord = { pk: records[7]!.pk, rk: "r-huge", props: { blob: ["String", HUGE], n: ["Int32", "1"] } };
    const source = withExtraEntity(s.source, huge);
    const full = await runBackup({ source, repo: s.repo, keys: s.keys }, { tables: [table], overlapSeconds: 60, chunkEntities: 100 });
    if (full.status !== "committed") throw new Error("not committed");

    const run = await cli(["--operator", "oncall", "restore", "--point", full.pointId, "--target-prefix", "big"], s.settings);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/RESTORE\.INCOMPLETE: restore of point \S+ is incomplete: the table service refused 1 entity/);
    expect(run.stderr).toContain(`${table} -> big${table} PartitionKey "${huge.pk}" RowKey "r-huge" (upsert): 400 PropertyValueTooLarge`);
    expect(run.stdout).toMatch(new RegExp(`${table} -> big${table}: 250 entities, 0 removed, verified .*, except 1 refused by the service:`));
    expect(run.stdout).toContain(`NOT WRITTEN PartitionKey "${huge.pk}" RowKey "r-huge": 400 PropertyValueTooLarge`);
    for (const text of [run.stdout, run.stderr]) expect(text).not.toContain("hhhhhhhh");
    await expectTableEquals(`big${table}`, records);

    const audit = await cli(["audit", "--json", "--action", "restore"], s.settings);
    const entries = JSON.parse(audit.stdout) as { outcome: string; error: string | null }[];
    expect(entries).toEqual([expect.objectContaining({ outcome: "failed" })]);
    expect(entries[0]!.error).toContain(`PartitionKey "${huge.pk}" RowKey "r-huge"`);
    expect(entries[0]!.error).not.toContain("hhhhhhhh");
  }, 60_000);
});
