import { describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { csvField, csvRows } from "../../src/core/csv/csv-text";
import { mulberry32 } from "../../bench/workload";
import { openCsvCopy } from "../../src/app/csv/csv-backup-writer";
import { sealCsv } from "../../src/format/chunk";
import { sha256Hex } from "../../src/core/hash";
import { Secret } from "../../src/core/secret";
import { IntegrityError } from "../../src/core/errors";

/**
 * The rules the typed CSV was first written with (csv-stringify, CRLF, whitespace at either end
 * quoted), with one fix: csv-stringify 6.9 stops quoting a lone CR or LF once the record
 * delimiter is set, unless told to quote it, and such a row did not read back.
 */
const reference = (rows: string[][]): string => stringify(rows, { record_delimiter: "\r\n", quoted_match: /^\s|\s$/, quote_record_delimiter: true });

/** Characters CSV quoting cares about, whitespace of every kind, and ordinary text. */
const ALPHABET = ['"', ",", "\r", "\n", " ", "\t", "\u00a0", "\u2028", "\ufeff", "\u3000", "=", "'", "a", "Z", "0", "é", "😀", "\ud800", ";"];

describe("CSV text", () => {
  it("writes exactly what csv-stringify wrote for every kind of field", () => {
    const rnd = mulberry32(7);
    for (let n = 0; n < 2000; n++) {
      const rows: string[][] = [];
      for (let r = 0; r < 1 + Math.floor(rnd() * 3); r++) {
        const row: string[] = [];
        for (let c = 0; c < 1 + Math.floor(rnd() * 4); c++) {
          let f = "";
          for (let i = Math.floor(rnd() * 6); i > 0; i--) f += ALPHABET[Math.floor(rnd() * ALPHABET.length)];
          row.push(f);
        }
        rows.push(row);
      }
      expect(csvRows(rows), JSON.stringify(rows)).toBe(reference(rows));
    }
  });

  it("quotes only what needs it and doubles quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("")).toBe("");
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField(" lead")).toBe('" lead"');
    expect(csvField("=1+1")).toBe("=1+1");
    expect(csvRows([["a", ""], ["", "b\nc"]])).toBe('a,\r\n,"b\nc"\r\n');
  });

  it("reads back as the same fields, a lone CR or LF inside a value included", () => {
    const rows = [["a\nb", "c\rd", "e\r\nf"], ["", " g", 'h"i']];
    expect(parse(csvRows(rows), { record_delimiter: ["\r\n", "\n"], relax_column_count: true })).toEqual(rows);
  });

  it("a CSV copy written with csv-stringify's old quoting (a lone LF unquoted) fails its check against the manifest", async () => {
    const kek = { id: "env:test", key: new Secret(Buffer.alloc(32, 1)) };
    const keys = { active: async () => kek, byId: async () => kek };
    const rows = [["PartitionKey", "RowKey", "Timestamp", "note", "note@type"], ["p", "r", "", "line1\nline2", "String"]];
    const check = async (text: string): Promise<unknown> => {
      const sealed = await sealCsv(text, kek);
      const ref = { path: "c.csv.gz.lbe", sha256: sha256Hex(sealed), bytes: sealed.length, records: 1 };
      return openCsvCopy(sealed, keys, ref).then(() => "ok", (err: unknown) => err);
    };
    expect(await check(csvRows(rows))).toBe("ok");
    const old = stringify(rows, { record_delimiter: "\r\n", quoted_match: /^\s|\s$/ });
    expect(old).toContain("line1\nline2,String"); // unquoted: the row splits on reading
    expect(await check(old)).toBeInstanceOf(IntegrityError);
  });
});

