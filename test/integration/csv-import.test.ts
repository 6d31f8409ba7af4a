import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { typedCsv } from "../../src/app/csv/csv-writer";
import { loadConfig } from "../../src/config";
import type { EntityRecord } from "../../src/core/entity/record";
import { csvExport } from "../../src/functions/exports";
import { csvImport } from "../../src/functions/imports";
import { resetServices } from "../../src/functions/shared/runtime";
import { createServices } from "../../src/services";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServicesSource } from "../helpers/read";
import { testServices } from "../helpers/services";
import { deleteFromTable, expectTableEquals, makeRecords, normalized, seedTable } from "../helpers/table-fixtures";

const bin = Buffer.alloc(3000);
for (let i = 0; i < bin.length; i++) bin[i] = (i * 37 + 11) & 0xff;

/** Every EDM type and the values CSV, JSON or JavaScript numbers would damage. */
function awkward(): EntityRecord[] {
  return [
    {
      pk: "edm",
      rk: "numbers",
      props: {
        i64max: ["Int64", "9223372036854775807"],
        i64p53: ["Int64", "9007199254740993"],
        i64min: ["Int64", "-9223372036854775808"],
        i32min: ["Int32", "-2147483648"],
        whole: ["Double", "2"],
        nan: ["Double", "NaN"],
        inf: ["Double", "Infinity"],
        ninf: ["Double", "-Infinity"],
        tiny: ["Double", "5e-324"],
        tenth: ["Double", "0.1"],
        e21: ["Double", "1e+21"],
      },
    },
    {
      pk: "edm",
      rk: "others",
      props: {
        seven: ["DateTime", "2020-01-01T00:00:00.1234567Z"],
        y1601: ["DateTime", "1601-01-01T00:00:00.0000000Z"],
        whole: ["DateTime", "2024-02-29T12:34:56Z"],
        g: ["Guid", "11111111-2222-3333-4444-555555555555"],
        bin: ["Binary", bin.toString("base64")],
        binEmpty: ["Binary", ""],
        yes: ["Boolean", "true"],
        no: ["Boolean", "false"],
        mixed: ["Int64", "5"],
      },
    },
    {
      pk: "str, \"quoted\"",
      rk: "it's =1+1",
      props: {
        mixed: ["String", "five"],
        empty: ["String", ""],
        crlf: ["String", "a\r\nb\rc\nd"],
        formula: ["String", "=HYPERLINK(\"http://evil\",\"x\")"],
        plus: ["String", "+33 1 23"],
        minus: ["String", "-1+2"],
        at: ["String", "@cmd"],
        unicode: ["String", "é中文😀 👨‍👩‍👧\u00a0"],
        padded: ["String", "  both  "],
        comma: ["String", "a,b,,c"],
        controls: ["String", "\t\u0001\u007f"],
      },
    },
    { pk: "edm", rk: "bare", props: {} },
    { pk: "😀 key", rk: "~!@$^*()[]{}|;:,.<>`", props: { only: ["Int32", "0"] } },
  ];
}

/** The whole table read from the raw wire (canonical values), Timestamps and ETags included. */
async function snapshot(table: string): Promise<EntityRecord[]> {
  return (await testServicesSource(table)).sort((a, b) => (a.pk + "\0" + a.rk < b.pk + "\0" + b.rk ? -1 : 1));
}

const dir = mkdtempSync(join(tmpdir(), "lifeboat-csv-"));
const file = (name: string, content: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

afterEach(() => resetServices());

describe("CSV import and export (real Azurite)", () => {
  it("export → import of a table with every EDM type and awkward values is exact on the wire", async () => {
    const table = uniqueTable("Csv");
    const s = testServices([table]);
    const records = awkward();
    await seedTable(s.source, table, records);
    const point = (await cli(["backup", "--full"], s.settings)).stdout.trim();
    const out = join(dir, "export1");
    const exported = await cli(["export-csv", "--point", point, "--out", out], s.settings);
    expect(exported.code, exported.stderr).toBe(0);
    const text = readFileSync(join(out, `${table}.typed.csv`), "utf8");
    expect(text.split("\r\n")[0]).toMatch(/^PartitionKey,RowKey,Timestamp,at,at@type,/);
    expect(text).toContain(',"=HYPERLINK(""http://evil"",""x"")",String');

    const target = uniqueTable("Back");
    const validated = await cli(["import-csv", "--table", target, "--file", join(out, `${table}.typed.csv`)], s.settings);
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toMatch(/valid: 5 rows/);
    expect(await s.source.tableExists(target)).toBe(false);
    const applied = await cli(["import-csv", "--table", target, "--file", join(out, `${table}.typed.csv`), "--mode", "apply", "--create"], s.settings);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/imported: 5 entities/);
    await expectTableEquals(target, records);
    expect(normalized(await snapshot(target))).toEqual(normalized(await snapshot(table)));
  }, 60_000);

  it("export-csv writes each key in its state at the point: an incremental point's chain (updates, deletes) replayed", async () => {
    const table = uniqueTable("Chain");
    const s = testServices([table]);
    const v1 = makeRecords(300, 1, 5);
    await seedTable(s.source, table, v1);
    const full = (await cli(["backup", "--full"], s.settings)).stdout.trim();
    const v2 = makeRecords(100, 2, 5);
    await seedTable(s.source, table, v2);
    const gone = v1.slice(200, 250);
    await deleteFromTable(s.source, table, gone);
    const added = makeRecords(20, 3, 5, 1000);
    await seedTable(s.source, table, added);
    const incremental = (await cli(["backup"], s.settings)).stdout.trim();
    expect(incremental).toMatch(/-i/);
    const now = [...v2, ...v1.slice(100, 200), ...v1.slice(250), ...added];
    for (const [point, expected] of [[full, v1], [incremental, now]] as const) {
      const out = join(dir, `chain-${point}`);
      const e = await cli(["export-csv", "--point", point, "--tables", table, "--out", out, "--json"], s.settings);
      expect(e.code, e.stderr).toBe(0);
      expect((JSON.parse(e.stdout) as { tables: { rows: number }[] }).tables[0]!.rows).toBe(expected.length);
      const target = uniqueTable("At");
      const r = await cli(["import-csv", "--table", target, "--file", join(out, `${table}.typed.csv`), "--mode", "apply", "--create"], s.settings);
      expect(r.code, r.stderr).toBe(0);
      await expectTableEquals(target, expected);
    }
    const unknown = await cli(["export-csv", "--point", "20200101T000000000Z-f000000", "--out", join(dir, "none")], s.settings);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/RESTORE\.POINT_NOT_FOUND/);
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "export.csv"], s.settings)).stdout) as { outcome: string }[];
    expect(audit.map((x) => x.outcome)).toEqual(["succeeded", "succeeded", "failed"]);
  }, 60_000);

  it("imports a file in Storage Explorer's exact typed-CSV layout, and re-running it changes nothing", async () => {
    const table = uniqueTable("Se");
    const s = testServices([table]);
    const fixture = join(__dirname, "..", "fixtures", "storage-explorer.typed.csv");
    const r = await cli(["import-csv", "--table", table, "--file", fixture, "--mode", "apply", "--create"], s.settings);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const expected: EntityRecord[] = [
      {
        pk: "customers",
        rk: "0001",
        props: {
          Email: ["String", "ada@example.com"],
          Age: ["Int32", "36"],
          Balance: ["Double", "1024.5"],
          Joined: ["DateTime", "2019-03-01T08:00:00.0000000Z"],
          Active: ["Boolean", "true"],
          Id: ["Guid", "c9da6455-213d-42c9-9a79-3e9149a57833"],
          Photo: ["Binary", "AAEC/w=="],
          Visits: ["Int64", "9007199254740993"],
          Note: ["String", 'Says "hello", then leaves'],
        },
      },
      {
        pk: "customers",
        rk: "0002",
        props: { Email: ["String", "grace@example.com"], Age: ["Int32", "85"], Balance: ["Double", "2"], Joined: ["DateTime", "2020-01-01T00:00:00Z"], Active: ["Boolean", "false"], Note: ["String", "line one\r\nline two"] },
      },
      { pk: "customers", rk: "0003", props: { Balance: ["Double", "NaN"], Visits: ["Int64", "-9223372036854775808"], Note: ["String", "=SUM(A1:A2)"] } },
    ];
    await expectTableEquals(table, expected);
    // Safe to re-run: the same upserts after a safety backup of the (now existing) table.
    const again = await cli(["import-csv", "--table", table, "--file", fixture, "--mode", "apply"], s.settings);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/safety backup: \d{8}T\d{9}Z-[fi][0-9a-f]{6}/);
    await expectTableEquals(table, expected);
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "import.csv"], s.settings)).stdout) as { outcome: string; details: { rows?: number; safetyPoint?: string | null } }[];
    expect(audit.map((e) => [e.outcome, e.details.rows])).toEqual([
      ["succeeded", 3],
      ["succeeded", 3],
    ]);
    expect(audit[1]!.details.safetyPoint).toMatch(/^\d{8}T\d{9}Z-/);
  }, 60_000);

  it("bad files report each error by line and column, exit 2, and leave the table exactly as it was", async () => {
    const table = uniqueTable("Bad");
    const s = testServices([table]);
    await seedTable(s.source, table, makeRecords(20, 1, 2));
    const before = await snapshot(table);
    const head = "PartitionKey,RowKey,n,n@type,s,s@type\n";
    const big = "x".repeat(32 * 1024);
    const cases: { name: string; content: string | Buffer; expect: [number, number | null, RegExp][] }[] = [
      { name: "types", content: head + "p,r1,1,Int32,,\np,r2,secret-ish,Int32,,\np,r3,1,Int64,x,Guid\n", expect: [[3, 3, /Int32 "secret-ish"/], [4, 5, /Guid/]] },
      { name: "keys", content: head + "p,a#b,1,Int32,,\np/x,r,1,Int32,,\n", expect: [[2, 2, /RowKey.*"#"/], [3, 1, /PartitionKey.*"\/"/]] },
      { name: "oversize", content: "PartitionKey,RowKey," + Array.from({ length: 20 }, (_, i) => `s${i},s${i}@type`).join(",") + "\np,r," + Array.from({ length: 20 }, () => `${big},String`).join(",") + "\n", expect: [[2, null, /1 MiB/]] },
      { name: "duplicates", content: head + "p,r1,1,Int32,,\np,r2,1,Int32,,\np,r1,2,Int32,,\n", expect: [[4, 2, /an earlier row has the same keys \(line 2\)$/]] },
      { name: "quote", content: head + 'p,r1,1,Int32,,\np,r"2,1,Int32,,\np,r3,1,Int32,,\n', expect: [[3, 2, /quote/]] },
      { name: "latin1", content: Buffer.concat([Buffer.from(head + "p,r1,1,Int32,caf"), Buffer.from([0xe9]), Buffer.from(",String\n")]), expect: [[2, 17, /invalid UTF-8 \(byte 0xE9\)/]] },
      { name: "norowkey", content: "PartitionKey,n,n@type\np,1,Int32\n", expect: [[1, null, /no RowKey column/]] },
    ];
    for (const c of cases) {
      for (const mode of ["validate", "apply"]) {
        const r = await cli(["import-csv", "--table", table, "--file", file(`${c.name}.csv`, c.content), "--mode", mode, "--json"], s.settings);
        expect(r.code, `${c.name}: ${r.stderr}`).toBe(2);
        const report = JSON.parse(r.stdout) as { valid: boolean; errors: { line: number; column: number | null; reason: string }[] };
        expect(report.valid).toBe(false);
        expect(report.errors.map((e) => [e.line, e.column]), c.name).toEqual(c.expect.map(([l, col]) => [l, col]));
        c.expect.forEach(([, , re], i) => expect(report.errors[i]!.reason, c.name).toMatch(re));
        expect(r.stderr).toMatch(/INPUT\.INVALID: --file: .* nothing was written/);
      }
    }
    // Unchanged: the same entities, values, Timestamps and ETags.
    expect(await snapshot(table)).toEqual(before);
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "import.csv"], s.settings)).stdout) as { outcome: string }[];
    expect(audit.map((e) => e.outcome)).toEqual(Array.from({ length: cases.length * 2 }, () => "refused"));
    // The audit log keeps counts and places, never the file's values.
    expect(JSON.stringify(audit)).not.toContain("secret-ish");
    expect(JSON.stringify(audit)).toContain("line 3, column 3");
  }, 120_000);

  it("bad arguments exit 2 before anything is read: no table, a bad mode, an untyped file without --infer-types, a missing table without --create", async () => {
    const table = uniqueTable("Args");
    const s = testServices([table]);
    const untyped = file("untyped.csv", "PartitionKey,RowKey,a\np,r,12\n");
    expect((await cli(["import-csv", "--file", untyped], s.settings)).stderr).toMatch(/--table: required/);
    expect((await cli(["import-csv", "--table", table, "--file", untyped, "--mode", "write"], s.settings)).code).toBe(2);
    expect((await cli(["import-csv", "--table", "1bad", "--file", untyped], s.settings)).stderr).toMatch(/--table: .* not a table name/);
    const noInfer = await cli(["import-csv", "--table", table, "--file", untyped], s.settings);
    expect(noInfer.code).toBe(2);
    expect(noInfer.stdout).toMatch(/line 1: this is an untyped CSV/);
    const audit = await cli(["import-csv", "--table", s.settings.LIFEBOAT_AUDIT_TABLE!, "--file", untyped, "--mode", "apply", "--infer-types"], s.settings);
    expect(audit.code).toBe(2);
    expect(audit.stderr).toMatch(/audit log/);
    const missing = await cli(["import-csv", "--table", table, "--file", untyped, "--mode", "apply", "--infer-types"], s.settings);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist .*--create/);
    const inferred = await cli(["import-csv", "--table", table, "--file", untyped, "--mode", "apply", "--infer-types", "--create"], s.settings);
    expect(inferred.code, inferred.stderr).toBe(0);
    await expectTableEquals(table, [{ pk: "p", rk: "r", props: { a: ["Int32", "12"] } }]);
  }, 60_000);

  it("POST /api/imports validates and applies the body; GET /api/exports answers the point's CSV", async () => {
    const table = uniqueTable("Http");
    const s = testServices([table]);
    resetServices(createServices(loadConfig(s.settings)));
    const ctx = (): InvocationContext => new InvocationContext({ functionName: "test", invocationId: "inv-csv" });
    const post = (query: string, body: string): Promise<HttpResponseInit> => csvImport(new HttpRequest({ method: "POST", url: `http://localhost/api/imports?${query}`, body: { string: body } }), ctx());
    const records = awkward();
    const csv = typedCsv(records);
    const bad = await post(`table=${table}&mode=apply&create=true&operator=alice`, csv.replace("Int64,", "Int46,"));
    expect(bad.status).toBe(400);
    expect((bad.jsonBody as { errors: { field: string; rule: string }[] }).errors[0]).toEqual({ field: "line 2, column 27", rule: expect.stringMatching(/unknown type "Int46"/) });
    expect(await s.source.tableExists(table)).toBe(false);
    expect((await post(`table=${table}&mode=apply&create=true`, csv)).status).toBe(400); // no operator
    const ok = await post(`table=${table}&mode=apply&create=true&operator=alice`, csv);
    expect(ok.status).toBe(200);
    expect(ok.jsonBody).toMatchObject({ valid: true, rows: 5, written: 5, created: true });
    await expectTableEquals(table, records);

    const point = (await cli(["backup", "--full"], s.settings)).stdout.trim();
    const get = (query: string): Promise<HttpResponseInit> => csvExport(new HttpRequest({ method: "GET", url: `http://localhost/api/exports?${query}` }), ctx());
    const r = await get(`table=${table}&pointId=${point}&operator=alice`);
    expect(r.status).toBe(200);
    expect(r.headers).toMatchObject({ "content-type": "text/csv; charset=utf-8" });
    const back = uniqueTable("Again");
    const text = await new HttpResponse(r).text();
    expect(text.startsWith("PartitionKey,RowKey,Timestamp,")).toBe(true);
    const re = await post(`table=${back}&mode=apply&create=true&operator=alice`, text);
    expect(re.status).toBe(200);
    await expectTableEquals(back, records);
    expect((await get(`table=Nope123&pointId=${point}&operator=alice`)).status).toBe(400);
    expect((await get(`table=${table}&pointId=20200101T000000000Z-f000000&operator=alice`)).status).toBe(404);
  }, 60_000);
});
