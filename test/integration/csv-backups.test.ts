import { createDecipheriv } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { applyRetention } from "../../src/app/retention/apply-retention";
import type { EntityRecord } from "../../src/core/entity/record";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";

/** docs/format.md §2 and §11 by hand, with node:crypto only: the KEK unwraps the data key, AES-GCM (AAD = magic + length + header), gunzip. */
function decryptByHand(file: Buffer, kekBase64: string): { header: { contentType: string }; csv: string } {
  expect(file.subarray(0, 8).toString("latin1")).toBe("LBOATv1\n");
  const n = file.readUInt32BE(8);
  const header = JSON.parse(file.subarray(12, 12 + n).toString("utf8")) as { wrappedKey: string; iv: string; contentType: string };
  const unwrap = createDecipheriv("id-aes256-wrap", Buffer.from(kekBase64, "base64"), Buffer.from("A6A6A6A6A6A6A6A6", "hex"));
  const dataKey = Buffer.concat([unwrap.update(Buffer.from(header.wrappedKey, "base64")), unwrap.final()]);
  const gcm = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(header.iv, "base64"));
  gcm.setAAD(file.subarray(0, 12 + n));
  gcm.setAuthTag(file.subarray(file.length - 16));
  const plain = Buffer.concat([gcm.update(file.subarray(12 + n, file.length - 16)), gcm.final()]);
  return { header, csv: gunzipSync(plain).toString("utf8") };
}

const records: EntityRecord[] = [
  { pk: "a", rk: "1", props: { big: ["Int64", "9007199254740993"], d: ["Double", "2"], nan: ["Double", "NaN"], t: ["DateTime", "2020-01-01T00:00:00.1234567Z"], s: ["String", "=1+2, \"q\"\r\nx"] } },
  { pk: "a", rk: "2", props: { big: ["String", "not a number here"], b: ["Binary", "AAEC"], g: ["Guid", "11111111-2222-3333-4444-555555555555"], ok: ["Boolean", "false"] } },
  { pk: "b", rk: "3", props: {} },
];

describe("CSV backups (LIFEBOAT_CSV_BACKUPS)", () => {
  it("a full point writes a sealed typed-CSV copy per table from its scan; decrypted by hand it imports exactly; verify checks it", async () => {
    const table = uniqueTable("CsvBk");
    const secondaryDir = mkdtempSync(join(tmpdir(), "lifeboat-csvbk-secondary-"));
    const s = testServices([table], { LIFEBOAT_CHUNK_ENTITIES: "100", LIFEBOAT_SECONDARY_PATH: secondaryDir });
    const all = [...records, ...makeRecords(150, 1, 3)];
    await seedTable(s.source, table, all);
    const full = (await cli(["backup", "--full"], s.settings)).stdout.trim();
    const incremental = (await cli(["backup"], s.settings)).stdout.trim();
    const listed = await cli(["csv-backups", "--json"], s.settings);
    expect(listed.code, listed.stderr).toBe(0);
    const list = JSON.parse(listed.stdout) as { pointId: string; table: string; rows: number; files: { path: string; rows: number }[] }[];
    // Full segments only; two files of at most LIFEBOAT_CHUNK_ENTITIES rows.
    expect(list.map((b) => [b.pointId, b.table, b.rows, b.files.map((f) => f.rows)])).toEqual([[full, table, 153, [100, 53]]]);
    expect(incremental).not.toBe(full);
    expect(list[0]!.files[0]!.path).toBe(`data/${full}/${table}/c-000000.csv.gz.lbe`);
    expect((await cli(["csv-backups"], s.settings)).stdout).toContain(full);
    // Copied to the secondary store with the rest of the point, byte for byte.
    for (const f of list[0]!.files) expect((await s.secondary!.get(f.path)).equals(await s.repo.get(f.path))).toBe(true);

    // Each file is a complete typed CSV: concatenating the decrypted files' rows gives the table.
    const dir = mkdtempSync(join(tmpdir(), "lifeboat-csvbk-"));
    const target = uniqueTable("FromCsv");
    for (const [i, f] of list[0]!.files.entries()) {
      const { header, csv } = decryptByHand(await s.repo.get(f.path), s.settings.LIFEBOAT_KEK!);
      expect(header.contentType).toBe("csv+gzip");
      expect(csv.startsWith("PartitionKey,RowKey,Timestamp,")).toBe(true);
      const path = join(dir, `part${i}.typed.csv`);
      writeFileSync(path, csv);
      const r = await cli(["import-csv", "--table", target, "--file", path, "--mode", "apply", "--create"], s.settings);
      expect(r.code, r.stderr).toBe(0);
    }
    await expectTableEquals(target, all);

    const verified = await cli(["verify", "--all", "--json"], s.settings);
    expect(verified.code, verified.stdout).toBe(0);
    // A CSV copy replaced by another sealed file: verify names it.
    const [first, second] = list[0]!.files;
    await s.repo.delete(first!.path);
    await s.repo.put(first!.path, await s.repo.get(second!.path));
    const damaged = await cli(["verify", "--point", full, "--json"], s.settings);
    expect(damaged.code).toBe(3);
    expect(damaged.stdout).toContain(first!.path);
  }, 60_000);

  it("LIFEBOAT_CSV_BACKUPS=off writes none; retention deletes a point's CSV copies with the point", async () => {
    const table = uniqueTable("CsvOff");
    const off = testServices([table], { LIFEBOAT_CSV_BACKUPS: "off" });
    await seedTable(off.source, table, makeRecords(5));
    expect((await cli(["backup", "--full"], off.settings)).code).toBe(0);
    expect(JSON.parse((await cli(["csv-backups", "--json"], off.settings)).stdout)).toEqual([]);
    const bad = await cli(["points"], { ...off.settings, LIFEBOAT_CSV_BACKUPS: "sometimes" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/LIFEBOAT_CSV_BACKUPS: must be full or off/);

    const s = testServices([table]);
    const first = (await cli(["backup", "--full"], s.settings)).stdout.trim();
    const second = (await cli(["backup", "--full"], s.settings)).stdout.trim();
    const before = JSON.parse((await cli(["csv-backups", "--json"], s.settings)).stdout) as { pointId: string; files: { path: string }[] }[];
    expect(before.map((b) => b.pointId)).toEqual([first, second]);
    const r = await applyRetention({ repo: s.repo, keys: s.keys }, { policy: { incrementalDays: 7, dailyDays: 30, weeklyWeeks: 26 }, asOf: new Date(Date.now() + 400 * 86_400_000), graceMs: 0 });
    expect(r.removed.map((x) => x.id)).toContain(first);
    for (const f of before.find((b) => b.pointId === first)!.files) expect(await s.repo.exists(f.path)).toBe(false);
    const after = JSON.parse((await cli(["csv-backups", "--json"], s.settings)).stdout) as { pointId: string; files: { path: string }[] }[];
    expect(after.map((b) => b.pointId)).not.toContain(first);
    for (const b of after) for (const f of b.files) expect(await s.repo.exists(f.path)).toBe(true);
  }, 60_000);
});
