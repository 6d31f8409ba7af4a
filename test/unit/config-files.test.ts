import { describe, expect, it } from "vitest";
import { configFileKind, envKeys, parseStatus } from "../../src/core/config-files/parse-status";
import { jsonErrorOffset } from "../../src/core/config-files/json-error-offset";
import { jsonErrorKind, jsonProblem, lineColumn, positionInMessage } from "../../src/core/config-files/json-syntax";
import {
  ALWAYS_REDACTED_SETTINGS,
  NON_SECRET_SETTINGS,
  SECRET_NAME_PARTS,
  SERVICE_URI_SUFFIXES,
  redactSettings,
} from "../../src/core/config-files/redact-settings";

const R = "**redacted**";
const SECRET = "hunter2-S3cr3tV@lue";
const buf = (s: string): Buffer => Buffer.from(s, "utf8");
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The status of a file, and checks that a failure's message never quotes SECRET. */
function status(path: string, text: string | Buffer): ReturnType<typeof parseStatus> {
  const s = parseStatus(path, typeof text === "string" ? buf(text) : text);
  if (s && !s.ok) {
    expect(s.message).not.toContain(SECRET);
    expect(s.message).not.toContain("hunter2");
    expect(s.message).not.toContain("\n");
  }
  return s;
}

describe("configFileKind", () => {
  it("decides by extension or .env name, case-insensitively", () => {
    expect(configFileKind("a/b/app.yaml")).toBe("yaml");
    expect(configFileKind("APP.YML")).toBe("yaml");
    expect(configFileKind("settings.Json")).toBe("json");
    expect(configFileKind(".env")).toBe("env");
    expect(configFileKind("config/.env.production")).toBe("env");
    expect(configFileKind("C:\\cfg\\.ENV.local")).toBe("env");
    expect(configFileKind("prod.env")).toBe("env");
    expect(configFileKind(".env.json")).toBe("json");
  });

  it("is null for anything else", () => {
    for (const p of ["app.txt", "yaml", "x.yaml.bak", ".envrc", "env", "a.env.bak/file", "README.md", ".env/readme", "json"]) {
      expect(configFileKind(p), p).toBeNull();
      expect(parseStatus(p, buf("{")), p).toBeNull();
    }
  });
});

describe("parseStatus: YAML", () => {
  it("accepts valid YAML, multi-document streams, comments-only and empty files", () => {
    expect(status("a.yaml", "a: 1\nb:\n  - x\n  - y\n")).toEqual({ kind: "yaml", ok: true });
    expect(status("a.yml", "---\na: 1\n---\nb: 2\n...\n---\n- c\n")).toEqual({ kind: "yaml", ok: true });
    expect(status("a.yaml", "# nothing\n")).toEqual({ kind: "yaml", ok: true });
    expect(status("a.yaml", "")).toEqual({ kind: "yaml", ok: true });
    // Unknown tags are warnings, not errors (CloudFormation-style !Ref).
    expect(status("a.yaml", "a: !Ref foo\n")).toEqual({ kind: "yaml", ok: true });
  });

  it("reports a bad indentation with its line and column", () => {
    const s = status("a.yaml", `a: 1\nb:\n  c: 2\n d: ${SECRET}\n`);
    expect(s).toEqual({ kind: "yaml", ok: false, message: "line 4, column 1: bad indentation (BAD_INDENT)", line: 4, column: 1 });
  });

  it("reports the first error of any document of a stream", () => {
    const s = status("a.yaml", `---\na: 1\n---\nb: 2\n---\nc: 3\n\td: ${SECRET}\n`);
    expect(s).toMatchObject({ kind: "yaml", ok: false, line: 7, column: 1 });
    expect(s && !s.ok && s.message).toBe("line 7, column 1: tabs are not allowed as indentation (TAB_AS_INDENT)");
  });

  it("never quotes the source, even where the parser's message does", () => {
    // The yaml package's message would be 'Invalid escape sequence \q…' plus a code excerpt.
    const esc = status("a.yaml", `a: "\\q ${SECRET}"\n`);
    expect(esc).toMatchObject({ ok: false, line: 1, message: expect.stringContaining("BAD_DQ_ESCAPE") });
    expect(esc && !esc.ok && esc.message).not.toContain("\\q");
    expect(status("a.yaml", `a: "${SECRET}\n`)).toMatchObject({ ok: false, message: expect.stringContaining("MISSING_CHAR") });
    expect(status("a.yaml", `a: ${SECRET}\na: 2\n`)).toMatchObject({ ok: false, line: 2, message: expect.stringContaining("duplicate key") });
    expect(status("a.yaml", `a: [${SECRET}, 2\n`)).toMatchObject({ ok: false });
  });

  it("accepts a BOM", () => {
    expect(status("a.yaml", Buffer.concat([BOM, buf("a: 1\n")]))).toEqual({ kind: "yaml", ok: true });
  });
});

describe("parseStatus: JSON", () => {
  it("accepts valid JSON, with or without a BOM", () => {
    expect(status("a.json", '{"a": [1, 2.5e3, -0, "x\\u00e9\\n", true, false, null], "b": {}}')).toEqual({ kind: "json", ok: true });
    expect(status("a.json", Buffer.concat([BOM, buf('{"a": 1}')]))).toEqual({ kind: "json", ok: true });
  });

  it("reports line and column on multi-line input, from V8's position", () => {
    // "Expected ',' or '}' after property value in JSON at position N" (Node 20).
    const s = status("a.json", `{\n  "a": 1,\n  "b": "${SECRET}"\n  "c": 3\n}\n`);
    expect(s).toEqual({ kind: "json", ok: false, message: "line 4, column 3: Expected ',' or '}' after property value", line: 4, column: 3 });
  });

  it("reports line and column of an unexpected token without its text", () => {
    // V8 says: Unexpected token 'h', ..."b": hunter2-S3"... is not valid JSON — no position, an excerpt.
    const s = status("a.json", `{\n  "a": 1,\n  "b": ${SECRET}\n}\n`);
    expect(s).toEqual({ kind: "json", ok: false, message: "line 3, column 8: Unexpected token", line: 3, column: 8 });
    const trailing = status("a.json", `[\n  "${SECRET}",\n]`);
    expect(trailing).toEqual({ kind: "json", ok: false, message: "line 3, column 1: Unexpected token", line: 3, column: 1 });
  });

  it("reports the end of input", () => {
    expect(status("a.json", `{"a": "${SECRET}",\n`)).toMatchObject({ ok: false, line: 2, column: 1 });
    expect(status("a.json", "")).toEqual({ kind: "json", ok: false, message: "line 1, column 1: Unexpected end of JSON input", line: 1, column: 1 });
    expect(status("a.json", `"${SECRET}`)).toMatchObject({ ok: false, message: expect.stringMatching(/^line 1, column \d+: Unterminated string$/) });
  });

  it("reads positions from Node 20 and Node 22 messages; keeps only the kind", () => {
    expect(jsonErrorKind(`Unexpected token 'h', "${SECRET}" is not valid JSON`)).toBe("Unexpected token");
    expect(jsonErrorKind("Expected double-quoted property name in JSON at position 21 (line 3 column 10)")).toBe("Expected double-quoted property name");
    expect(jsonErrorKind(`Something new about ${SECRET}`)).toBe("Invalid JSON");
    const text = '{\n  "a": 1,\n  "b" 2\n}';
    expect(positionInMessage(text, "Expected ':' after property name in JSON at position 18 (line 3 column 7)")).toEqual({ line: 3, column: 7 });
    expect(positionInMessage(text, "Expected ':' after property name in JSON at position 18")).toEqual({ line: 3, column: 7 });
    expect(positionInMessage(text, `Unexpected token '2', "${SECRET}" is not valid JSON`)).toBeNull();
    expect(lineColumn("ab\ncd\r\nef", 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn("ab\ncd\r\nef", 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn("ab\ncd\r\nef", 8)).toEqual({ line: 3, column: 2 });
    expect(lineColumn("ab", 99)).toEqual({ line: 1, column: 3 });
  });

  it("finds the offset of the first error like JSON.parse", () => {
    const cases: [string, number | null][] = [
      ['{"a": [1, {"b": null}], "c": "\\u00e9"}', null],
      ["  [ ]  ", null],
      ["{}", null],
      ["[1,]", 3],
      ['{"a":1,}', 7],
      ["{a:1}", 1],
      ['{"a" 1}', 5],
      ["[1 2]", 3],
      ["tru", 3],
      ["nulx", 3],
      ["-", 1],
      ["01", 1],
      ["1.", 2],
      ["1e+", 3],
      ['"a\tb"', 2],
      ['"\\q"', 2],
      ['"\\u12G4"', 5],
      ['{"a":1} x', 8],
      ["[[[", 3],
      ["", 0],
    ];
    for (const [text, at] of cases) {
      expect(jsonErrorOffset(text), text).toBe(at);
      expect(jsonProblem(text) === null, text).toBe(at === null);
    }
    // Deep nesting does not overflow the stack.
    expect(jsonErrorOffset("[".repeat(100_000) + "]".repeat(100_000))).toBeNull();
  });
});

describe("parseStatus: .env", () => {
  const ok = { kind: "env", ok: true };

  it("accepts comments, blank lines, export, quotes and multi-line double quotes", () => {
    const text = [
      "# a comment",
      "",
      "   ",
      "PLAIN=value with spaces # and a comment",
      "EMPTY=",
      "export EXPORTED=1",
      "  SPACED = 2  ",
      `SINGLE='${SECRET} "x" #'`,
      `DOUBLE="a \\"quoted\\" ${SECRET}" # comment`,
      'MULTI="-----BEGIN PRIVATE KEY-----',
      "MIIEvQIBADANBg",
      '-----END PRIVATE KEY-----"',
      "dotted.name-x=3",
      "_UNDER=4",
      "PLAIN=again",
    ].join("\n");
    expect(status(".env", text)).toEqual(ok);
    expect(status(".env.production", text.replace(/\n/g, "\r\n"))).toEqual(ok);
    expect(envKeys(buf(text))).toEqual(["PLAIN", "EMPTY", "EXPORTED", "SPACED", "SINGLE", "DOUBLE", "MULTI", "dotted.name-x", "_UNDER"]);
    expect(envKeys(Buffer.concat([BOM, buf(`A=${SECRET}\n`)]))).toEqual(["A"]);
    expect(status(".env", Buffer.concat([BOM, buf("A=1\n")]))).toEqual(ok);
    expect(status(".env", "")).toEqual(ok);
  });

  it("envKeys never returns values and is empty for invalid files", () => {
    expect(envKeys(buf(`A=${SECRET}\nB="${SECRET}"`)).join()).not.toContain("hunter2");
    expect(envKeys(buf(`A=1\n${SECRET}\n`))).toEqual([]);
    expect(envKeys(Buffer.from([0x41, 0x3d, 0xff]))).toEqual([]);
  });

  it("reports a line without = by its number, without its text", () => {
    expect(status(".env", `A=1\n# c\n${SECRET}\nB=2`)).toEqual({ kind: "env", ok: false, message: "line 3: expected KEY=VALUE", line: 3 });
  });

  it("reports an invalid name", () => {
    for (const bad of ["1A=x", "A B=x", "-A=x", `"A"=x`, "=x", "export A B=x"]) {
      expect(status(".env", `OK=1\n${bad}`), bad).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/^line 2: invalid variable name/) });
    }
  });

  it("reports unterminated quotes at the line they open", () => {
    expect(status(".env", `A=1\nB=2\nC='${SECRET}\nD=4`)).toEqual({ kind: "env", ok: false, message: "line 3: unterminated single quote", line: 3 });
    const text = `A=1\nB=2\nC=3\nD=4\nE=5\nF=6\nG="${SECRET}\nH=8\nI=\\"9\n`;
    expect(status(".env", text)).toEqual({ kind: "env", ok: false, message: "line 7: unterminated double quote", line: 7 });
    // An escaped quote does not close the value.
    expect(status(".env", `A="${SECRET}\\"`)).toMatchObject({ ok: false, line: 1, message: "line 1: unterminated double quote" });
    // A single-quoted value does not span lines.
    expect(status(".env", `A='${SECRET}\n'`)).toMatchObject({ ok: false, line: 1 });
  });

  it("reports text after a closing quote at the line of the quote", () => {
    expect(status(".env", `A="x\ny"${SECRET}\n`)).toEqual({ kind: "env", ok: false, message: "line 2: unexpected text after the closing quote", line: 2 });
    expect(status(".env", `A='x' ${SECRET}`)).toMatchObject({ ok: false, line: 1 });
  });
});

describe("parseStatus: encoding", () => {
  it("fails on invalid UTF-8 for every kind", () => {
    const bad = Buffer.concat([buf("a: "), Buffer.from([0xc3, 0x28])]);
    for (const [p, kind] of [["a.yaml", "yaml"], ["a.json", "json"], [".env", "env"]] as const) {
      expect(parseStatus(p, bad)).toEqual({ kind, ok: false, message: "not valid UTF-8" });
    }
    expect(parseStatus("a.txt", bad)).toBeNull();
  });

  it("accepts non-ASCII UTF-8", () => {
    expect(status("a.yaml", "name: Zoë — 東京\n")).toEqual({ kind: "yaml", ok: true });
    expect(status(".env", 'NAME="Zoë"\n')).toEqual({ kind: "env", ok: true });
  });
});

describe("redactSettings", () => {
  const KEK = Buffer.alloc(32, 7).toString("base64"); // "BwcH…Bwc="
  const KEK2 = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 3)).toString("base64url"); // no padding
  const ACCOUNT_KEY = Buffer.alloc(64, 9).toString("base64");
  const CONN = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`;
  const SAS_URL = "https://acct.blob.core.windows.net/c?sv=2024-05-04&ss=b&srt=co&sp=rl&se=2030-01-01&sig=abcDEF123%2Bxyz%3D";
  const JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz";

  it("redacts by name, whatever the value", () => {
    const out = redactSettings({
      MY_API_KEY: "abc",
      CLIENT_SECRET: "abc",
      DB_PASSWORD: "abc",
      SQL_PWD: "abc",
      GITHUB_TOKEN: "abc",
      EXPORT_SAS: "abc",
      APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=abc",
      serviceConnectionString: "abc",
      SOME__credential: "abc",
      LIFEBOAT_KEK: "not-even-base64",
      lifeboat_kek_old: "abc",
    });
    expect(Object.values(out).every((v) => v === R)).toBe(true);
    expect(Object.keys(out)).toHaveLength(11);
  });

  it("redacts by shape under innocent names", () => {
    const out = redactSettings({
      AzureWebJobsStorage: CONN,
      LIFEBOAT_SOURCE: CONN,
      EXPORT_URL: SAS_URL,
      SERVICE_BUS: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=x;SharedAccessKey=abcdefgh",
      SQL: "Server=tcp:s.database.windows.net;Database=db;User ID=u;Password=p4ss;",
      SAS_ONLY: "sv=2024-05-04&sig=abcdef",
      SOMETHING: KEK,
      SOMETHING_URLSAFE: KEK2,
      SPACED: ` ${KEK.slice(0, 20)}\n${KEK.slice(20)} `,
      RAW_ACCOUNT_KEY_VALUE: ACCOUNT_KEY,
      IDENTITY: JWT,
      PEM: "-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----",
      // Shape wins over the names kept on purpose.
      LIFEBOAT_KEK_SECRET: KEK,
      LIFEBOAT_BACKUP__clientId: JWT,
    });
    for (const [k, v] of Object.entries(out)) expect(v, k).toBe(R);
  });

  it("keeps non-secrets, including the well-known names that look secret", () => {
    const settings = {
      LIFEBOAT_KEY_VAULT_URI: "https://lifeboat-kv.vault.azure.net/",
      LIFEBOAT_KEK_SECRET: "lifeboat-kek",
      RPO_MINUTES: "15",
      RTO_MINUTES: "120",
      LIFEBOAT_TABLES: "*",
      LIFEBOAT_SOURCE: "UseDevelopmentStorage=true",
      LIFEBOAT_FULL_BACKUP_SCHEDULE: "0 0 1 * * *",
      LIFEBOAT_BACKUP__clientId: "00000000-1111-2222-3333-444444444444",
      LIFEBOAT_BACKUP__credential: "managedidentity",
      RESOURCE_GROUP: "my-very-long-resource-group-name-production", // 43 characters, not a key
      HASH_HEX: "a".repeat(64),
    };
    expect(redactSettings(settings)).toEqual(settings);
  });

  it("keeps service URIs without their query string", () => {
    const out = redactSettings({
      LIFEBOAT_BACKUP__blobServiceUri: SAS_URL,
      LIFEBOAT_BACKUP__tableServiceUri: "https://acct.table.core.windows.net/?sig=abc#frag",
      LIFEBOAT_AUDIT__QUEUESERVICEURI: "https://user:pw@acct.queue.core.windows.net/",
      MY_KEY_STORE__serviceUri: "https://acct.blob.core.windows.net",
    });
    expect(out).toEqual({
      LIFEBOAT_AUDIT__QUEUESERVICEURI: "https://acct.queue.core.windows.net/",
      LIFEBOAT_BACKUP__blobServiceUri: "https://acct.blob.core.windows.net/c",
      LIFEBOAT_BACKUP__tableServiceUri: "https://acct.table.core.windows.net/",
      MY_KEY_STORE__serviceUri: "https://acct.blob.core.windows.net",
    });
  });

  it("drops undefined values, sorts names, and never partly redacts", () => {
    const out = redactSettings({ B: "2", A: undefined, C: `see ${SAS_URL}`, ["__proto__"]: "p" });
    expect(Object.keys(out)).toEqual(["B", "C", "__proto__"]);
    expect(out.C).toBe(R);
    expect(out.B).toBe("2");
    // A setting named __proto__ stays a setting; it does not replace the prototype.
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toBe("p");
  });

  it("documents its patterns", () => {
    expect(SECRET_NAME_PARTS).toEqual(expect.arrayContaining(["key", "secret", "password", "pwd", "token", "sas", "connectionstring", "credential"]));
    expect(NON_SECRET_SETTINGS).toEqual(["LIFEBOAT_KEY_VAULT_URI", "LIFEBOAT_KEK_SECRET", "LIFEBOAT_ACTIVE_ENDPOINT_SECRET"]);
    expect(ALWAYS_REDACTED_SETTINGS).toEqual(["LIFEBOAT_KEK"]);
    expect(SERVICE_URI_SUFFIXES).toContain("__blobServiceUri");
  });
});
