import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EntityRecord } from "../../src/core/entity/record";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { expectTableEquals, seedTable } from "../helpers/table-fixtures";

/*
 * docs/format.md §11 says a CSV backup is decrypted without Lifeboat with the Python script
 * or the OpenSSL commands of §8. This runs both exactly as the document prints them (taken
 * from the file, not retyped) on a real CSV backup, and imports what they print. Each is
 * skipped where its tool is not installed.
 */

const DOC = readFileSync(join(__dirname, "..", "..", "docs", "format.md"), "utf8");
const section8 = DOC.slice(DOC.indexOf("## 8. Worked example"), DOC.indexOf("## 10."));
const pythonScript = /```python\n([\s\S]*?)```/.exec(section8)?.[1];
const opensslScript = /```sh\n([\s\S]*?)```/.exec(section8)?.[1];

const has = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
const python = has("python3", ["-c", "import cryptography"]);
const openssl = has("openssl", ["version"]) && has("xxd", ["-v"]);

const records: EntityRecord[] = [
  { pk: "p", rk: "1", props: { n: ["Int64", "9223372036854775807"], d: ["Double", "-Infinity"], s: ["String", "=cmd|' /C calc'!A0, \"x\"\r\n"] } },
  { pk: "p", rk: "2", props: { n: ["String", "é中文😀"], t: ["DateTime", "2020-01-01T00:00:00.0000001Z"] } },
];

async function csvBackupFile(): Promise<{ settings: Record<string, string>; dir: string; path: string; table: string }> {
  const table = uniqueTable("Doc");
  const s = testServices([table]);
  await seedTable(s.source, table, records);
  expect((await cli(["backup", "--full"], s.settings)).code).toBe(0);
  const [backup] = JSON.parse((await cli(["csv-backups", "--json"], s.settings)).stdout) as { files: { path: string }[] }[];
  const dir = mkdtempSync(join(tmpdir(), "lifeboat-docs-"));
  const path = join(dir, "c-000000.csv.gz.lbe");
  writeFileSync(path, await s.repo.get(backup!.files[0]!.path));
  writeFileSync(join(dir, "kek.txt"), `${s.settings.LIFEBOAT_KEK}\n`);
  return { settings: s.settings, dir, path, table };
}

async function importsExactly(settings: Record<string, string>, dir: string, csv: string): Promise<void> {
  const file = join(dir, "decrypted.typed.csv");
  writeFileSync(file, csv);
  const target = uniqueTable("FromDoc");
  const r = await cli(["import-csv", "--table", target, "--file", file, "--mode", "apply", "--create"], settings);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  await expectTableEquals(target, records);
}

describe("docs/format.md §11: decrypting a CSV backup without Lifeboat", () => {
  it("the documents carry both procedures", () => {
    expect(pythonScript).toContain("csv+gzip");
    expect(opensslScript).toContain("+gzip");
  });

  it.skipIf(!python)("with the Python script of §8", async () => {
    const { settings, dir, path } = await csvBackupFile();
    writeFileSync(join(dir, "lbdecrypt.py"), pythonScript!);
    const r = spawnSync("python3", ["lbdecrypt.py", "kek.txt", path], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    await importsExactly(settings, dir, r.stdout);
  }, 60_000);

  it.skipIf(!openssl)("with the OpenSSL commands of §8 (not authenticated)", async () => {
    const { settings, dir, path } = await csvBackupFile();
    const r = spawnSync("bash", ["-euo", "pipefail", "-c", opensslScript!.replace(/^f=.*$/m, `f=${JSON.stringify(path)}`)], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    await importsExactly(settings, dir, r.stdout);
  }, 60_000);
});
