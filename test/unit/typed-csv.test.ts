import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/app/csv/csv-reader";
import { lossyInCsv, typedCsv } from "../../src/app/csv/csv-writer";
import { csvRows } from "../../src/core/csv/csv-text";
import { CsvChecker, type CsvError } from "../../src/core/csv/check";
import { entitySize } from "../../src/core/csv/entity-size";
import { inferValue } from "../../src/core/csv/infer";
import { canonicalCell, decodeRow, readHeader } from "../../src/core/csv/typed-csv";
import { Utf8Scanner } from "../../src/core/csv/utf8";
import type { EntityRecord } from "../../src/core/entity/record";

/** Reads CSV bytes (in chunks of `chunk` bytes) with the checker: the valid records and the errors. */
async function check(bytes: Buffer | string, opts: { inferTypes?: boolean; chunk?: number } = {}): Promise<{ records: EntityRecord[]; errors: CsvError[]; rows: number; more: number }> {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "utf8");
  const size = opts.chunk ?? 7;
  const checker = new CsvChecker({ inferTypes: opts.inferTypes ?? false });
  const records: EntityRecord[] = [];
  await readCsv(
    async function* () {
      for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
    },
    {
      row: (cells, line) => {
        const r = checker.row(cells, line);
        if (r) records.push(r);
      },
      problem: (e) => checker.problem(e),
    },
  );
  checker.finish();
  return { records, errors: checker.errors, rows: checker.rows, more: checker.more };
}

const awkward: EntityRecord[] = [
  {
    pk: "p1",
    rk: "numbers",
    props: {
      i64: ["Int64", "9223372036854775807"],
      i64neg: ["Int64", "-9007199254740993"],
      i32: ["Int32", "-2147483648"],
      whole: ["Double", "2"],
      nan: ["Double", "NaN"],
      inf: ["Double", "Infinity"],
      ninf: ["Double", "-Infinity"],
      nzero: ["Double", "-0"],
      tiny: ["Double", "5e-324"],
      big: ["Double", "1e+21"],
    },
  },
  {
    pk: "p1",
    rk: "others",
    props: {
      dt: ["DateTime", "2020-01-01T00:00:00.1234567Z"],
      dt0: ["DateTime", "2024-02-29T12:34:56Z"],
      g: ["Guid", "ABCDEF01-2345-6789-abcd-ef0123456789"],
      bin: ["Binary", Buffer.from([0, 1, 2, 255, 254]).toString("base64")],
      binEmpty: ["Binary", ""],
      yes: ["Boolean", "true"],
      // the same name with another type than in the next row
      mixed: ["Int32", "7"],
    },
  },
  {
    pk: "p2, with comma",
    rk: 'quote " and ""',
    props: {
      mixed: ["String", "seven"],
      empty: ["String", ""],
      crlf: ["String", "line1\r\nline2\rline3\nline4"],
      // a lone LF or CR (csv-stringify left these unquoted once a record delimiter was set)
      lf: ["String", "only\nLF"],
      cr: ["String", "only\rCR"],
      formula: ["String", "=HYPERLINK(\"http://x\")"],
      plus: ["String", "+1"],
      minus: ["String", "-2+3"],
      at: ["String", "@SUM(A1)"],
      unicode: ["String", "é中文😀\u2028\u00a0"],
      spaces: ["String", "  padded  "],
      comma: ["String", "a,b"],
      nul: ["String", "tab\there\u0000nul"],
    },
  },
  { pk: "p3", rk: "bare", props: {} },
];

describe("typed CSV (Storage Explorer layout)", () => {
  it("round-trips every EDM type and awkward values exactly, whatever the chunking", async () => {
    const text = typedCsv(awkward);
    expect(text.split("\r\n")[0]).toBe(
      "PartitionKey,RowKey,Timestamp,at,at@type,big,big@type,bin,bin@type,binEmpty,binEmpty@type,comma,comma@type,cr,cr@type,crlf,crlf@type,dt,dt@type,dt0,dt0@type,empty,empty@type,formula,formula@type,g,g@type,i32,i32@type,i64,i64@type,i64neg,i64neg@type,inf,inf@type,lf,lf@type,minus,minus@type,mixed,mixed@type,nan,nan@type,ninf,ninf@type,nul,nul@type,nzero,nzero@type,plus,plus@type,spaces,spaces@type,tiny,tiny@type,unicode,unicode@type,whole,whole@type,yes,yes@type",
    );
    for (const chunk of [1, 3, 64, 1 << 20]) {
      const r = await check(text, { chunk });
      expect(r.errors).toEqual([]);
      expect(r.records).toEqual(awkward);
    }
  });

  it("keeps formula-like values as they are (the file is a backup)", () => {
    const text = typedCsv([{ pk: "p", rk: "r", props: { f: ["String", "=1+1"] } }]);
    expect(text).toContain(",=1+1,String");
  });

  it("tells an empty string from an absent property", async () => {
    const r = await check("PartitionKey,RowKey,Timestamp,a,a@type\r\np,r1,,,String\r\np,r2,,,\r\n");
    expect(r.records).toEqual([
      { pk: "p", rk: "r1", props: { a: ["String", ""] } },
      { pk: "p", rk: "r2", props: {} },
    ]);
  });

  it("reads Storage Explorer's own spellings: Edm.-prefixed types, Timestamp, True/False, 2.0", async () => {
    const r = await check(
      "PartitionKey,RowKey,Timestamp,Age,Age@type,Ok,Ok@type,Score,Score@type\n" + "p,r,2025-09-22T09:45:35.2743359Z,42,Edm.Int32,True,Edm.Boolean,2.0,Double\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([{ pk: "p", rk: "r", props: { Age: ["Int32", "42"], Ok: ["Boolean", "true"], Score: ["Double", "2"] } }]);
  });

  it("reports every bad row by line and column, and keeps counting past the cap", async () => {
    const lines = [
      "PartitionKey,RowKey,n,n@type,d,d@type",
      "p,ok,1,Int32,,",
      "p,bad/key,1,Int32,,", // line 3: forbidden character in RowKey (column 2)
      "p,r3,x,Int32,,", // line 4: not an integer (column 3)
      "p,r4,1,Int128,,", // line 5: unknown type (column 4)
      "p,r5,1,Int32,2020-13-01T00:00:00Z,DateTime", // line 6: month 13 (column 5)
      "p,ok,2,Int32,,", // line 7: duplicate keys
      'p,"multi\nline",1,Int32,,', // lines 8-9
      "p,r10,1", // line 10: too few fields
      "p,r11,99999999999,Int32,,", // line 11: out of range
    ];
    const r = await check(lines.join("\n") + "\n");
    expect(r.rows).toBe(9);
    expect(r.errors.map((e) => [e.line, e.column])).toEqual([
      [3, 2],
      [4, 3],
      [5, 4],
      [6, 5],
      [7, 2],
      [8, 2],
      [10, 4],
      [11, 3],
    ]);
    expect(r.errors[0]!.reason).toMatch(/RowKey.*"\/"/);
    expect(r.errors[4]!.reason).toMatch(/earlier row has the same keys/);
    const many = ["PartitionKey,RowKey,n,n@type", ...Array.from({ length: 150 }, (_, i) => `p,r${i},x,Int32`)].join("\n");
    const capped = await check(many);
    expect(capped.errors.length).toBe(100);
    expect(capped.more).toBe(50);
  });

  it("checks the header: missing RowKey, duplicate columns, an @type without its column, untyped columns", () => {
    expect(readHeader(["PartitionKey", "a"], false).problems.map((p) => p.reason)).toEqual([expect.stringMatching(/no RowKey column/), expect.stringMatching(/untyped CSV/)]);
    expect(readHeader(["PartitionKey", "RowKey", "a", "a"], true).problems).toEqual([{ column: 4, reason: expect.stringMatching(/appears twice/) }]);
    expect(readHeader(["PartitionKey", "RowKey", "b@type"], false).problems).toEqual([{ column: 3, reason: expect.stringMatching(/no "b" column/) }]);
    expect(readHeader(["PartitionKey", "RowKey", "a", "a@type", "b"], false).problems).toEqual([{ column: 5, reason: expect.stringMatching(/infer-types/) }]);
    expect(readHeader(["PartitionKey", "RowKey", "a", "b"], true).layout?.props.map((p) => p.name)).toEqual(["a", "b"]);
  });

  it("infers types only when asked", async () => {
    const text = "PartitionKey,RowKey,a,b,c,d,e,f,g\np,r,true,12,9007199254740993,1.5,2020-01-01T00:00:00.000Z,11111111-2222-3333-4444-555555555555,hello\n";
    expect((await check(text)).errors[0]!.reason).toMatch(/untyped CSV/);
    const r = await check(text, { inferTypes: true });
    expect(r.records[0]!.props).toEqual({
      a: ["Boolean", "true"],
      b: ["Int32", "12"],
      c: ["Int64", "9007199254740993"],
      d: ["Double", "1.5"],
      e: ["DateTime", "2020-01-01T00:00:00.000Z"],
      f: ["Guid", "11111111-2222-3333-4444-555555555555"],
      g: ["String", "hello"],
    });
    expect(inferValue("-0")).toBe("Double");
    expect(inferValue("007")).toBe("String");
  });

  it("refuses an entity over 1 MiB and more than 252 properties", () => {
    const big = "x".repeat(32 * 1024);
    const names = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const layout = readHeader(["PartitionKey", "RowKey", ...names.flatMap((n) => [n, `${n}@type`])], false).layout!;
    const row = ["p", "r", ...names.flatMap(() => [big, "String"])];
    expect(decodeRow(row, layout, false).problems).toEqual([{ column: null, reason: expect.stringMatching(/1 MiB/) }]);
    expect(entitySize({ pk: "p", rk: "r", props: { a: ["Int32", "1"] } })).toBe(4 + 4 + 8 + 2 + 4);
    // More than 252 columns is fine (a sparse table); more than 252 values in one row is not.
    const many = Array.from({ length: 253 }, (_, i) => `c${i}`);
    const wide = readHeader(["PartitionKey", "RowKey", ...many.flatMap((n) => [n, `${n}@type`])], false);
    expect(wide.problems).toEqual([]);
    expect(decodeRow(["p", "r", ...many.flatMap((_, i) => (i < 252 ? ["1", "Int32"] : ["", ""]))], wide.layout!, false).problems).toEqual([]);
    expect(decodeRow(["p", "r", ...many.flatMap(() => ["1", "Int32"])], wide.layout!, false).problems).toEqual([{ column: null, reason: expect.stringMatching(/at most 252/) }]);
  });

  it("finds stray quotes and invalid UTF-8 (Latin-1) by line and column, BOM allowed", async () => {
    const bom = await check("\ufeffPartitionKey,RowKey,a,a@type\np,r,x,String\n");
    expect(bom.errors).toEqual([]);
    expect(bom.records).toHaveLength(1);
    const stray = await check('PartitionKey,RowKey,a,a@type\np,r1,x,String\np,r"2,x,String\np,r3,y,String\n');
    expect(stray.errors).toEqual([{ line: 3, column: 2, reason: expect.stringMatching(/CSV syntax: a quote/) }]);
    expect(stray.records.map((r) => r.rk)).toEqual(["r1", "r3"]);
    const latin1 = Buffer.concat([Buffer.from("PartitionKey,RowKey,a,a@type\np,r1,caf"), Buffer.from([0xe9]), Buffer.from(",String\n")]);
    const l = await check(latin1, { chunk: 2 });
    expect(l.errors).toEqual([{ line: 2, column: 9, reason: expect.stringMatching(/invalid UTF-8 \(byte 0xE9\)/) }]);
  });

  it("scans UTF-8 across chunk boundaries and rejects overlongs, surrogates and truncation", () => {
    const s = new Utf8Scanner();
    const bytes = Buffer.from("a😀é\n中", "utf8");
    let text = "";
    for (const b of bytes) {
      const r = s.push(Buffer.from([b]));
      expect(r.problems).toEqual([]);
      text += r.text;
    }
    expect(text + s.end().text).toBe("a😀é\n中");
    const bad = new Utf8Scanner();
    expect(bad.push(Buffer.from([0xc0, 0xaf, 0x41, 0xed, 0xa0, 0x80, 0x0a, 0xe4, 0xb8])).problems.map((p) => [p.line, p.column, p.byte])).toEqual([
      [1, 1, 0xc0],
      [1, 2, 0xaf],
      [1, 4, 0xed],
      [1, 5, 0xa0],
      [1, 6, 0x80],
    ]);
    expect(bad.end().problems).toEqual([{ line: 2, column: 1, byte: 0xe4 }]);
  });

  it("normalises Double lexemes and refuses non-numbers", () => {
    expect(canonicalCell("Double", "2.0")).toEqual({ value: "2" });
    expect(canonicalCell("Double", "-0.0")).toEqual({ value: "-0" });
    expect(canonicalCell("Double", "INF")).toEqual({ value: "Infinity" });
    expect(canonicalCell("Double", "0x10")).toEqual({ problem: expect.stringMatching(/not a number/) });
    expect(canonicalCell("Double", "")).toEqual({ problem: expect.stringMatching(/not a number/) });
  });

  it("random bytes never make the reader throw: every file is either valid or has located errors", async () => {
    const alphabet = ['"', ",", "\r", "\n", "a", "1", "@type", "Int32", "String", "\u00e9", "PartitionKey", "RowKey", " "];
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      let text = rnd(2) === 0 ? "PartitionKey,RowKey,a,a@type\n" : "";
      for (let j = rnd(80); j > 0; j--) text += alphabet[rnd(alphabet.length)];
      const bytes = Buffer.from(text, "utf8");
      if (rnd(4) === 0) bytes[rnd(bytes.length || 1)] = 0xff;
      const r = await check(bytes, { chunk: 1 + rnd(9) });
      for (const e of r.errors) {
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.reason.length).toBeGreaterThan(0);
      }
      if (r.errors.length === 0) expect(r.records.length).toBe(r.rows);
    }
  });

  it("says which values UTF-8 cannot carry", () => {
    expect(lossyInCsv({ pk: "p", rk: "r", props: { s: ["String", "a\ud800b"] } })).toBe(true);
    expect(lossyInCsv({ pk: "p", rk: "r", props: { s: ["String", "😀"] } })).toBe(false);
    expect(csvRows([["a b "]])).toBe('"a b "\r\n');
  });
});
