import { createDecipheriv, createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Writing side only: Lifeboat's real backup produces the fixture.
import { runBackup } from "../../src/app/backup/run-backup";
import { FsBackupStore } from "../../src/adapters/fs/FsBackupStore";
import { EnvKeyProvider } from "../../src/adapters/keys";
import { Secret } from "../../src/core/secret";
import { ClockTables, serviceTime, type Content } from "../helpers/format-reader/clock-tables";

/*
 * An independent reader of the archive format, written from docs/format.md alone: nothing
 * on the reading side comes from src/. It decrypts every file of each point straight from
 * the repository folder, checks the manifest's file references, rebuilds each table by the
 * "restoring a table by hand" procedure and checks the content digest and the key set.
 */

// ---------------------------------------------------------------------------
// The reader (docs/format.md §2–§7)
type Prop = [string, string];
interface FileRef { path: string; sha256: string; bytes: number; records: number }
interface Segment {
  mode: "full" | "incremental"; since: string | null; watermark: string | null; entities: number; tombstones: number;
  data: FileRef[]; keys: FileRef[]; keyCount: number; recent: [string, string][]; contentDigest: string | null;
}
interface Manifest {
  format: string; formatVersion: number; pointId: string; kind: "full" | "incremental"; parent: string | null; kekId: string;
  tables: Record<string, Segment>; totals: { entities: number; tombstones: number; bytes: number; files: number };
}
interface Line { pk: string; rk: string; ts?: string; e?: string; p?: Record<string, Prop>; del?: 1 }

const MAGIC = Buffer.from("LBOATv1\n", "latin1");
const sha256 = (b: Buffer | string): Buffer => createHash("sha256").update(b).digest();

/** §3: an env KEK is named by the first 16 hex digits of SHA-256 of its 32 raw bytes. */
const envKekId = (raw: Buffer): string => "env:" + sha256(raw).toString("hex").slice(0, 16);

/** §2: check the magic, parse the header, unwrap the data key, GCM-decrypt with AAD = bytes 0…12+N−1, gunzip ndjson+gzip. */
function openLbe(file: Buffer, keks: Map<string, Buffer>): { header: Record<string, string>; plain: Buffer } {
  if (!file.subarray(0, 8).equals(MAGIC)) throw new Error("not a Lifeboat v1 file");
  const n = file.readUInt32BE(8);
  const header = JSON.parse(file.subarray(12, 12 + n).toString("utf8")) as Record<string, string>;
  if (header.alg !== "A256GCM" || header.kw !== "A256KW") throw new Error("unknown algorithms");
  const kek = keks.get(header.kek ?? "");
  if (!kek) throw new Error(`no KEK ${header.kek}`);
  const unwrap = createDecipheriv("id-aes256-wrap", kek, Buffer.from("A6A6A6A6A6A6A6A6", "hex"));
  const dataKey = Buffer.concat([unwrap.update(Buffer.from(header.wrappedKey ?? "", "base64")), unwrap.final()]);
  const gcm = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(header.iv ?? "", "base64"));
  gcm.setAAD(file.subarray(0, 12 + n));
  gcm.setAuthTag(file.subarray(file.length - 16));
  const raw = Buffer.concat([gcm.update(file.subarray(12 + n, file.length - 16)), gcm.final()]);
  if (header.contentType === "ndjson+gzip") return { header, plain: gunzipSync(raw) };
  if (header.contentType === "json") return { header, plain: raw };
  throw new Error(`unknown content type ${header.contentType}`);
}

/** §5: UTF-8, one JSON object a line, every line terminated by \n; an empty file has no lines. */
function ndjson(plain: Buffer): Line[] {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(plain);
  if (text === "") return [];
  if (!text.endsWith("\n")) throw new Error("last line is not terminated");
  return text.slice(0, -1).split("\n").map((l) => JSON.parse(l) as Line);
}

/** A repository folder as FsBackupStore keeps it: each object path is a file path under the root. */
class Repo {
  constructor(readonly root: string, readonly keks: Map<string, Buffer>) {}
  async pointIds(): Promise<string[]> {
    const names = await readdir(join(this.root, "points"));
    return names.filter((f) => f.endsWith(".manifest.lbe")).map((f) => f.slice(0, -".manifest.lbe".length)).sort();
  }
  async manifest(id: string): Promise<Manifest> {
    const { header, plain } = openLbe(await readFile(join(this.root, "points", `${id}.manifest.lbe`)), this.keks);
    expect(header.contentType).toBe("json");
    const m = JSON.parse(plain.toString("utf8")) as Manifest;
    if (m.format !== "lifeboat-archive" || m.formatVersion !== 1) throw new Error("unknown format version");
    expect(m.pointId).toBe(id);
    return m;
  }
  /** §4: check size and SHA-256 of the stored bytes, then decrypt and count the lines. */
  async lines(f: FileRef): Promise<Line[]> {
    const stored = await readFile(join(this.root, ...f.path.split("/")));
    expect(stored.length).toBe(f.bytes);
    expect(sha256(stored).toString("hex")).toBe(f.sha256);
    const { header, plain } = openLbe(stored, this.keks);
    expect(header.contentType).toBe("ndjson+gzip");
    const lines = ndjson(plain);
    expect(lines.length).toBe(f.records);
    return lines;
  }
}

/** §5: from P back along `parent` to the point whose segment for the table is full; oldest first. */
async function chain(repo: Repo, head: Manifest, table: string): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (let m = head; ; ) {
    const seg = m.tables[table];
    if (!seg) throw new Error(`chain of ${table} is broken at ${m.pointId}`);
    out.unshift(m);
    if (seg.mode === "full") return out;
    if (m.parent === null) throw new Error(`incremental ${m.pointId} has no parent`);
    m = await repo.manifest(m.parent);
  }
}

const keyOf = (pk: string, rk: string): string => JSON.stringify([pk, rk]);

/** §5 "Restoring a table by hand": apply the chain oldest first, data files and lines in order. */
async function rebuild(repo: Repo, head: Manifest, table: string): Promise<Map<string, Line>> {
  const rows = new Map<string, Line>();
  for (const m of await chain(repo, head, table)) {
    for (const f of m.tables[table]!.data) {
      for (const l of await repo.lines(f)) {
        if (l.del === 1) rows.delete(keyOf(l.pk, l.rk));
        else rows.set(keyOf(l.pk, l.rk), l);
      }
    }
  }
  return rows;
}

/** §7: canonical JSON {"pk","rk","p"} with properties in UTF-16 code unit order, as JSON.stringify writes strings. */
function canonical(l: Line): string {
  const p = l.p ?? {};
  const props = Object.keys(p).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(p[k])}`);
  return `{"pk":${JSON.stringify(l.pk)},"rk":${JSON.stringify(l.rk)},"p":{${props.join(",")}}}`;
}

/** §7: sum of SHA-256(canonical JSON) as 256-bit big-endian integers, modulo 2^256, 64 hex digits. */
function contentDigest(entities: Iterable<Line>): string {
  let total = 0n;
  for (const l of entities) total = (total + BigInt("0x" + sha256(Buffer.from(canonical(l), "utf8")).toString("hex"))) % (1n << 256n);
  return total.toString(16).padStart(64, "0");
}

const asContent = (rows: Map<string, Line>): Content =>
  [...rows.values()]
    .map((l) => ({ pk: l.pk, rk: l.rk, props: (l.p ?? {}) as Content[number]["props"] }))
    .sort((a, b) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : a.rk < b.rk ? -1 : a.rk > b.rk ? 1 : 0));

// ---------------------------------------------------------------------------
// The fixture: a full point, then an incremental with updates, deletions and late writes

const AWKWARD = {
  str: ["String", 'quote " backslash \\ lone \ud800 emoji 😀 ls \u2028 ctl \u0001\t\n end'],
  i32: ["Int32", "-42"],
  i64: ["Int64", "9007199254740993"],
  dbl: ["Double", "0.1"],
  two: ["Double", "2"],
  big: ["Double", "1e+21"],
  nan: ["Double", "NaN"],
  inf: ["Double", "Infinity"],
  ninf: ["Double", "-Infinity"],
  nz: ["Double", "-0"],
  yes: ["Boolean", "true"],
  dt0: ["DateTime", "2020-01-01T00:00:00Z"],
  dt7: ["DateTime", "2026-11-26T13:45:00.1234567Z"],
  guid: ["Guid", "c9da6455-213d-42c9-9a79-3e9149a57833"],
  bin: ["Binary", "AAEC/w=="],
  "ｱ": ["String", "U+FF71 sorts after 𝒜 in UTF-16 order"],
  "𝒜": ["String", "U+1D49C, a surrogate pair"],
} as const satisfies Record<string, Prop>;

const at = (iso: string): Date => new Date(iso);
describe("an independent reader built from docs/format.md", () => {
  const raw = randomBytes(32);
  const source = new ClockTables();
  const expected = new Map<string, Record<string, Content>>();
  let dir = "";
  let repo: Repo;
  const ids: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lb-reader-"));
    const store = new FsBackupStore(dir);
    const keys = new EnvKeyProvider(new Secret(raw));
    const backup = async (tables: string[], time: string): Promise<void> => {
      source.clock = at(time);
      const r = await runBackup({ source, repo: store, keys, now: () => source.clock }, { tables, overlapSeconds: 60, chunkEntities: 2 });
      if (r.status !== "committed") throw new Error("backup skipped");
      ids.push(r.pointId);
      expected.set(r.pointId, Object.fromEntries(tables.map((t) => [t, source.content(t)])));
    };
    source.clock = at("2026-03-01T09:00:00Z");
    source.put("Things", "p1", "a", AWKWARD);
    source.put("Things", "p1", "b", { n: ["Int32", "1"] });
    source.put("Things", 'p"2', "line\u2028sep", { s: ["String", "unchanged"] });
    source.put("Things", "p2", "c", { n: ["Int32", "3"] });
    source.clock = at("2026-03-01T09:59:30Z"); // inside the overlap of the full: listed in `recent`
    source.put("Things", "p1", "r😀", { n: ["Int64", "-9223372036854775808"] });
    await backup(["Things"], "2026-03-01T10:00:00Z");

    source.clock = at("2026-03-01T11:00:00Z");
    source.put("Things", "p1", "a", { ...AWKWARD, i32: ["Int32", "43"], dt0: ["DateTime", "2021-02-03T04:05:06Z"] });
    source.remove("Things", "p1", "b");
    source.put("Things", "p2", "c", { n: ["Int32", "4"] });
    source.put("Things", "p3", "new", { dt: ["DateTime", "2026-03-01T11:00:00.1Z"], bin: ["Binary", ""] });
    source.put("Added", "x", "1", { s: ["String", "\ud800\udc00 paired, \udc00 lone"] });
    // While the incremental runs: p2/c is deleted after the change scan met it; p4/late1
    // and p4/late2 are written behind the change scan, and late2 is gone again after the key scan.
    source.afterScan.change = () => {
      source.clock = at("2026-03-01T12:00:05Z");
      source.remove("Things", "p2", "c");
      source.put("Things", "p4", "late1", { n: ["Int32", "5"] });
      source.put("Things", "p4", "late2", { n: ["Int32", "6"] });
    };
    source.afterScan.keys = () => source.remove("Things", "p4", "late2");
    await backup(["Things", "Added"], "2026-03-01T12:00:00Z");
    repo = new Repo(dir, new Map([[envKekId(raw), raw]]));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("finds the points by their manifests, with well-formed ids, chained by parent", async () => {
    expect(await repo.pointIds()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^\d{8}T\d{9}Z-[fi][0-9a-f]{6}$/);
    const [full, inc] = [await repo.manifest(ids[0]!), await repo.manifest(ids[1]!)];
    expect([full.kind, full.parent, inc.kind, inc.parent]).toEqual(["full", null, "incremental", full.pointId]);
    expect(full.kekId).toBe(envKekId(raw));
  });

  it("rebuilds every table at every point exactly as the source held it", async () => {
    for (const id of ids) {
      const m = await repo.manifest(id);
      for (const table of Object.keys(m.tables)) expect(asContent(await rebuild(repo, m, table))).toEqual(expected.get(id)![table]);
    }
  });

  it("checks every file reference and the manifest's counts and totals (which leave out the manifest)", async () => {
    for (const id of ids) {
      const m = await repo.manifest(id);
      const sum = { entities: 0, tombstones: 0, bytes: 0, files: 0 };
      for (const seg of Object.values(m.tables)) {
        const data = (await Promise.all(seg.data.map((f) => repo.lines(f)))).flat();
        const keys = (await Promise.all(seg.keys.map((f) => repo.lines(f)))).flat();
        expect(data.filter((l) => l.del === 1).length).toBe(seg.tombstones);
        expect(data.filter((l) => l.del !== 1).length).toBe(seg.entities);
        expect(keys.length).toBe(seg.keyCount);
        for (const k of keys) expect(Object.keys(k)).toEqual(["pk", "rk"]);
        for (const f of [...seg.data, ...seg.keys]) (sum.bytes += f.bytes), sum.files++;
        sum.entities += seg.entities;
        sum.tombstones += seg.tombstones;
      }
      expect(m.totals).toEqual(sum);
    }
  });

  it("matches the content digest of each full segment, and incrementals store none", async () => {
    const full = await repo.manifest(ids[0]!);
    const inc = await repo.manifest(ids[1]!);
    expect(full.tables.Things!.contentDigest).toBe(contentDigest((await rebuild(repo, full, "Things")).values()));
    // A table added since the parent gets a full segment inside the incremental point: its chain starts there.
    expect(inc.tables.Added!.mode).toBe("full");
    expect((await chain(repo, inc, "Added")).map((m) => m.pointId)).toEqual([inc.pointId]);
    expect(inc.tables.Added!.contentDigest).toBe(contentDigest((await rebuild(repo, inc, "Added")).values()));
    expect(inc.tables.Things!.mode).toBe("incremental");
    expect(inc.tables.Things!.contentDigest).toBeNull();
    expect(contentDigest([])).toBe("0".repeat(64));
  });

  it("gives the key set of every point: its key files less the keys its own tombstones delete", async () => {
    for (const id of ids) {
      const m = await repo.manifest(id);
      for (const [table, seg] of Object.entries(m.tables)) {
        const listed = new Set((await Promise.all(seg.keys.map((f) => repo.lines(f)))).flat().map((k) => keyOf(k.pk, k.rk)));
        for (const l of (await Promise.all(seg.data.map((f) => repo.lines(f)))).flat()) if (l.del === 1) listed.delete(keyOf(l.pk, l.rk));
        expect([...(await rebuild(repo, m, table)).keys()].sort()).toEqual([...listed].sort());
      }
    }
    // p4/late2 is in the key files of the incremental and deleted by its own tombstone.
    const inc = (await repo.manifest(ids[1]!)).tables.Things!;
    const keys = (await Promise.all(inc.keys.map((f) => repo.lines(f)))).flat().map((k) => keyOf(k.pk, k.rk));
    expect(keys).toContain(keyOf("p4", "late2"));
  });

  it("lets a key have an entity line then a tombstone in one point: lines apply in order", async () => {
    const inc = (await repo.manifest(ids[1]!)).tables.Things!;
    const data = (await Promise.all(inc.data.map((f) => repo.lines(f)))).flat();
    const c = data.filter((l) => l.pk === "p2" && l.rk === "c").map((l) => (l.del === 1 ? "del" : l.p?.n?.[1]));
    expect(c).toEqual(["4", "del"]);
  });

  it("describes the incremental's window: since, watermark and recent", async () => {
    const [full, inc] = [(await repo.manifest(ids[0]!)).tables.Things!, (await repo.manifest(ids[1]!)).tables.Things!];
    expect(full.since).toBeNull();
    expect(full.watermark).toBe("2026-03-01T10:00:00.0000000Z");
    expect(inc.since).toBe("2026-03-01T09:59:00.0000000Z"); // parent's watermark minus the 60 s overlap
    // Every change before the scan started is in the point; one written while it ran is too, with a later Timestamp.
    const data = (await Promise.all(inc.data.map((f) => repo.lines(f)))).flat();
    for (const l of data) if (l.ts) expect(l.ts >= inc.since! && (l.ts < inc.watermark! || l.rk === "late1")).toBe(true);
    expect(data.find((l) => l.rk === "late1")?.ts).toBe("2026-03-01T12:00:05.0000000Z");
    // The recent pair: 32 hex digits of SHA-256(pk NUL rk) and the ETag; unchanged, it is not stored again.
    const hash = sha256(Buffer.from("p1\u0000r😀", "utf8")).toString("hex").slice(0, 32);
    expect(full.recent.map(([h]) => h)).toEqual([hash]);
    expect(data.some((l) => l.rk === "r😀")).toBe(false);
    expect(inc.watermark).toBe(serviceTime(at("2026-03-01T12:00:00Z")));
  });
});
