import { describe, expect, it } from "vitest";
import { EntityFormatError, parseEntity, parseEntityPage, toSdkEntity } from "../../src/core/entity/codec";
import { validateRecordForWrite } from "../../src/core/entity/validation";
import { decodeKeyLine, decodeRecordLine, encodeKeyLine, encodeRecordLine, keyHashHex, keyId } from "../../src/core/entity/record-lines";
import { JsonNumber, JsonSyntaxError, isLJObject, parseLossless, type LJObject } from "../../src/core/entity/lossless-json";
import type { BackupRecord, EntityRecord } from "../../src/core/entity/record";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The page body measured from the Table service (see entity-codec docs). */
const SERVICE_PAGE = String.raw`{"odata.metadata":"https://acct.table.core.windows.net/$metadata#T","value":[{"odata.etag":"W/\"datetime'2026-11-26T13%3A38%3A47.9671814Z'\"","PartitionKey":"p","RowKey":"r'%é x","i64@odata.type":"Edm.Int64","i64":"9007199254740993","d@odata.type":"Edm.DateTime","d":"2020-01-01T00:00:00.1234567Z","dbl@odata.type":"Edm.Double","dbl":"NaN","b":true,"bin@odata.type":"Edm.Binary","bin":"AQID","g@odata.type":"Edm.Guid","g":"11111111-2222-3333-4444-555555555555","i32":5,"s":"x","dbl2":1.5,"dblint":2.0,"sNum":"123","big32":2147483647,"neg0":0.0,"dblexp":1e+300,"Timestamp":"2026-11-26T13:38:47.9671814Z"}]}`;

function obj(text: string): LJObject {
  const v = parseLossless(text);
  if (!isLJObject(v)) throw new Error("not an object");
  return v;
}

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseLossless(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected a JsonSyntaxError for ${JSON.stringify(text)}`);
}

describe("parseLossless", () => {
  it("parses the same structures as JSON.parse when numbers are mapped", () => {
    const text = ' { "a" : [ 1 , -2.5 , true , false , null , "x" , { } , [ ] ] , "b" : { "c" : { "d" : [ [ 0 ] ] } } } ';
    const v = parseLossless(text);
    const norm = (x: unknown): unknown =>
      x instanceof JsonNumber ? Number(x.lexeme) : Array.isArray(x) ? x.map(norm) : x && typeof x === "object" ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, norm(y)])) : x;
    expect(norm(v)).toEqual(JSON.parse(text));
  });

  it("reads each object's keys exactly when objects in a row repeat, extend, shorten or escape them", () => {
    // The parser reuses the key at the same place of the previous object when the text matches.
    // a\\b and a\b (backspace) are spelled with the same three characters once escaped.
    const keys = ["a", "ab", "a\"b", "a\\b", "a\b", "é", "A", "a b", "", "__proto__", "ab\u0000"];
    const rows: Record<string, number>[] = [];
    let seed = 5;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 300; i++) {
      const row: Record<string, number> = {};
      for (const k of keys) if (next() < 0.6) Object.defineProperty(row, k, { value: i, enumerable: true, writable: true, configurable: true });
      rows.push(row);
    }
    // Raw text with escapes spelled several ways for the same keys (\u0041 is A).
    const text = JSON.stringify(rows).replaceAll('"A":', '"\\u0041":');
    const parsed = parseLossless(text) as Record<string, JsonNumber>[];
    expect(parsed.map((o) => Object.entries(o).map(([k, v]) => [k, Number(v.lexeme)]))).toEqual(rows.map((o) => Object.entries(o)));
  });

  it("keeps number lexemes exactly", () => {
    const lexemes = ["0", "-0", "2.0", "0.0", "-0.0", "1.5", "1e+300", "1E5", "5e-324", "9007199254740993", "-9223372036854775808", "12345678901234567890123", "0.1000"];
    const v = parseLossless(`[${lexemes.join(",")}]`) as JsonNumber[];
    expect(v.map((n) => n.lexeme)).toEqual(lexemes);
    expect(v.every((n) => n instanceof JsonNumber)).toBe(true);
    expect(new JsonNumber("2.0").isIntegerLiteral).toBe(false);
    expect(new JsonNumber("1e5").isIntegerLiteral).toBe(false);
    expect(new JsonNumber("1E5").isIntegerLiteral).toBe(false);
    expect(new JsonNumber("-12").isIntegerLiteral).toBe(true);
  });

  it("parses a top-level scalar", () => {
    expect(parseLossless('"x"')).toBe("x");
    expect(parseLossless(" true ")).toBe(true);
    expect(parseLossless("null")).toBe(null);
    expect((parseLossless("42") as JsonNumber).lexeme).toBe("42");
  });

  it("decodes every escape, including surrogate pairs", () => {
    const text = String.raw`"q\" b\\ s\/ \b\f\n\r\t u\u00e9\u0041 \ud83d\ude00 lone\ud800x end"`;
    expect(parseLossless(text)).toBe(JSON.parse(text));
    expect(parseLossless(String.raw`"\ud83d\ude00"`)).toBe("😀");
    expect(parseLossless(String.raw`"\uD83D\uDE00"`)).toBe("😀");
    expect(parseLossless('"raw 😀 é 中"')).toBe("raw 😀 é 中");
    expect(parseLossless(String.raw`"\u0000"`)).toBe("\u0000");
  });

  it("matches JSON.parse on random strings", () => {
    for (let i = 0; i < 300; i++) {
      let s = "";
      const len = Math.floor(Math.random() * 20);
      for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(Math.random() * 0x10000));
      const text = JSON.stringify({ [s]: s });
      expect(parseLossless(text)).toEqual(JSON.parse(text));
    }
  });

  it("matches JSON.parse on documents mixing plain and escaped strings, compact and pretty", () => {
    const alphabet = ["a", "é", "😀", '"', "\\", "\n", "\t", "\u0001", "/", " ", "\u2028", "\ud800"];
    for (let i = 0; i < 200; i++) {
      const strings: string[] = [];
      for (let k = 0; k < 30; k++) {
        let str = "";
        const len = Math.floor(Math.random() * 6);
        for (let m = 0; m < len; m++) str += alphabet[Math.floor(Math.random() * alphabet.length)];
        strings.push(str);
      }
      const doc = { list: strings, nested: { [strings[0] ?? ""]: strings.slice(1, 5) } };
      for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
        expect(parseLossless(text)).toEqual(JSON.parse(text));
      }
    }
  });

  it("finds a raw control character after earlier clean strings", () => {
    expect(syntaxError('["a", "b",\n "c", "d\u0001"]').position).toBe(19);
    expect(syntaxError('["a\\n", "b", "c\te"]').position).toBe(15);
  });

  it("keeps __proto__ as an own key, as JSON.parse does", () => {
    const v = obj('{"__proto__":{"x":"y"},"a":"b"}');
    expect(Object.keys(v)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect((v as Record<string, unknown>)["x"]).toBeUndefined();
  });

  it("lets the last duplicate key win", () => {
    expect(obj('{"a":"1","a":"2"}')).toEqual({ a: "2" });
  });

  it("rejects malformed input with the position", () => {
    const cases: [string, number][] = [
      ["", 0],
      ["{", 1],
      ['{"a"}', 4],
      ['{"a":1,}', 7],
      ["[1,]", 3],
      ["[1 2]", 3],
      ["01", 1],
      ["-", 1],
      ["1.", 2],
      ["1e", 2],
      [".5", 0],
      ["+1", 0],
      ['"abc', 4],
      ['"a\\x"', 2],
      ['"\\u12g4"', 5],
      ['"a\nb"', 2],
      ["tru", 0],
      ["nul", 0],
      ["{} x", 3],
      ["{'a':1}", 1],
      ["NaN", 0],
    ];
    for (const [text, pos] of cases) {
      const e = syntaxError(text);
      expect(e.position, text).toBe(pos);
      expect(e.message).toContain(`position ${pos}`);
      expect(e.code).toBe("DATA.JSON_SYNTAX");
    }
    expect(syntaxError('{\n  "a": x\n}').message).toContain("line 2, column 8");
  });

  it("refuses absurd nesting instead of overflowing the stack", () => {
    expect(syntaxError("[".repeat(100_000)).message).toContain("nesting deeper than");
    expect(parseLossless("[".repeat(500) + "]".repeat(500))).toBeInstanceOf(Array);
  });
});

describe("parseEntityPage", () => {
  it("reads the measured service page exactly", () => {
    const [r, ...rest] = parseEntityPage(SERVICE_PAGE);
    expect(rest).toEqual([]);
    expect(r).toEqual<EntityRecord>({
      pk: "p",
      rk: "r'%é x",
      etag: `W/"datetime'2026-11-26T13%3A38%3A47.9671814Z'"`,
      ts: "2026-11-26T13:38:47.9671814Z",
      props: {
        i64: ["Int64", "9007199254740993"],
        d: ["DateTime", "2020-01-01T00:00:00.1234567Z"],
        dbl: ["Double", "NaN"],
        b: ["Boolean", "true"],
        bin: ["Binary", "AQID"],
        g: ["Guid", "11111111-2222-3333-4444-555555555555"],
        i32: ["Int32", "5"],
        s: ["String", "x"],
        dbl2: ["Double", "1.5"],
        dblint: ["Double", "2"],
        sNum: ["String", "123"],
        big32: ["Int32", "2147483647"],
        neg0: ["Double", "0"],
        dblexp: ["Double", "1e+300"],
      },
    });
  });

  it("gives an empty list for an empty page and accepts a single entity body", () => {
    expect(parseEntityPage('{"odata.metadata":"m","value":[]}')).toEqual([]);
    expect(parseEntityPage('{"PartitionKey":"a","RowKey":"b","x":1}')).toEqual([{ pk: "a", rk: "b", props: { x: ["Int32", "1"] } }]);
  });

  it("canonicalises Double lexemes", () => {
    const e = parseEntity(obj('{"PartitionKey":"a","RowKey":"b","a":2.0,"b":-0.0,"c":1E300,"d":0.10,"e":5e-324,"f":1e400,"g":-1.5e-7,"h":100000000000000000000.0}'));
    expect(e.props).toEqual({
      a: ["Double", "2"],
      b: ["Double", "-0"],
      c: ["Double", "1e+300"],
      d: ["Double", "0.1"],
      e: ["Double", "5e-324"],
      f: ["Double", "Infinity"],
      g: ["Double", "-1.5e-7"],
      h: ["Double", "100000000000000000000"],
    });
  });

  it("reads every annotated type, including full-metadata annotations on numbers", () => {
    const e = parseEntity(
      obj(`{"odata.type":"acct.T","odata.id":"x","odata.editLink":"y","PartitionKey@odata.type":"Edm.String","PartitionKey":"a","RowKey":"b","Timestamp@odata.type":"Edm.DateTime","Timestamp":"2026-01-01T00:00:00Z",
        "n1@odata.type":"Edm.Double","n1":"Infinity","n2@odata.type":"Edm.Double","n2":"-Infinity","n3@odata.type":"Edm.Double","n3":2.0,"n4@odata.type":"Edm.Double","n4":"2.50",
        "n5@odata.type":"Edm.Double","n5":3,
        "i1@odata.type":"Edm.Int32","i1":-7,"l1@odata.type":"Edm.Int64","l1":"-9223372036854775808","l2@odata.type":"Edm.Int64","l2":"9223372036854775807",
        "bo@odata.type":"Edm.Boolean","bo":false,"st@odata.type":"Edm.String","st":"z","empty":"","eb@odata.type":"Edm.Binary","eb":""}`),
    );
    expect(e.ts).toBe("2026-01-01T00:00:00Z");
    expect(e.etag).toBeUndefined();
    expect(e.props).toEqual({
      n1: ["Double", "Infinity"],
      n2: ["Double", "-Infinity"],
      n3: ["Double", "2"],
      n4: ["Double", "2.5"],
      n5: ["Double", "3"],
      i1: ["Int32", "-7"],
      l1: ["Int64", "-9223372036854775808"],
      l2: ["Int64", "9223372036854775807"],
      bo: ["Boolean", "false"],
      st: ["String", "z"],
      empty: ["String", ""],
      eb: ["Binary", ""],
    });
  });

  it("reads annotations that come after their value", () => {
    const e = parseEntity(obj('{"PartitionKey":"a","RowKey":"b","x":"5","x@odata.type":"Edm.Int64"}'));
    expect(e.props).toEqual({ x: ["Int64", "5"] });
  });

  it("keeps sparse columns sparse and skips nulls", () => {
    const page = '{"value":[{"PartitionKey":"a","RowKey":"1","x":"1"},{"PartitionKey":"a","RowKey":"2","y":true,"z":null},{"PartitionKey":"a","RowKey":"3"}]}';
    expect(parseEntityPage(page)).toEqual([
      { pk: "a", rk: "1", props: { x: ["String", "1"] } },
      { pk: "a", rk: "2", props: { y: ["Boolean", "true"] } },
      { pk: "a", rk: "3", props: {} },
    ]);
  });

  it("keeps awkward keys exactly", () => {
    const keys = ["", " ", "trailing  ", "  leading", "it's", 'say "hi"', "100%", "a+b&c=d", "é中文", "😀🎉", "tab-free é\u00a0nbsp", "~!@$^*()[]{}|;:,.<>`", "%2F%5C", "\u2028\u2029"];
    const body = JSON.stringify({ value: keys.map((k, i) => ({ PartitionKey: k, RowKey: k + i, v: i })) });
    const recs = parseEntityPage(body);
    expect(recs.map((r) => [r.pk, r.rk])).toEqual(keys.map((k, i) => [k, k + i]));
  });

  it("rejects what is not a page or not an entity", () => {
    expect(() => parseEntityPage("[]")).toThrow(EntityFormatError);
    expect(() => parseEntityPage('{"value":{}}')).toThrow(/no "value" array/);
    expect(() => parseEntityPage('{"value":[1]}')).toThrow(/value\[0\] is not an object/);
    expect(() => parseEntityPage('{"value":[{"RowKey":"r"}]}')).toThrow(/PartitionKey/);
    expect(() => parseEntityPage('{"value":[{"PartitionKey":"p"}]}')).toThrow(/RowKey/);
    expect(() => parseEntityPage('{"value":[{"PartitionKey":"p","RowKey":"r","x":[1]}]}')).toThrow(/property x: .*array/);
    expect(() => parseEntityPage('{"value":[{"PartitionKey":"p","RowKey":"r","x@odata.type":"Edm.Decimal","x":"1"}]}')).toThrow(/unknown type annotation "Edm.Decimal"/);
    expect(() => parseEntityPage('{"value":[{"PartitionKey":"p","RowKey":"r","x@odata.type":"Edm.Int64","x":"1.5"}]}')).toThrow(/property x: value "1.5" does not fit its type Int64/);
    expect(() => parseEntityPage('{"value":[{"PartitionKey":"p","RowKey":"r","x@odata.type":"Edm.Guid","x":5}]}')).toThrow(/property x/);
    expect(() => parseEntityPage('{"value":[{"PartitionKey":"p","RowKey":"r","x@odata.type":"Edm.Double","x":"abc"}]}')).toThrow(/Edm.Double/);
    expect(() => parseEntityPage('{"value":[{"PartitionKey":"p","RowKey":"r","x@odata.type":"Edm.Int32","x":1.5}]}')).toThrow(/Int32/);
    expect(() => parseEntityPage('{"value":[{"PartitionKey":"p","RowKey":"r","Timestamp":5}]}')).toThrow(/Timestamp/);
    expect(() => parseEntityPage('{"value":[')).toThrow(JsonSyntaxError);
  });

  it("keeps a property named __proto__ as data", () => {
    const [r] = parseEntityPage('{"value":[{"PartitionKey":"p","RowKey":"r","__proto__":"x"}]}');
    expect(Object.keys(r!.props)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(r!.props, "__proto__")?.value).toEqual(["String", "x"]);
  });
});

describe("toSdkEntity", () => {
  const rec: EntityRecord = {
    pk: "p",
    rk: "r",
    ts: "2026-01-01T00:00:00Z",
    etag: "W/x",
    props: {
      s: ["String", "x"],
      e: ["String", ""],
      i: ["Int32", "-2147483648"],
      b: ["Boolean", "false"],
      t: ["Boolean", "true"],
      l: ["Int64", "9223372036854775807"],
      d1: ["Double", "2"],
      d2: ["Double", "1.5"],
      d3: ["Double", "NaN"],
      d4: ["Double", "Infinity"],
      d5: ["Double", "-Infinity"],
      d6: ["Double", "-0"],
      d7: ["Double", "5e-324"],
      dt: ["DateTime", "2020-01-01T00:00:00.1234567Z"],
      g: ["Guid", "11111111-2222-3333-4444-555555555555"],
      bin: ["Binary", "AQID"],
    },
  };

  it("maps every EDM type to what the SDK serialises unchanged", () => {
    expect(toSdkEntity(rec)).toEqual({
      partitionKey: "p",
      rowKey: "r",
      s: "x",
      e: "",
      i: -2147483648,
      b: false,
      t: true,
      l: { value: "9223372036854775807", type: "Int64" },
      d1: { value: 2, type: "Double" },
      d2: { value: 1.5, type: "Double" },
      d3: { value: "NaN", type: "Double" },
      d4: { value: "Infinity", type: "Double" },
      d5: { value: "-Infinity", type: "Double" },
      d6: { value: "-0", type: "Double" },
      d7: { value: 5e-324, type: "Double" },
      dt: { value: "2020-01-01T00:00:00.1234567Z", type: "DateTime" },
      g: { value: "11111111-2222-3333-4444-555555555555", type: "Guid" },
      bin: { value: "AQID", type: "Binary" },
    });
  });

  it("produces a wire body that parses back to the same record", () => {
    // The SDK's own serializer (the same function upsertEntity and submitTransaction use).
    // Not exported by the package, so it is loaded from the file next to the entry point.
    const req = createRequire(join(process.cwd(), "package.json"));
    const entry = req.resolve("@azure/data-tables");
    const { serialize } = req(join(dirname(entry), "serialization.js")) as { serialize: (o: object) => Record<string, unknown> };
    const wire = JSON.stringify(serialize(toSdkEntity(rec)));
    expect(wire).toContain('"d1":2,"d1@odata.type":"Edm.Double"');
    expect(wire).toContain('"d3":"NaN","d3@odata.type":"Edm.Double"');
    const back = parseEntity(obj(wire));
    const { ts: _ts, etag: _etag, ...rest } = rec;
    expect(back).toEqual(rest);
  });

  it("refuses property names the SDK would rename", () => {
    for (const name of ["timestamp", "etag", "partitionKey", "rowKey"]) {
      expect(() => toSdkEntity({ pk: "p", rk: "r", props: { [name]: ["String", "x"] } })).toThrow(new RegExp(`property ${name}`));
    }
  });
});

describe("record lines", () => {
  const records: BackupRecord[] = [
    { pk: "p", rk: "r", props: {} },
    { pk: "p", rk: "r", ts: "2026-11-26T13:38:47.9671814Z", etag: `W/"datetime'2026'"`, props: { a: ["Int64", "1"], b: ["String", 'q"\\\n😀'], c: ["Double", "NaN"] } },
    { pk: "", rk: " x ", ts: "2026-11-26T13:38:47.9671814Z", props: { z: ["Binary", ""] } },
    { pk: "é中😀", rk: "it's 100%", deleted: true },
  ];

  it("round-trips entities and tombstones", () => {
    for (const r of records) expect(decodeRecordLine(encodeRecordLine(r))).toEqual(r);
  });

  it("writes the documented layout", () => {
    expect(encodeRecordLine(records[1]!)).toBe(
      String.raw`{"pk":"p","rk":"r","ts":"2026-11-26T13:38:47.9671814Z","e":"W/\"datetime'2026'\"","p":{"a":["Int64","1"],"b":["String","q\"\\\n😀"],"c":["Double","NaN"]}}`,
    );
    expect(encodeRecordLine(records[3]!)).toBe(`{"pk":"é中😀","rk":"it's 100%","del":1}`);
    expect(encodeRecordLine(records[0]!)).not.toContain("ts");
    expect(encodeRecordLine(records[0]!)).not.toContain('"e"');
  });

  it("names the problem in a bad line", () => {
    const bad: [string, RegExp][] = [
      ["not json", /not valid JSON/],
      ["[]", /not a JSON object/],
      ['{"rk":"r","p":{}}', /"pk"/],
      ['{"pk":"p","p":{}}', /"rk"/],
      ['{"pk":"p","rk":"r"}', /"p" is missing/],
      ['{"pk":"p","rk":"r","p":[]}', /"p" is missing or not an object/],
      ['{"pk":"p","rk":"r","p":{"x":["Decimal","1"]}}', /property x: unknown EDM type "Decimal"/],
      ['{"pk":"p","rk":"r","p":{"x":["Int32",1]}}', /property x: value is not a string/],
      ['{"pk":"p","rk":"r","p":{"x":["Int32"]}}', /property x: expected \[type, value\]/],
      ['{"pk":"p","rk":"r","p":{},"ts":1}', /"ts"/],
      ['{"pk":"p","rk":"r","p":{},"e":1}', /"e"/],
      ['{"pk":"p","rk":"r","p":{},"zz":1}', /unexpected field "zz"/],
      ['{"pk":"p","rk":"r","del":2}', /"del" must be 1/],
      ['{"pk":"p","rk":"r","del":1,"p":{}}', /unexpected field "p" in a tombstone/],
    ];
    for (const [line, re] of bad) {
      expect(() => decodeRecordLine(line), line).toThrow(EntityFormatError);
      expect(() => decodeRecordLine(line), line).toThrow(re);
    }
  });

  it("round-trips key lines and rejects bad ones", () => {
    const k = { pk: 'a"b\\c', rk: "😀 " };
    expect(encodeKeyLine(k)).toBe(String.raw`{"pk":"a\"b\\c","rk":"😀 "}`);
    expect(decodeKeyLine(encodeKeyLine(k))).toEqual(k);
    expect(() => decodeKeyLine('{"pk":"a"}')).toThrow(/"rk"/);
    expect(() => decodeKeyLine('{"pk":"a","rk":"b","x":1}')).toThrow(/unexpected field "x"/);
    expect(() => decodeKeyLine("{")).toThrow(/not valid JSON/);
  });
});

describe("keyId / keyHashHex", () => {
  it("is the first 16 bytes of sha256(pk \\0 rk)", () => {
    const full = createHash("sha256").update("p\u0000r😀", "utf8").digest();
    expect(keyHashHex("p", "r😀")).toBe(full.subarray(0, 16).toString("hex"));
    expect(keyId("p", "r😀")).toHaveLength(16);
    expect(Buffer.from(keyId("p", "r😀"), "latin1").equals(full.subarray(0, 16))).toBe(true);
  });

  it("separates pk from rk", () => {
    expect(keyId("ab", "c")).not.toBe(keyId("a", "bc"));
    expect(keyId("", "x")).not.toBe(keyId("x", ""));
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) ids.add(keyId(`p${i % 7}`, `r${i}`));
    expect(ids.size).toBe(20_000);
  });
});

describe("validateRecordForWrite", () => {
  const ok = (props: EntityRecord["props"], pk = "p", rk = "r"): string | null => validateRecordForWrite({ pk, rk, props });

  it("accepts every canonical value and legal awkward keys", () => {
    expect(
      ok(
        {
          s: ["String", "x".repeat(32 * 1024)],
          i: ["Int32", "-2147483648"],
          j: ["Int32", "2147483647"],
          l: ["Int64", "-9223372036854775808"],
          m: ["Int64", "9223372036854775807"],
          d: ["Double", "NaN"],
          e: ["Double", "-0"],
          f: ["Double", "1e+300"],
          g: ["Double", "5e-324"],
          b: ["Boolean", "true"],
          t: ["DateTime", "2020-02-29T23:59:59.1234567Z"],
          t2: ["DateTime", "1601-01-01T00:00:00Z"],
          t3: ["DateTime", "9999-12-31T23:59:59.9999999Z"],
          u: ["Guid", "AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee"],
          x: ["Binary", Buffer.alloc(64 * 1024, 1).toString("base64")],
          y: ["Binary", ""],
        },
        "é😀 'quote\" 100% a+b&c  ",
        "",
      ),
    ).toBeNull();
    expect(ok({}, "k".repeat(1024))).toBeNull();
    const many: EntityRecord["props"] = {};
    for (let i = 0; i < 252; i++) many[`p${i}`] = ["Int32", "1"];
    expect(ok(many)).toBeNull();
  });

  it("names the field and rule", () => {
    const cases: [string | null, RegExp][] = [
      [ok({}, "a/b"), /^PartitionKey: the character "\/"/],
      [ok({}, "p", "a\\b"), /^RowKey: the character "\\\\"/],
      [ok({}, "a#b"), /PartitionKey: .*"#"/],
      [ok({}, "p", "a?b"), /RowKey: .*"\?"/],
      [ok({}, "a\tb"), /PartitionKey: the control character U\+0009/],
      [ok({}, "a\u007fb"), /U\+007F/],
      [ok({}, "p", "a\u009fb"), /RowKey: the control character U\+009F/],
      [ok({}, "k".repeat(1025)), /PartitionKey: longer than 1024/],
      [ok({ i: ["Int32", "2147483648"] }), /props.i: Int32 2147483648 is outside/],
      [ok({ i: ["Int32", "1.0"] }), /props.i: Int32 "1.0" is not a canonical/],
      [ok({ i: ["Int32", "01"] }), /props.i: Int32/],
      [ok({ l: ["Int64", "9223372036854775808"] }), /props.l: Int64 9223372036854775808 is outside/],
      [ok({ l: ["Int64", "12a"] }), /props.l: Int64 "12a"/],
      [ok({ d: ["Double", "2.0"] }), /props.d: Double "2.0" is not canonical/],
      [ok({ d: ["Double", "abc"] }), /props.d: Double/],
      [ok({ d: ["Double", ""] }), /props.d: Double/],
      [ok({ b: ["Boolean", "True"] }), /props.b: Boolean "True"/],
      [ok({ g: ["Guid", "1234"] }), /props.g: Guid "1234"/],
      [ok({ t: ["DateTime", "2020-01-01"] }), /props.t: DateTime "2020-01-01" is not an ISO-8601/],
      [ok({ t: ["DateTime", "2021-02-29T00:00:00Z"] }), /day that does not exist/],
      [ok({ t: ["DateTime", "2021-13-01T00:00:00Z"] }), /month/],
      [ok({ t: ["DateTime", "2021-01-01T24:00:00Z"] }), /time outside/],
      [ok({ t: ["DateTime", "1600-12-31T23:59:59Z"] }), /before 1601/],
      [ok({ t: ["DateTime", "2020-01-01T00:00:00.12345678Z"] }), /props.t: DateTime/],
      [ok({ x: ["Binary", "AQI"] }), /props.x: Binary value is not padded base64/],
      [ok({ x: ["Binary", "A Q=="] }), /props.x: Binary/],
      [ok({ x: ["Binary", Buffer.alloc(64 * 1024 + 1).toString("base64")] }), /larger than 65536 bytes \(65537\)/],
      [ok({ s: ["String", "x".repeat(32 * 1024 + 1)] }), /props.s: String longer than 32768/],
      [ok({ timestamp: ["String", "x"] }), /props.timestamp: .*cannot be written/],
      [ok({ PartitionKey: ["String", "x"] }), /props.PartitionKey/],
      [ok({ "": ["String", "x"] }), /property name is empty/],
      [ok({ ["n".repeat(256)]: ["String", "x"] }), /longer than 255/],
      [ok({ q: ["Decimal" as "String", "1"] }), /props.q: unknown EDM type "Decimal"/],
    ];
    for (const [msg, re] of cases) expect(msg).toMatch(re);
    const many: EntityRecord["props"] = {};
    for (let i = 0; i < 253; i++) many[`p${i}`] = ["Int32", "1"];
    expect(ok(many)).toMatch(/props: more than 252 properties/);
  });
});
