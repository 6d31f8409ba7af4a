import { describe, expect, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { listPoints, loadManifest } from "../../src/app/repo/catalog";
import { planRestore, runRestore } from "../../src/app/restore/run-restore";
import { runVerify } from "../../src/app/verify/run-verify";
import type { EntityRecord } from "../../src/core/entity/record";
import { toSdkEntity } from "../../src/core/entity/codec";
import { uniqueTable } from "../helpers/names";
import { testServicesSource } from "../helpers/read";
import { tableOn, testServices } from "../helpers/services";
import { withScan } from "../helpers/store-wrap";

/** Every EDM type, edge values, and keys with awkward characters. */
function awkwardEntities(): EntityRecord[] {
  const keys = ["plain", "quote'single", 'quote"double', "per%cent", "space s ", "ünïcødé", "emoji😀", "plus+amp&", "dash-and_underscore.dot"];
  return keys.map((rk, i) => ({
    pk: i % 2 === 0 ? "p/even".replace("/", "-") : "p'odd %",
    rk,
    props: {
      s: ["String", `value ${rk}`],
      empty: ["String", ""],
      i32: ["Int32", String(-2147483648 + i)],
      i64: ["Int64", i % 2 ? "9223372036854775807" : "9007199254740993"],
      dbl: ["Double", ["2", "1.5", "NaN", "Infinity", "-Infinity", "1e+300", "5e-324", "0.1", "-2.5"][i] ?? "3"],
      b: ["Boolean", i % 2 ? "true" : "false"],
      dt: ["DateTime", "2020-01-01T00:00:00.1234567Z"],
      g: ["Guid", "11111111-2222-3333-4444-555555555555"],
      bin: ["Binary", Buffer.from([0, 1, 2, 255, i]).toString("base64")],
      ...(i % 3 === 0 ? { sparse: ["String", "only some rows"] as const } : {}),
    },
  }));
}

async function put(table: string, records: EntityRecord[]): Promise<void> {
  const c = tableOn(table);
  await c.createTable();
  for (const r of records) await c.upsertEntity(toSdkEntity(r) as { partitionKey: string; rowKey: string }, "Replace");
}

describe("backup → incremental → delete → point-in-time restore", () => {
  it("restores every EDM type and awkward key exactly, at each point in time", async () => {
    const table = uniqueTable("Cust");
    const s = testServices([table]);
    const deps = { source: s.source, repo: s.repo, keys: s.keys };
    const req = { tables: [table], overlapSeconds: 60, chunkEntities: 4 };
    const initial = awkwardEntities();
    await put(table, initial);

    const full = await runBackup(deps, req);
    expect(full.status).toBe("committed");
    if (full.status !== "committed") return;
    expect(full.kind).toBe("full");
    expect(full.entities).toBe(initial.length);

    // Change one, add one, delete two.
    const c = tableOn(table);
    const changed = { ...initial[0]!, props: { ...initial[0]!.props, s: ["String", "changed"] as const } };
    const added: EntityRecord = { pk: "new", rk: "row", props: { n: ["Int64", "-9223372036854775808"] } };
    await put(table, [changed, added]);
    await c.deleteEntity(initial[1]!.pk, initial[1]!.rk);
    await c.deleteEntity(initial[2]!.pk, initial[2]!.rk);

    const inc = await runBackup(deps, req);
    expect(inc.status).toBe("committed");
    if (inc.status !== "committed") return;
    expect(inc.kind).toBe("incremental");
    expect(inc.parent).toBe(full.pointId);
    expect(inc.tombstones).toBe(2);

    const points = await listPoints(s.repo);
    expect(points.map((p) => p.id)).toEqual([full.pointId, inc.pointId]);

    // Restore to the full point: the original data, exactly.
    const atFull = await runRestore(deps, { pointId: full.pointId, target: { kind: "prefix", prefix: "rf" }, concurrency: 4 });
    expect(atFull.tables[0]!.entities).toBe(initial.length);
    await expectTable(`rf${table}`, initial);

    // Point in time after the incremental: the changed data, deletions applied.
    const atLatest = await runRestore(deps, { at: new Date(), target: { kind: "prefix", prefix: "ri" }, concurrency: 4 });
    expect(atLatest.plan.pointId).toBe(inc.pointId);
    const expected = [changed, added, ...initial.slice(3)];
    await expectTable(`ri${table}`, expected);

    // Restoring the full point into the same target again removes what the point lacks.
    await runRestore(deps, { pointId: full.pointId, target: { kind: "prefix", prefix: "ri" }, concurrency: 4 });
    await expectTable(`ri${table}`, initial);

    const v = await runVerify({ repo: s.repo, keys: s.keys }, {});
    expect(v.problems).toEqual([]);
    expect(v.points).toBe(2);

    // The points remember recent (key hash, ETag) pairs for the next backup's overlap; a
    // restore's chain drops them, so a long chain does not hold them all in memory.
    expect((await loadManifest(s.repo, s.keys, inc.pointId)).tables[table]!.recent.length).toBeGreaterThan(0);
    const { chains } = await planRestore(deps, { at: new Date(), target: { kind: "prefix", prefix: "rp" }, concurrency: 4 });
    expect(chains.get(table)!.map((m) => m.tables[table]!.recent.length)).toEqual([0, 0]);
  });
});

describe("an entity deleted between an incremental's change scan and its key scan", () => {
  it("gets a tombstone, so no restore brings it back", async () => {
    const table = uniqueTable("Race");
    const s = testServices([table]);
    const req = { tables: [table], overlapSeconds: 60, chunkEntities: 4 };
    const base: EntityRecord[] = Array.from({ length: 6 }, (_, i) => ({ pk: "p", rk: `r${i}`, props: { n: ["Int32", String(i)] } }));
    await put(table, base);
    const full = await runBackup({ source: s.source, repo: s.repo, keys: s.keys }, req);
    expect(full.status).toBe("committed");

    // A new entity and a changed one; both are deleted after the change scan has read them,
    // right as the key-only scan starts (the real source, with that one delete slipped in).
    const fresh: EntityRecord = { pk: "q", rk: "new", props: { n: ["Int32", "99"] } };
    const changed: EntityRecord = { ...base[2]!, props: { n: ["Int32", "-2"] } };
    await put(table, [fresh, changed]);
    const c = tableOn(table);
    let deletedMidway = false;
    const real = s.source;
    const source = withScan(real, (t, options) => {
      if (options?.keysOnly && !deletedMidway) {
        deletedMidway = true;
        return (async function* () {
          await c.deleteEntity(fresh.pk, fresh.rk);
          await c.deleteEntity(changed.pk, changed.rk);
          yield* real.scan(t, options);
        })();
      }
      return real.scan(t, options);
    });
    const inc = await runBackup({ source, repo: s.repo, keys: s.keys }, req);
    expect(deletedMidway).toBe(true);
    expect(inc.status === "committed" && inc.tombstones).toBe(2);

    await runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { at: new Date(), target: { kind: "prefix", prefix: "rr" }, concurrency: 4 });
    await expectTable(`rr${table}`, base.filter((r) => r.rk !== changed.rk));
  });
});

async function expectTable(table: string, records: EntityRecord[]): Promise<void> {
  const got = await testServicesSource(table);
  const norm = (rs: EntityRecord[]) =>
    rs.map((r) => ({ pk: r.pk, rk: r.rk, props: r.props })).sort((a, b) => (a.pk + "\0" + a.rk < b.pk + "\0" + b.rk ? -1 : 1));
  expect(norm(got)).toEqual(norm(records));
}
