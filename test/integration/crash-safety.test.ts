import { afterEach, describe, expect, it } from "vitest";
import { runBackup } from "../../src/app/backup/run-backup";
import { listPoints } from "../../src/app/repo/catalog";
import { runRestore } from "../../src/app/restore/run-restore";
import { runVerify } from "../../src/app/verify/run-verify";
import type { EntityRecord } from "../../src/core/entity/record";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { deleteFromTable, expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";
import { killChildren, sleep, startTsxChild } from "../helpers/tsx-child";

afterEach(killChildren);

describe("crash safety (invariant 1)", () => {
  it(
    "a backup process SIGKILLed mid-backup leaves no visible point, and the next run covers the window",
    async () => {
      const table = uniqueTable("Crash");
      const s = testServices([table], { LIFEBOAT_CHUNK_ENTITIES: "100", LIFEBOAT_OVERLAP_SECONDS: "60" });
      const deps = { source: s.source, repo: s.repo, keys: s.keys };
      const req = { tables: [table], overlapSeconds: 60, chunkEntities: 100 };

      // 1. A committed full point of 3000 entities.
      const v1 = makeRecords(3000, 1);
      await seedTable(s.source, table, v1);
      const full = await runBackup(deps, req);
      expect(full.status).toBe("committed");
      if (full.status !== "committed") return;
      const before = await listPoints(s.repo);
      expect(before.map((p) => p.id)).toEqual([full.pointId]);

      // 2. The window the crashed run was supposed to cover: every entity updated,
      //    100 deleted, 50 added.
      const v2 = makeRecords(3000, 2);
      await seedTable(s.source, table, v2);
      const removed = v2.filter((_, i) => i % 30 === 7);
      await deleteFromTable(s.source, table, removed);
      const added = makeRecords(50, 2, 10, 5000);
      await seedTable(s.source, table, added);
      const gone = new Set(removed.map((r) => `${r.pk}/${r.rk}`));
      const expected: EntityRecord[] = [...v2.filter((r) => !gone.has(`${r.pk}/${r.rk}`)), ...added];

      // 3. A real backup in another process, killed once it has written data files.
      const child = startTsxChild("backup-child.ts", { ...s.settings, LIFEBOAT_TEST_PUT_DELAY_MS: "150" });

      const orphanData = async (): Promise<string[]> => {
        const found: string[] = [];
        for await (const o of s.repo.list("data/")) if (!o.path.startsWith(`data/${full.pointId}/`)) found.push(o.path);
        return found;
      };
      const deadline = Date.now() + 60_000;
      let seen: string[] = [];
      while (Date.now() < deadline && child.process.exitCode === null) {
        seen = (await orphanData()).filter((p) => /\/d-\d{6}\.ndjson\.gz\.lbe$/.test(p));
        if (seen.length > 0) break;
        await sleep(25);
      }
      expect(seen.length, `the child wrote no data file in time (stdout: ${child.out}, stderr: ${child.err})`).toBeGreaterThan(0);
      child.process.kill("SIGKILL");
      const { code, signal } = await child.exited;
      expect(signal, `the child finished before it was killed (code ${code}, stdout: ${child.out}, stderr: ${child.err})`).toBe("SIGKILL");
      expect(child.out).not.toMatch(/committed/);

      // No visible point: the crashed run's data files exist, its manifest does not.
      const afterCrash = await listPoints(s.repo);
      expect(afterCrash.map((p) => p.id)).toEqual(before.map((p) => p.id));
      const orphans = await orphanData();
      expect(orphans.length).toBeGreaterThan(0);
      const crashedPoint = /^data\/([^/]+)\//.exec(orphans[0]!)?.[1];
      expect(crashedPoint).toBeDefined();
      expect(await s.repo.exists(`points/${crashedPoint}.manifest.lbe`)).toBe(false);
      // The repository still verifies: orphans belong to no point.
      expect((await runVerify({ repo: s.repo, keys: s.keys }, {})).problems).toEqual([]);

      // 4. The dead process's lease outlives it (up to 60 s): an immediate run is skipped…
      const immediate = await runBackup(deps, { ...req, waitForLockSeconds: 0 });
      expect(immediate.status).toBe("skipped");
      if (immediate.status === "skipped") expect(immediate.reason).toMatch(/lock/);

      // …and a run that waits for the lease to lapse takes the point and covers the window.
      const next = await runBackup(deps, { ...req, waitForLockSeconds: 75 });
      expect(next.status).toBe("committed");
      if (next.status !== "committed") return;
      expect(next.kind).toBe("incremental");
      expect(next.parent).toBe(full.pointId);
      expect(next.pointId).not.toBe(crashedPoint);
      expect(next.tombstones).toBe(removed.length);
      const points = await listPoints(s.repo);
      expect(points.map((p) => p.id)).toEqual([full.pointId, next.pointId]);

      // 5. A restore of the new point reproduces the table exactly.
      const restored = await runRestore(deps, { pointId: next.pointId, target: { kind: "prefix", prefix: "crash" }, concurrency: 8 });
      expect(restored.tables[0]?.entities).toBe(expected.length);
      await expectTableEquals(`crash${table}`, expected);
      await expectTableEquals(table, expected);
    },
    150_000,
  );
});
