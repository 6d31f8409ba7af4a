import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { startAzurite, type RunningAzurite } from "../../src/local/azurite";
import { cli } from "../helpers/cli-io";
import { uniqueContainer, uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";

describe("a primary store outage", () => {
  it("backups keep going into the secondary (degraded in status and the audit log), and the primary is back-filled when it returns", async () => {
    // The primary backup store on an Azurite of its own, with its data on disk so it can be
    // stopped and started again; source tables, audit log and secondary on the shared one.
    const dir = await mkdtemp(join(tmpdir(), "lb-primary-"));
    let primary: RunningAzurite | undefined = await startAzurite({ location: dir });
    onTestFinished(async () => {
      await primary?.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const ports = { blob: Number(new URL(primary.blob).port), queue: Number(new URL(primary.queue).port), table: Number(new URL(primary.table).port) };
    const shared = inject("azurite");
    const table = uniqueTable("Out");
    const s = testServices([table], { LIFEBOAT_BACKUP: primary.connectionString, LIFEBOAT_AUDIT: shared, LIFEBOAT_SECONDARY: shared, LIFEBOAT_SECONDARY_CONTAINER: uniqueContainer("sec"), LIFEBOAT_STORAGE_RETRIES: "1" });
    await seedTable(s.source, table, makeRecords(50, 1, 2));
    const first = await cli(["backup"], s.settings);
    expect(first.code, first.stderr).toBe(0);

    await primary.stop();
    primary = undefined;
    await seedTable(s.source, table, makeRecords(10, 2, 2));
    const during = await cli(["backup"], s.settings);
    expect(during.code, during.stderr).toBe(0);
    expect(during.stderr).toMatch(/warning: DEGRADED: the primary store is unreachable \(.*connection refused.*\); this point is in blob:sec-[0-9a-f]+ only/);
    const pointDuring = during.stdout.trim();
    const status = JSON.parse((await cli(["status", "--json"], s.settings)).stdout) as { degraded: string | null; healthy: boolean; latestPoint: { id: string } };
    expect(status.degraded).toMatch(/primary store is unreachable/);
    expect(status.healthy).toBe(true); // the RPO holds through the outage
    expect(status.latestPoint.id).toBe(pointDuring);

    primary = await startAzurite({ location: dir, ports });
    const pending = JSON.parse((await cli(["status", "--json"], s.settings)).stdout) as { degraded: string | null };
    expect(pending.degraded).toMatch(/1 point\(s\) are in the secondary only/);
    const after = await cli(["backup"], s.settings);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).toContain("back-filled the primary with 1 point(s) taken while it was unreachable");
    const healed = JSON.parse((await cli(["status", "--json"], s.settings)).stdout) as { degraded: string | null; points: number };
    expect(healed).toMatchObject({ degraded: null, points: 3 });

    // The degraded point restores from the primary alone now.
    const r = await cli(["restore", "--from", "primary", "--point", pointDuring, "--target-prefix", "deg"], s.settings);
    expect(r.code, r.stderr).toBe(0);
    const byRk = new Map(makeRecords(10, 2, 2).map((e) => [e.rk, e]));
    await expectTableEquals(`deg${table}`, makeRecords(50, 1, 2).map((e) => byRk.get(e.rk) ?? e));
    const audit = JSON.parse((await cli(["audit", "--json", "--action", "backup"], s.settings)).stdout) as { details: { degraded?: string; backfilled?: string[] } }[];
    expect(audit.map((e) => [Boolean(e.details.degraded), e.details.backfilled?.length ?? 0])).toEqual([[false, 0], [true, 0], [false, 1]]);
  }, 240_000);
});
