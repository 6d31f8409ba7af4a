import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listPoints } from "../../src/app/repo/catalog";
import { EXIT } from "../../src/cli/context";
import type { EntityRecord } from "../../src/core/entity/record";
import { isPointId } from "../../src/format/manifest";
import { accountKeyOf, cli, cliTranscript } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { deleteFromTable, expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";

const secrets = new Set<string>();
const tempDirs: string[] = [];

afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

function services(tables: string[], extra: Record<string, string> = {}) {
  const s = testServices(tables, extra);
  secrets.add(s.settings.LIFEBOAT_KEK!);
  return s;
}

describe("lifeboat CLI (in-process)", () => {
  const table = uniqueTable("Cli");
  let s: ReturnType<typeof testServices>;
  let records: EntityRecord[];
  let pointId = "";

  beforeAll(async () => {
    s = services([table]);
    records = makeRecords(120, 1, 4);
    await seedTable(s.source, table, records);
  });

  it("backup: prints only the point id on stdout, exit 0; progress and summary go to stderr", async () => {
    const run = await cli(["backup"], s.settings);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/^\S+\n$/);
    pointId = run.stdout.trim();
    expect(isPointId(pointId)).toBe(true);
    expect(run.stderr).toContain(`committed full point ${pointId}`);
    expect((await listPoints(s.repo)).map((p) => p.id)).toEqual([pointId]);
  });

  it("points --json lists the point", async () => {
    const run = await cli(["points", "--json"], s.settings);
    expect(run.code).toBe(EXIT.ok);
    const points = JSON.parse(run.stdout) as { id: string; kind: string; entities: number; tables: string[]; time: string }[];
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ id: pointId, kind: "full", entities: records.length, tables: [table] });
    expect(Number.isNaN(Date.parse(points[0]!.time))).toBe(false);
    const text = await cli(["points"], s.settings);
    expect(text.code).toBe(EXIT.ok);
    expect(text.stdout).toContain(pointId);
  });

  it("status --json shows the table within the RPO", async () => {
    const run = await cli(["status", "--json"], s.settings);
    expect(run.code).toBe(EXIT.ok);
    const st = JSON.parse(run.stdout) as {
      healthy: boolean;
      points: number;
      rpoMinutes: number;
      tables: { table: string; lastPointId: string | null; withinRpo: boolean; ageMinutes: number | null }[];
    };
    expect(st.points).toBe(1);
    expect(st.rpoMinutes).toBe(15);
    expect(st.healthy).toBe(true);
    expect(st.tables).toEqual([expect.objectContaining({ table, lastPointId: pointId, withinRpo: true })]);
    expect(st.tables[0]!.ageMinutes).toBeLessThan(15);
  });

  it("restore --at not-a-time: exit 2, stderr names --at, no table is created and no point is added", async () => {
    const prefix = uniqueTable("x");
    const run = await cli(["restore", "--at", "not-a-time", "--target-prefix", prefix], s.settings);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/--at/);
    expect(run.stdout).toBe("");
    expect(await s.source.tableExists(`${prefix}${table}`)).toBe(false);
    expect((await s.source.listTables()).filter((t) => t.toLowerCase().startsWith(prefix.toLowerCase()))).toEqual([]);
    expect((await listPoints(s.repo)).map((p) => p.id)).toEqual([pointId]);
  });

  it("restore without a target: exit 2 naming the two ways to give one", async () => {
    const run = await cli(["restore"], s.settings);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/--target-prefix/);
    expect(run.stderr).toMatch(/--in-place/);
  });

  it("restore with contradictory options: exit 2", async () => {
    const both = await cli(["restore", "--at", new Date().toISOString(), "--point", pointId, "--target-prefix", "r"], s.settings);
    expect(both.code).toBe(EXIT.usage);
    const targets = await cli(["restore", "--point", pointId, "--target-prefix", "r", "--in-place"], s.settings);
    expect(targets.code).toBe(EXIT.usage);
    const badPrefix = await cli(["restore", "--point", pointId, "--target-prefix", "9-bad"], s.settings);
    expect(badPrefix.code).toBe(EXIT.usage);
    expect(badPrefix.stderr).toMatch(/target-prefix/);
    expect(await s.source.tableExists(`9-bad${table}`)).toBe(false);
  });

  it("restore --at before the first point: exit 2, 'no restore point at or before'", async () => {
    const [first] = await listPoints(s.repo);
    const before = new Date(first!.time.getTime() - 60_000).toISOString();
    const prefix = uniqueTable("early");
    const run = await cli(["restore", "--at", before, "--target-prefix", prefix], s.settings);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/no restore point at or before/);
    expect(await s.source.tableExists(`${prefix}${table}`)).toBe(false);
  });

  it("restore --point <unknown>: exit 2 naming the point", async () => {
    const run = await cli(["restore", "--point", "20200101T000000000Z-f000000", "--target-prefix", "r"], s.settings);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("20200101T000000000Z-f000000");
  });

  it("restore --dry-run: exit 0, prints the plan, writes nothing", async () => {
    const prefix = uniqueTable("dry");
    const run = await cli(["restore", "--point", pointId, "--target-prefix", prefix, "--dry-run"], s.settings);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stdout).toContain(pointId);
    expect(run.stdout).toContain(`${prefix}${table}`);
    expect(await s.source.tableExists(`${prefix}${table}`)).toBe(false);
    expect((await listPoints(s.repo)).map((p) => p.id)).toEqual([pointId]);
  });

  it("restore --at with a time zone offset picks the latest point at or before that instant", async () => {
    // Now, written as +02:00 local time.
    const now = new Date(Date.now() + 1000);
    const local = new Date(now.getTime() + 2 * 3600_000).toISOString().replace("Z", "+02:00");
    const run = await cli(["restore", "--at", local, "--target-prefix", "tz", "--dry-run", "--json"], s.settings);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const result = JSON.parse(run.stdout) as { dryRun: boolean; plan: { pointId: string } };
    expect(result.dryRun).toBe(true);
    expect(result.plan.pointId).toBe(pointId);
  });

  it("restore --point <id> --target-prefix r: exit 0 and the new table matches", async () => {
    const prefix = uniqueTable("r");
    const run = await cli(["restore", "--point", pointId, "--target-prefix", prefix], s.settings);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/verified/);
    await expectTableEquals(`${prefix}${table}`, records);
  });

  it("restore --in-place after deletions brings the entities back, after a safety backup that is a new point", async () => {
    const lost = records.filter((_, i) => i % 7 === 3);
    await deleteFromTable(s.source, table, lost);
    const damaged = records.filter((r) => !lost.includes(r));
    const pointsBefore = await listPoints(s.repo);

    const run = await cli(["restore", "--in-place", "--point", pointId], s.settings);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    await expectTableEquals(table, records);

    const pointsAfter = await listPoints(s.repo);
    expect(pointsAfter).toHaveLength(pointsBefore.length + 1);
    const safety = pointsAfter.find((p) => !pointsBefore.some((b) => b.id === p.id))!;
    expect(safety.tables).toEqual([table]);
    expect(run.stdout).toContain(`safety backup: ${safety.id}`);
    expect(run.stderr).toMatch(/safety backup/);

    // The safety point holds the state just before the restore (the deletions included).
    const prefix = uniqueTable("safe");
    const back = await cli(["restore", "--point", safety.id, "--target-prefix", prefix], s.settings);
    expect(back.code, back.stderr).toBe(EXIT.ok);
    await expectTableEquals(`${prefix}${table}`, damaged);
  });

  it("verify: exit 0 on a healthy repository", async () => {
    const run = await cli(["verify"], s.settings);
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/^ok: /m);
  });

  it("--settings <file> reads the Values of a local.settings.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lifeboat-cli-"));
    tempDirs.push(dir);
    const file = join(dir, "local.settings.json");
    await writeFile(file, JSON.stringify({ IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "node", ...s.settings } }));
    const run = await cli(["--settings", file, "points", "--json"], {});
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect((JSON.parse(run.stdout) as { id: string }[]).map((p) => p.id)).toContain(pointId);

    const missing = await cli(["--settings", join(dir, "nope.json"), "points"], {});
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/--settings/);

    const noValues = join(dir, "novalues.json");
    await writeFile(noValues, JSON.stringify({ IsEncrypted: false }));
    const bad = await cli(["--settings", noValues, "points"], {});
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/Values/);
  });

  it("missing settings: exit 2 naming LIFEBOAT_TABLES and LIFEBOAT_KEK", async () => {
    const run = await cli(["status"], {});
    expect(run.code).toBe(EXIT.usage);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/LIFEBOAT_TABLES/);
    expect(run.stderr).toMatch(/LIFEBOAT_KEK/);
  });

  it("missing key only: exit 2 naming LIFEBOAT_KEK and never echoing the connection string", async () => {
    const { LIFEBOAT_KEK: _omit, ...rest } = s.settings;
    const run = await cli(["backup"], rest);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/LIFEBOAT_KEK/);
    expect(run.stderr).not.toContain(inject("azurite"));
  });

  it("a malformed key: exit 2 naming LIFEBOAT_KEK without echoing the value", async () => {
    const wrong = Buffer.alloc(16, 7).toString("base64");
    secrets.add(wrong);
    const run = await cli(["backup"], { ...s.settings, LIFEBOAT_KEK: wrong });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/LIFEBOAT_KEK/);
    expect(run.stderr).not.toContain(wrong);
  });

  it("backup of a configured table that does not exist: exit 2 naming it, no point", async () => {
    const ghost = uniqueTable("Ghost");
    const g = services([ghost]);
    const run = await cli(["backup"], g.settings);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain(ghost);
    expect(run.stdout).toBe("");
    expect(await listPoints(g.repo)).toEqual([]);
  });

  it("an unknown command or option: exit 2", async () => {
    expect((await cli(["frobnicate"], s.settings)).code).toBe(EXIT.usage);
    expect((await cli(["backup", "--no-such-option"], s.settings)).code).toBe(EXIT.usage);
    expect((await cli(["backup", "--wait", "soon"], s.settings)).code).toBe(EXIT.usage);
  });

  it("no secret appears in any output of any CLI run above", () => {
    const accountKey = accountKeyOf(inject("azurite"));
    expect(accountKey).toBeTruthy();
    secrets.add(accountKey!);
    expect(cliTranscript.length).toBeGreaterThan(20);
    const all = cliTranscript.join("\n");
    for (const secret of secrets) {
      expect(all.includes(secret), `a secret (${secret.slice(0, 4)}…) was printed`).toBe(false);
    }
  });
});
