import { describe, expect, inject, it } from "vitest";
import { cli, accountKeyOf } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { testServices } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";

/* lifeboat failover / failback / endpoint, end to end over Azurite (no Key Vault: the state table only). */

describe("lifeboat failover, failback, endpoint", () => {
  it("refuse without a reason (exit 2), dry-run, fail over, show the endpoint, fail back", async () => {
    const table = uniqueTable("Fc");
    const s = testServices([table], { LIFEBOAT_FAILOVER: inject("azuriteFailover"), LIFEBOAT_STATE_TABLE: uniqueTable("State") });
    await seedTable(s.source, table, makeRecords(8, 1, 2));
    expect((await cli(["backup", "--full"], s.settings)).code).toBe(0);

    const none = await cli(["failover"], s.settings);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--reason");

    const dry = await cli(["failover", "--reason", "drill", "--dry-run", "--quiet"], s.settings);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/failover fo-\S+ \(dry run\)/);
    expect(dry.stdout).toContain("not switched (dry run)");

    const before = JSON.parse((await cli(["endpoint", "--json"], s.settings)).stdout) as { account: string };
    expect(before.account).toBe("primary");

    const real = await cli(["failover", "--reason", "INC-3", "--json"], s.settings);
    expect(real.code, real.stderr).toBe(0);
    const report = JSON.parse(real.stdout) as { switched: boolean; published: { note?: string } };
    expect(report.switched).toBe(true);
    expect(report.published.note).toContain("state table only");
    expect(real.stderr).toContain("standby verified");

    const shown = await cli(["endpoint"], s.settings);
    expect(shown.stdout).toMatch(/active endpoint: failover .*lifeboatfailover/);
    expect(shown.stdout).toContain("INC-3");

    const twice = await cli(["failover", "--reason", "again"], s.settings);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("FAILOVER.ALREADY_ACTIVE");

    const back = await cli(["failback", "--reason", "INC-3 resolved", "--quiet"], s.settings);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain("safety backup of the primary");
    expect(back.stdout).toMatch(/switched: active endpoint: primary/);

    for (const out of [dry, real, shown, back]) expect(out.stdout + out.stderr).not.toContain(accountKeyOf(inject("azuriteFailover"))!);
  });
});
