import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { audited, Auditor, AuditWriteError, refused, type AuditEntry } from "../../src/app/audit";
import { runBackup } from "../../src/app/backup/run-backup";
import { AzureAuditLog } from "../../src/adapters/azure/AzureAuditLog";
import { BlobDigestStore } from "../../src/adapters/azure/BlobDigestStore";
import { loadConfig } from "../../src/config";
import { addDays, AUDIT_ACTIONS, rowKeyOf, type AuditAction } from "../../src/core/audit/chain";
import { LifeboatError, ValidationError } from "../../src/core/errors";
import { createAuditor, createServices } from "../../src/services";
import { allEntries, auditSetup, rawRows, type Row } from "../helpers/audit";
import { uniqueTable } from "../helpers/names";
import { tableOn } from "../helpers/services";

const ROOT = join(__dirname, "../..");
const CHILD = join(ROOT, "test/helpers/audit-child.ts");
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("audit log (Azurite)", () => {
  it("records every action kind with time, operator, target, outcome, duration, error and details", async () => {
    const s = auditSetup();
    const operator = "cli:alice (root@host)";
    const result = await audited(s.auditor, { operator, action: "backup.full", target: { tables: ["Customers"] } }, async () => ({ pointId: "p1", entities: 5 }), {
      changesData: true,
      detailsOf: (r) => ({ entities: r.entities }),
      targetOf: (r) => ({ point: r.pointId }),
    });
    expect(result).toEqual({ pointId: "p1", entities: 5 });
    await expect(
      audited(s.auditor, { operator, action: "restore", target: { tables: ["Orders"], point: "p1" } }, () => Promise.reject(new LifeboatError("TABLE.READ", "target unreachable")), { changesData: true }),
    ).rejects.toThrow("target unreachable");
    const verify = await audited(s.auditor, { operator, action: "verify" }, async () => ({ problems: 2 }), { failureOf: (r) => (r.problems > 0 ? `${r.problems} problems` : undefined) });
    expect(verify).toEqual({ problems: 2 });
    await refused(s.auditor, { operator: "asserted:bob", action: "import.csv", target: { tables: ["Customers"] } }, new ValidationError("file", "row 3: PartitionKey is empty"));
    for (const action of AUDIT_ACTIONS) await s.auditor.record({ operator: "timer:drill", action, outcome: "succeeded", durationMs: 1, details: { kind: action } });

    const entries = await allEntries(s.auditor);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    for (const e of entries) expect(e.time).toMatch(ISO_MS);
    expect(entries[0]).toMatchObject({ operator, action: "backup.full", target: { tables: ["Customers"], point: "p1" }, outcome: "succeeded", error: null, details: { entities: 5 } });
    expect(entries[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(entries[1]).toMatchObject({ action: "restore", outcome: "failed", error: "TABLE.READ: target unreachable", target: { tables: ["Orders"], point: "p1" } });
    expect(entries[2]).toMatchObject({ action: "verify", outcome: "failed", error: "2 problems" });
    expect(entries[3]).toMatchObject({ action: "import.csv", outcome: "refused", operator: "asserted:bob", error: "INPUT.INVALID: file: row 3: PartitionKey is empty" });
    expect(new Set(entries.slice(4).map((e) => e.action))).toEqual(new Set<AuditAction>(AUDIT_ACTIONS));

    const backups: AuditEntry[] = [];
    for await (const e of s.auditor.entries({ action: "backup" })) backups.push(e);
    expect(backups.map((e) => e.action)).toEqual(["backup.full", "backup.full", "backup.incremental"]);
    // Two actions changed data: two digests, the last anchoring the restore entry.
    const digests = await s.auditor.verify();
    expect(digests).toMatchObject({ ok: true, digests: 2, latestDigest: { headSeq: 2 } });
  });

  it("a real backup, audited: the entry names the point and a digest anchors it", async () => {
    const table = uniqueTable("Src");
    await tableOn(table).createTable();
    await tableOn(table).upsertEntity({ partitionKey: "p", rowKey: "r", n: 1 });
    const s = auditSetup();
    const src = createServices(loadConfig({ ...s.settings, LIFEBOAT_TABLES: table }));
    const r = await audited(
      s.auditor,
      { operator: "timer:fullBackup", action: "backup.full", target: { tables: [table] } },
      () => runBackup({ source: src.source, repo: src.repo, keys: src.keys }, { tables: [table], full: true, overlapSeconds: 60, chunkEntities: 100, waitForLockSeconds: 0 }),
      { changesData: (x) => x.status === "committed", detailsOf: (x) => (x.status === "committed" ? { point: x.pointId, entities: x.entities, bytes: x.bytes } : { skipped: x.reason }) },
    );
    expect(r.status).toBe("committed");
    const [e] = await allEntries(s.auditor);
    expect(e).toMatchObject({ action: "backup.full", outcome: "succeeded", details: { entities: 1 } });
    expect((await s.auditor.verify()).latestDigest?.headSeq).toBe(1);
  });

  it("a failed audit write fails the action loudly, saying how the action ended", async () => {
    const s = auditSetup();
    const broken = new Auditor({
      log: new AzureAuditLog(s.table),
      digests: new BlobDigestStore(s.container),
      keys: { active: () => Promise.reject(new Error("vault unreachable")), byId: () => Promise.reject(new Error("vault unreachable")) },
    });
    const ok = await audited(broken, { operator: "cli:x", action: "backup.full" }, async () => "point-9").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ok).toBeInstanceOf(AuditWriteError);
    expect((ok as AuditWriteError).message).toMatch(/^backup\.full succeeded but writing its audit record failed: vault unreachable/);
    expect((ok as AuditWriteError).result).toBe("point-9");
    const failed = await audited(broken, { operator: "cli:x", action: "restore" }, () => Promise.reject(new Error("disk full"))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((failed as AuditWriteError).message).toMatch(/^restore failed \(disk full\) but writing its audit record failed/);
    await expect(audited(broken, { operator: "cli:x", action: "failover" }, async () => 1, { preflight: true })).rejects.toThrow(/failover was not started because the audit log cannot be written/);
    await expect(refused(broken, { operator: "asserted:x", action: "request" }, "bad route")).rejects.toThrow(/request was refused \(bad route\) but writing its audit record failed/);
  });

  it("two processes and many in-process callers appending at once leave one valid chain", { timeout: 180_000 }, async () => {
    const s = auditSetup();
    const spawnChild = (writer: string): Promise<{ code: number | null; out: string; err: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
          cwd: ROOT,
          env: { ...process.env, ...s.settings, AUDIT_CHILD_COUNT: "150", AUDIT_CHILD_WRITER: writer, AUDIT_CHILD_PARALLEL: "3" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.once("exit", (code) => resolve({ code, out, err }));
      });
    // In this process: a second Auditor instance (another "Functions instance") and the shared one, 50 at once each.
    const other = createAuditor(s.config, s.services.keys);
    const local = async (a: Auditor, writer: string): Promise<void> => {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => a.record({ operator: `cli:${writer}`, action: "backup.incremental", outcome: "succeeded", durationMs: i, details: { writer, i } })),
      );
    };
    const [c1, c2] = await Promise.all([spawnChild("A"), spawnChild("B"), local(s.auditor, "L1"), local(other, "L2"), s.auditor.writeDigest()]);
    expect(c1.code, c1.err).toBe(0);
    expect(c2.code, c2.err).toBe(0);
    await s.auditor.writeDigest();

    const entries = await allEntries(s.auditor);
    expect(entries).toHaveLength(400);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    for (const [writer, n] of [["A", 150], ["B", 150], ["L1", 50], ["L2", 50]] as const) {
      const got = entries.filter((e) => e.details.writer === writer).map((e) => e.details.i as number).sort((a, b) => a - b);
      expect(got, writer).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    // No fork: every seq exists exactly once across all partitions.
    const keys = (await rawRows(s.table)).filter((r) => r.rowKey !== "head" && r.partitionKey !== "chain").map((r) => r.rowKey);
    expect(new Set(keys).size).toBe(400);
    const report = await s.auditor.verify();
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, entries: 400, firstSeq: 1, lastSeq: 400 });
    expect(report.digests).toBeGreaterThanOrEqual(8);
  });

  it("day boundaries link, and a writer whose clock lags appends to the new day instead of forking", async () => {
    let clock = new Date("2026-03-01T23:59:58.000Z");
    let lateClock = new Date("2026-03-01T23:59:58.500Z");
    const s = auditSetup(() => clock);
    const late = createAuditor(s.config, s.services.keys, () => lateClock);
    const rec = (a: Auditor, i: number): Promise<AuditEntry> => a.record({ operator: "cli:t", action: "drill", outcome: "succeeded", details: { i } });
    await rec(s.auditor, 1);
    await rec(s.auditor, 2);
    await rec(late, 3); // the late writer now holds day 1's head
    clock = new Date("2026-03-02T00:00:01.000Z");
    const first2 = await rec(s.auditor, 4);
    await rec(s.auditor, 5);
    lateClock = new Date("2026-03-01T23:59:59.900Z"); // still on day 1
    const lateEntry = await rec(late, 6);
    clock = new Date("2026-03-05T08:00:00.000Z"); // quiet days in between
    await rec(s.auditor, 7);

    const byDay = new Map<string, string[]>();
    for (const r of await rawRows(s.table)) if (r.partitionKey !== "chain") byDay.set(r.partitionKey!, [...(byDay.get(r.partitionKey!) ?? []), r.rowKey!]);
    expect(Object.fromEntries(byDay)).toEqual({
      "2026-03-01": [rowKeyOf(1), rowKeyOf(2), rowKeyOf(3), "head"],
      "2026-03-02": [rowKeyOf(4), rowKeyOf(5), rowKeyOf(6), "head"],
      "2026-03-05": [rowKeyOf(7), "head"],
    });
    const entries = await allEntries(s.auditor);
    expect(first2.prevHash).toBe(entries[2]!.hash);
    expect(entries[6]!.prevHash).toBe(entries[5]!.hash);
    expect(lateEntry).toMatchObject({ seq: 6 });
    expect(lateEntry.time >= entries[4]!.time).toBe(true);
    const head1 = await s.table.getEntity<Row>("2026-03-01", "head");
    expect(head1).toMatchObject({ sealed: true, next: "2026-03-02", seq: 3 });
    await s.auditor.writeDigest();
    expect((await s.auditor.verify()).problems).toEqual([]);
    // A ranged verify of day 2 links to day 1 through its sealed head.
    expect(await s.auditor.verify({ from: new Date("2026-03-02T00:00:00Z"), to: new Date("2026-03-02T23:00:00Z") })).toMatchObject({ ok: true, entries: 3, firstSeq: 4 });
  });

  it("no secret (KEK, connection string, SAS, bearer token) reaches an entry or a digest", async () => {
    const s = auditSetup();
    const cs = inject("azurite");
    const kek = s.settings.LIFEBOAT_KEK!;
    const accountKey = /AccountKey=([^;]+)/.exec(cs)![1]!;
    const sasSig = randomBytes(32).toString("base64url");
    const sas = `https://acct.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=${sasSig}`;
    await audited(s.auditor, { operator: `cli:${kek}`, action: "key.rotate", target: { secret: kek, container: sas } }, () =>
      Promise.reject(new Error(`connect failed: ${cs} via ${sas} with Bearer ${sasSig}; key=${kek}`)),
    ).catch(() => undefined);
    await s.auditor.record({
      operator: "cli:t",
      action: "settings.change",
      outcome: "succeeded",
      details: { connectionString: cs, note: `now ${cs}`, sas, nested: [{ value: kek }], kekHex: Buffer.from(kek, "base64").toString("hex") },
    });
    await s.auditor.writeDigest();
    const stored = JSON.stringify(await rawRows(s.table));
    const digests: string[] = [];
    for await (const b of s.container.listBlobsFlat()) digests.push((await s.container.getBlockBlobClient(b.name).downloadToBuffer()).toString());
    for (const text of [stored, digests.join("\n")]) {
      for (const secret of [kek, accountKey, sasSig, Buffer.from(kek, "base64").toString("hex"), Buffer.from(kek, "base64").toString("base64url")]) expect(text).not.toContain(secret);
    }
    expect(stored).toContain("**redacted**");
    expect((await s.auditor.verify()).ok).toBe(true);
  });

  it("a rollover whose writer died after sealing the old day is finished by the next writer", async () => {
    const s = auditSetup();
    const first = await s.auditor.record({ operator: "cli:t", action: "drill", outcome: "succeeded" });
    const day = first.time.slice(0, 10);
    const next = addDays(day, 1);
    const head = await s.table.getEntity<Row>(day, "head");
    await s.table.updateEntity({ partitionKey: day, rowKey: "head", seq: head.seq, hash: head.hash, time: head.time, sealed: true, next }, "Replace");
    const other = createAuditor(s.config, s.services.keys);
    const e = await other.record({ operator: "cli:t", action: "drill", outcome: "succeeded" });
    expect(e).toMatchObject({ seq: 2, prevHash: first.hash });
    expect(e.time >= `${next}T00:00:00.000Z`).toBe(true);
    expect((await s.table.getEntity<Row>(next, rowKeyOf(2))).hash).toBe(e.hash);
    await other.writeDigest();
    const r = await other.verify({ now: new Date(`${next}T00:30:00.000Z`) });
    expect(r.problems).toEqual([]);
  });
});
