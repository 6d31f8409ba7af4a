import { TableClient } from "@azure/data-tables";
import { describe, expect, inject, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { runRestore } from "../../src/app/restore/run-restore";
import type { TableStore } from "../../src/app/ports/TableStore";
import { uniqueTable } from "../helpers/names";
import { testServicesSource } from "../helpers/read";
import { testServices } from "../helpers/services";
import { withScan } from "../helpers/store-wrap";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

/*
 * Invariant: every entity in a restored point is in a state it actually had at some
 * instant between the start and the end of the backup that made the point (deleted
 * counts as a state). Checked against the writers' own log while three writers upsert,
 * delete, and delete + re-create entities during a full and several incrementals with
 * no overlap, so only the watermark logic stands between a write and a missed change.
 */

const ENTITIES = 600;
const PARTITIONS = 6;
const WRITERS = 3;
const INCREMENTALS = 8;

/** A write as its writer saw it: the state it left the entity in, and when it ran. */
interface Write {
  state: number | "deleted";
  start: number;
  end: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const keyOf = (pk: string, rk: string): string => `${pk}\u0000${rk}`;

/**
 * The source as the backup sees it, with its keys-only scans paged small and slowed: the
 * window between the change scan passing an entity and the key scan reaching it is then
 * wide enough for the writers to hit it in most backups (a production table's scans are
 * long for the same reason).
 */
function slowKeyScans(real: TableStore): TableStore {
  return withScan(real, (t, options) => {
    if (!options?.keysOnly) return real.scan(t, options);
    return (async function* () {
      for await (const page of real.scan(t, { ...options, pageSize: 40 })) {
        await sleep(15);
        yield page;
      }
    })();
  });
}

/** The states an entity could rightly be restored to for a backup that ran in [from, to]. */
function allowed(history: readonly Write[], from: number, to: number): Set<number | "deleted"> {
  let base: number | "deleted" = 0;
  let i = 0;
  for (; i < history.length && history[i]!.end < from; i++) base = history[i]!.state;
  const out = new Set<number | "deleted">([base]);
  for (; i < history.length && history[i]!.start < to; i++) out.add(history[i]!.state);
  return out;
}

describe("a point restores only states the entities had while its backup ran", () => {
  it(
    "holds for every entity of every point while writers upsert, delete and delete + re-create",
    async () => {
      const table = uniqueTable("Race");
      const s = testServices([table], { LIFEBOAT_OVERLAP_SECONDS: "0" });
      const initial = makeRecords(ENTITIES, 0, PARTITIONS);
      await seedTable(s.source, table, initial);
      const history = new Map<string, Write[]>(initial.map((r) => [keyOf(r.pk, r.rk), []]));
      const client = TableClient.fromConnectionString(inject("azurite"), table, { allowInsecureConnection: true });

      let stop = false;
      let version = 0;
      const writer = async (w: number): Promise<void> => {
        const mine = initial.filter((_, i) => i % WRITERS === w);
        while (!stop) {
          const r = mine[Math.floor(Math.random() * mine.length)]!;
          const log = history.get(keyOf(r.pk, r.rk))!;
          const op = Math.random();
          const upsert = async (): Promise<void> => {
            const v = ++version;
            const start = Date.now();
            await client.upsertEntity({ partitionKey: r.pk, rowKey: r.rk, v }, "Replace");
            log.push({ state: v, start, end: Date.now() });
          };
          const remove = async (): Promise<void> => {
            const start = Date.now();
            await client.deleteEntity(r.pk, r.rk).catch((e: { statusCode?: number }) => {
              if (e.statusCode !== 404) throw e;
            });
            log.push({ state: "deleted", start, end: Date.now() });
          };
          if (op < 0.3) await upsert();
          else if (op < 0.45) await remove();
          else {
            // Delete, then re-create the same key a little later: the race the watermark alone cannot see.
            await remove();
            await sleep(20 + Math.random() * 250);
            await upsert();
          }
          await sleep(Math.random() * 4);
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));

      const source = slowKeyScans(s.source);
      const points: { id: string; from: number; to: number }[] = [];
      try {
        await sleep(100);
        for (let n = 0; n <= INCREMENTALS; n++) {
          const from = Date.now();
          const r = await runBackup({ source, repo: s.repo, keys: s.keys }, { tables: [table], full: n === 0, overlapSeconds: 0, chunkEntities: 500 });
          const to = Date.now();
          if (r.status !== "committed") throw new Error(`backup ${n} did not commit`);
          points.push({ id: r.pointId, from, to });
          await sleep(50 + Math.random() * 150);
        }
      } finally {
        stop = true;
        await Promise.all(writers);
      }

      const violations: string[] = [];
      for (const [i, p] of points.entries()) {
        const target = `r${i}${table}`;
        await runRestore({ source: s.source, repo: s.repo, keys: s.keys }, { pointId: p.id, target: { kind: "prefix", prefix: `r${i}` }, concurrency: 8 });
        const restored = new Map((await testServicesSource(target)).map((e) => [keyOf(e.pk, e.rk), Number(e.props.v?.[1])]));
        for (const [key, log] of history) {
          const got = restored.get(key) ?? "deleted";
          const ok = allowed(log, p.from, p.to);
          if (!ok.has(got)) {
            const shown = log.filter((w) => w.end >= p.from - 2000 && w.start <= p.to + 500).map((w) => `${w.state}@${w.start}-${w.end}`);
            violations.push(`point ${i} (${p.id}, ran ${p.from}-${p.to}) restores ${key.replace("\u0000", "/")} as ${got}; it could be ${[...ok].join("|")}; writes: ${shown.join(", ")}`);
          }
        }
        await s.source.deleteTable(target);
      }
      const writes = [...history.values()].reduce((n, l) => n + l.length, 0);
      expect(writes, "the writers ran").toBeGreaterThan(100);
      expect(violations.slice(0, 5), `${violations.length} violation(s) over ${points.length} points and ${writes} writes`).toEqual([]);
    },
    180_000,
  );
});
