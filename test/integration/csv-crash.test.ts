import { spawn, type ChildProcess } from "node:child_process";
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

const ROOT = join(__dirname, "..", "..");
const CHILD = join(ROOT, "test", "helpers", "import-child.ts");

const children: ChildProcess[] = [];
afterEach(() => {
  // Never leave a child of ours running (by its own pid only).
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, "SIGKILL");
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("CSV import crash safety", () => {
  it("an import SIGKILLed midway through apply, then re-run, gives exactly the file's table", async () => {
    const table = uniqueTable("CsvCrash");
    const s = testServices([table], { LIFEBOAT_RESTORE_CONCURRENCY: "1" });
    const records = makeRecords(3000, 1, 10).map((r, i) => ({ ...r, props: { ...r.props, d: ["Double", i % 7 === 0 ? "NaN" : String(i / 4)] as const } }));
    const file = join(mkdtempSync(join(tmpdir(), "lifeboat-csv-crash-")), "big.typed.csv");
    writeFileSync(file, typedCsv(records));

    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      cwd: ROOT,
      env: { ...process.env, ...s.settings, LIFEBOAT_TEST_TABLE: table, LIFEBOAT_TEST_FILE: file, LIFEBOAT_TEST_BATCH_DELAY_MS: "150" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (_code, signal) => resolve({ signal })));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null && (out.match(/^batch /gm) ?? []).length < 5) await sleep(20);
    child.kill("SIGKILL");
    const { signal } = await exited;
    expect(signal, `the child finished before it was killed (stdout: ${out}, stderr: ${err})`).toBe("SIGKILL");
    expect(out).not.toMatch(/imported/);
    const partial = await testServicesSource(table);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(records.length);

    const again = await cli(["import-csv", "--table", table, "--file", file, "--mode", "apply"], s.settings);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/imported: 3000 entities/);
    await expectTableEquals(table, records);
  }, 120_000);
});
