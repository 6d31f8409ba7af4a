import { InvocationContext, type Timer } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEntry, AuditVerifyReport } from "../../src/app/audit";
import { runCli } from "../../src/cli/main";
import { auditDigest } from "../../src/functions/audit";
import { resetServices } from "../../src/functions/shared/runtime";
import { auditSetup, entryRow, seedAudit } from "../helpers/audit";

afterEach(() => resetServices());

describe("lifeboat audit (CLI and timer, Azurite)", () => {
  it("the CLI lists entries and verifies: exit 0 when clean, 3 after tampering, 2 for a bad --from", async () => {
    const s = auditSetup();
    await seedAudit(s.auditor, 4);
    const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = "";
      let err = "";
      const code = await runCli(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: s.settings });
      return { code, out, err };
    };
    const ok = await run(["audit", "verify", "--operator", "alice"]);
    expect(ok.code, ok.err + ok.out).toBe(0);
    expect(ok.out).toMatch(/^ok: 4 entries \(seq 1\.\.4\)/);
    const listed = await run(["audit", "--json"]);
    expect(listed.code).toBe(0);
    const entries = JSON.parse(listed.out) as AuditEntry[];
    expect(entries.map((e) => e.action)).toEqual(["backup.incremental", "backup.incremental", "backup.incremental", "backup.incremental", "audit.verify"]);
    expect(entries[4]!.operator).toMatch(/^cli:alice \(/);
    const text = await run(["audit", "--action", "audit", "--from", "2020-01-01"]);
    expect(text.out).toMatch(/#5 {2}audit\.verify {2}succeeded/);

    const r2 = await entryRow(s.table, 2);
    await s.table.updateEntity({ partitionKey: r2.partitionKey!, rowKey: r2.rowKey!, operator: "cli:someone-else" }, "Merge");
    const bad = await run(["audit", "verify", "--json"]);
    expect(bad.code).toBe(3);
    const report = JSON.parse(bad.out) as AuditVerifyReport;
    expect(report.firstBroken).toMatchObject({ kind: "entry-edited", seq: 2 });
    const human = await run(["audit", "verify"]);
    expect(human.out).toMatch(/first broken link: seq 2 on \d{4}-\d{2}-\d{2}: entry-edited/);

    const usage = await run(["audit", "verify", "--from", "yesterday"]);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--from: must be an ISO-8601 instant/);
    expect((await run(["audit", "--action", "nope"])).err).toMatch(/--action: "nope" is not an action/);
    const digest = await run(["audit", "digest"]);
    expect(digest.out).toMatch(/^digests\/\d{12}-\d{12}\.json\n$/);
  });

  it("the auditDigest timer writes a digest anchoring the head", async () => {
    const s = auditSetup();
    await s.auditor.record({ operator: "timer:incrementalBackup", action: "backup.incremental", outcome: "succeeded" });
    resetServices(s.services);
    const lines: string[] = [];
    const ctx = new InvocationContext({ functionName: "auditDigest", logHandler: (level, ...args) => lines.push(`${level} ${args.join(" ")}`) });
    const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
    const d = await auditDigest(timer, ctx);
    expect(d).toMatchObject({ digestSeq: 1, headSeq: 1 });
    expect(lines.some((l) => l.includes("lifeboat.event=audit_digest digest="))).toBe(true);
    expect((await s.auditor.verify()).latestDigest?.name).toBe(d.name);
  });
});
