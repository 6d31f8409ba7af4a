import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { typedCsv } from "../../src/app/csv/csv-writer";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServicesSource } from "../helpers/read";
import { testServices } from "../helpers/services";
import { expectTableEquals, makeRecords } from "../helpers/table-fixtures";
import { killChildren, sleep, startTsxChild } from "../helpers/tsx-child";

afterEach(killChildren);

describe("CSV import crash safety", () => {
  it("an import SIGKILLed midway through apply, then re-run, gives exactly the file's table", async () => {
    const table = uniqueTable("CsvCrash");
    const s = testServices([table], { LIFEBOAT_RESTORE_CONCURRENCY: "1" });
    const records = makeRecords(3000, 1, 10).map((r, i) => ({ ...r, props: { ...r.props, d: ["Double", i % 7 === 0 ? "NaN" : String(i / 4)] as const } }));
    const file = join(mkdtempSync(join(tmpdir(), "lifeboat-csv-crash-")), "big.typed.csv");
    writeFileSync(file, typedCsv(records));

    const child = startTsxChild("import-child.ts", { ...s.settings, LIFEBOAT_TEST_TABLE: table, LIFEBOAT_TEST_FILE: file, LIFEBOAT_TEST_BATCH_DELAY_MS: "150" });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.process.exitCode === null && (child.out.match(/^batch /gm) ?? []).length < 5) await sleep(20);
    child.process.kill("SIGKILL");
    const { signal } = await child.exited;
    expect(signal, `the child finished before it was killed (stdout: ${child.out}, stderr: ${child.err})`).toBe("SIGKILL");
    expect(child.out).not.toMatch(/imported/);
    const partial = await testServicesSource(table);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(records.length);

    const again = await cli(["import-csv", "--table", table, "--file", file, "--mode", "apply"], s.settings);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/imported: 3000 entities/);
    await expectTableEquals(table, records);
  }, 120_000);
});
