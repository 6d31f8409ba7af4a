import { HttpRequest, InvocationContext, type Timer } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { fullBackup, incrementalBackup } from "../../src/functions/backup";
import { resetServices } from "../../src/functions/shared/runtime";
import { rpoMonitor } from "../../src/functions/monitor";
import { status } from "../../src/functions/status";
import { loadConfig } from "../../src/config";
import { createServices } from "../../src/services";
import { uniqueTable } from "../helpers/names";
import { tableOn, testSettings } from "../helpers/services";

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };

function context(name: string): { ctx: InvocationContext; lines: string[] } {
  const lines: string[] = [];
  const ctx = new InvocationContext({ functionName: name, logHandler: (level, ...args) => lines.push(`${level} ${args.join(" ")}`) });
  return { ctx, lines };
}

afterEach(() => resetServices());

describe("function handlers", () => {
  it("the incremental timer takes a full first, then incrementals; /api/status reports them", async () => {
    const table = uniqueTable("Fn");
    await tableOn(table).createTable();
    await tableOn(table).upsertEntity({ partitionKey: "p", rowKey: "r", n: 1 });
    const settings = testSettings([table]);
    resetServices(createServices(loadConfig(settings)));

    const first = context("incrementalBackup");
    const r1 = await incrementalBackup(timer, first.ctx);
    expect(r1).toMatchObject({ status: "committed", kind: "full", entities: 1 });
    expect(first.lines.some((l) => l.includes("lifeboat.event=backup_committed"))).toBe(true);

    const r2 = await incrementalBackup(timer, context("incrementalBackup").ctx);
    expect(r2).toMatchObject({ status: "committed", kind: "incremental" });
    const r3 = await fullBackup(timer, context("fullBackup").ctx);
    expect(r3).toMatchObject({ status: "committed", kind: "full" });

    const res = await status(new HttpRequest({ method: "GET", url: "http://localhost/api/status" }), context("status").ctx);
    expect(res.status).toBe(200);
    const body = res.jsonBody as { points: number; healthy: boolean; tables: { table: string; withinRpo: boolean }[] };
    expect(body.points).toBe(3);
    expect(body.healthy).toBe(true);
    expect(body.tables).toEqual([expect.objectContaining({ table, withinRpo: true })]);
  });

  it("a failed backup logs lifeboat.event=backup_failed and fails the invocation", async () => {
    const settings = testSettings(["NoSuchTable1"]);
    resetServices(createServices(loadConfig(settings)));
    const c = context("incrementalBackup");
    await expect(incrementalBackup(timer, c.ctx)).rejects.toThrow(/NoSuchTable1/);
    expect(c.lines.some((l) => l.startsWith("error") && l.includes("lifeboat.event=backup_failed"))).toBe(true);
  });

  it("the RPO monitor logs lifeboat.event=rpo_breach for a table past the RPO, and rpo_ok once it is backed up", async () => {
    const table = uniqueTable("Rpo");
    await tableOn(table).createTable();
    const settings = testSettings([table], { RPO_MINUTES: "15" });
    resetServices(createServices(loadConfig(settings)));

    const before = context("rpoMonitor");
    await rpoMonitor(timer, before.ctx);
    expect(before.lines).toEqual([expect.stringMatching(new RegExp(`^error lifeboat.event=rpo_breach .*${table}=never`)), "information audited rpo.breach"]);
    // Still breached five minutes later: logged again (the alert), audited once.
    const again = context("rpoMonitor");
    await rpoMonitor(timer, again.ctx);
    expect(again.lines).toEqual([expect.stringMatching(/^error lifeboat.event=rpo_breach/)]);

    await incrementalBackup(timer, context("incrementalBackup").ctx);
    const after = context("rpoMonitor");
    await rpoMonitor(timer, after.ctx);
    expect(after.lines).toEqual([expect.stringMatching(/^information lifeboat.event=rpo_ok/), "information audited rpo.recovered"]);
    await rpoMonitor(timer, context("rpoMonitor").ctx);

    const s = createServices(loadConfig(settings));
    const entries = [];
    for await (const e of s.audit.entries({ action: "rpo" })) entries.push(e);
    expect(entries.map((e) => `${e.action} ${e.outcome} ${e.operator}`)).toEqual(["rpo.breach failed timer:rpoMonitor", "rpo.recovered succeeded timer:rpoMonitor"]);
    expect(entries[0]!.error).toContain(`${table}=never`);
  });
});
