import { randomBytes } from "node:crypto";
import { TableClient, type TableEntityResult } from "@azure/data-tables";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { describe, expect, inject, it } from "vitest";
import type { Auditor, AuditEntry, AuditVerifyReport } from "../../src/app/audit";
import { loadConfig } from "../../src/config";
import { addDays, canonicalJson, entryHash, rowKeyOf } from "../../src/core/audit/chain";
import { digestName, encodeDigest, parseDigest } from "../../src/core/audit/digest";
import { createServices } from "../../src/services";
import { uniqueContainer, uniqueTable } from "../helpers/names";
import { testSettings } from "../helpers/services";

type Row = Record<string, unknown>;

interface Chain {
  auditor: Auditor;
  table: TableClient;
  container: ContainerClient;
  entries: AuditEntry[];
  day: string;
}

/** A fresh log with 10 entries and digests after the 5th and the 10th (and one more at the end). */
async function chain(): Promise<Chain> {
  const settings = testSettings(["Unused"], { LIFEBOAT_AUDIT_TABLE: uniqueTable("Tamper"), LIFEBOAT_AUDIT_CONTAINER: uniqueContainer("tamper") });
  const config = loadConfig(settings);
  const auditor = createServices(config).audit;
  for (let i = 1; i <= 10; i++) {
    await auditor.record({ operator: "cli:ops", action: "backup.incremental", target: { tables: ["T1"] }, outcome: "succeeded", durationMs: i, details: { i } });
    if (i % 5 === 0) await auditor.writeDigest();
  }
  await auditor.writeDigest();
  const entries: AuditEntry[] = [];
  for await (const e of auditor.entries()) entries.push(e);
  const report = await auditor.verify();
  expect(report.problems).toEqual([]);
  return {
    auditor,
    table: TableClient.fromConnectionString(inject("azurite"), config.auditTable, { allowInsecureConnection: true }),
    container: BlobServiceClient.fromConnectionString(inject("azurite")).getContainerClient(config.auditContainer),
    entries,
    day: entries[0]!.time.slice(0, 10),
  };
}

async function row(c: Chain, seq: number): Promise<TableEntityResult<Row>> {
  return c.table.getEntity<Row>(c.day, rowKeyOf(seq));
}

function kinds(r: AuditVerifyReport): string[] {
  return [...new Set(r.problems.map((p) => p.kind))].sort();
}

const fakeMac = (): string => randomBytes(32).toString("hex");

describe("audit verify detects tampering (Azurite)", () => {
  it("an edited field", async () => {
    const c = await chain();
    await c.table.updateEntity({ partitionKey: c.day, rowKey: rowKeyOf(4), outcome: "failed" }, "Merge");
    const r = await c.auditor.verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ kind: "entry-edited", seq: 4, day: c.day });
    expect(kinds(r)).toEqual(["entry-edited"]);
  });

  it("a deleted entry, in the middle and at the end", async () => {
    const c = await chain();
    await c.table.deleteEntity(c.day, rowKeyOf(5));
    const r = await c.auditor.verify();
    expect(r.firstBroken).toMatchObject({ kind: "entry-missing", seq: 5 });
    expect(r.firstBroken?.message).toMatch(/entry 5 missing before seq 6/);

    // Truncating the tail and rewriting the head to match still contradicts the digests.
    await c.table.deleteEntity(c.day, rowKeyOf(10));
    await c.table.deleteEntity(c.day, rowKeyOf(9));
    const e8 = c.entries[7]!;
    await c.table.updateEntity({ partitionKey: c.day, rowKey: "head", seq: 8, hash: e8.hash, time: e8.time, sealed: false }, "Replace");
    const t = await c.auditor.verify();
    expect(t.problems.some((p) => p.kind === "entry-missing" && p.seq === 10 && /digest .* anchors seq 10, which is missing/.test(p.message))).toBe(true);
  });

  it("a forged entry appended with a correct hash and link (no key: its MAC is wrong)", async () => {
    const c = await chain();
    const last = c.entries[9]!;
    const forged = { ...last, seq: 11, operator: "cli:ops", action: "restore" as const, prevHash: last.hash, time: new Date(Date.parse(last.time) + 1).toISOString() };
    const hash = entryHash(forged);
    await c.table.createEntity({
      partitionKey: c.day,
      rowKey: rowKeyOf(11),
      v: 1,
      time: forged.time,
      operator: forged.operator,
      action: forged.action,
      target: canonicalJson(forged.target),
      outcome: forged.outcome,
      durationMs: forged.durationMs,
      details: canonicalJson(forged.details),
      prevHash: forged.prevHash,
      kekId: forged.kekId,
      hash,
      mac: fakeMac(),
    });
    await c.table.updateEntity({ partitionKey: c.day, rowKey: "head", seq: 11, hash, time: forged.time, sealed: false }, "Replace");
    const r = await c.auditor.verify();
    expect(r.firstBroken).toMatchObject({ kind: "entry-forged", seq: 11 });
    expect(kinds(r)).toEqual(["entry-forged"]);
  });

  it("an entry inserted into another day under an existing seq (a fork)", async () => {
    const c = await chain();
    const original = await row(c, 3);
    const next = addDays(c.day, 1);
    await c.table.createEntity({ ...original, partitionKey: next, rowKey: rowKeyOf(3), outcome: "failed", etag: undefined });
    await c.table.createEntity({ partitionKey: next, rowKey: "head", seq: 3, hash: original.hash, time: original.time, sealed: false });
    const r = await c.auditor.verify();
    expect(r.ok).toBe(false);
    expect(kinds(r)).toEqual(expect.arrayContaining(["entry-out-of-order", "entry-edited", "head-mismatch"]));
  });

  it("two entries' contents swapped", async () => {
    const c = await chain();
    const [a, b] = [await row(c, 3), await row(c, 4)];
    const body = (e: TableEntityResult<Row>): Row => {
      const { partitionKey: _p, rowKey: _r, etag: _e, timestamp: _t, ...rest } = e;
      return rest;
    };
    await c.table.updateEntity({ partitionKey: c.day, rowKey: rowKeyOf(3), ...body(b) }, "Replace");
    await c.table.updateEntity({ partitionKey: c.day, rowKey: rowKeyOf(4), ...body(a) }, "Replace");
    const r = await c.auditor.verify();
    expect(r.firstBroken).toMatchObject({ seq: 3 });
    expect(kinds(r)).toEqual(expect.arrayContaining(["entry-edited", "link-broken"]));
  });

  it("the whole chain recomputed after an edit: MACs fail and the digests contradict it", async () => {
    const c = await chain();
    let prevHash = c.entries[1]!.hash;
    for (const e of c.entries.slice(2)) {
      const changed = { ...e, prevHash, ...(e.seq === 3 ? { outcome: "failed" as const, error: "covered up" } : {}) };
      const hash = entryHash(changed);
      await c.table.updateEntity(
        { partitionKey: c.day, rowKey: rowKeyOf(e.seq), outcome: changed.outcome, ...(changed.error ? { error: changed.error } : {}), prevHash, hash, mac: fakeMac() },
        "Merge",
      );
      prevHash = hash;
    }
    const last = c.entries[9]!;
    await c.table.updateEntity({ partitionKey: c.day, rowKey: "head", seq: 10, hash: prevHash, time: last.time, sealed: false }, "Replace");
    const r = await c.auditor.verify();
    expect(r.firstBroken).toMatchObject({ kind: "entry-forged", seq: 3 });
    expect(kinds(r)).toEqual(["digest-mismatch", "entry-forged"]);
    expect(r.problems.filter((p) => p.kind === "digest-mismatch").map((p) => p.seq)).toEqual([5, 10, 10]);
  });

  it("a deleted middle digest, and a forged digest", async () => {
    const c = await chain();
    await c.container.getBlockBlobClient(digestName(2)).delete();
    const r = await c.auditor.verify();
    expect(kinds(r)).toEqual(["digest-missing"]);
    expect(r.problems[0]?.message).toMatch(/digest 2 missing/);

    const c2 = await chain();
    const latest = parseDigest(await c2.container.getBlockBlobClient(digestName(3)).downloadToBuffer(), "3");
    const fake = { ...latest, digestSeq: 4, headSeq: 10, previousDigest: digestName(3), hmac: fakeMac() };
    const bytes = encodeDigest(fake);
    await c2.container.getBlockBlobClient(digestName(4)).upload(bytes, bytes.length);
    const f = await c2.auditor.verify();
    expect(f.problems).toEqual([expect.objectContaining({ kind: "digest-forged", digest: digestName(4) })]);
  });

  it("a deleted latest digest leaves entries unanchored past the grace period", async () => {
    const c = await chain();
    const later = new Date(Date.now() + 3 * 3600_000);
    expect((await c.auditor.verify({ now: later })).problems).toEqual([]);
    await c.container.getBlockBlobClient(digestName(3)).delete();
    await c.container.getBlockBlobClient(digestName(2)).delete();
    await c.auditor.record({ operator: "cli:ops", action: "drill", outcome: "succeeded" });
    const r = await c.auditor.verify({ now: later });
    expect(kinds(r)).toEqual(["unanchored"]);
    expect(r.problems[0]).toMatchObject({ seq: 6 });
    expect(r.warnings.join()).toMatch(/latest digest/);
  });

  it("an edited head row", async () => {
    const c = await chain();
    await c.table.updateEntity({ partitionKey: c.day, rowKey: "head", seq: 12 }, "Merge");
    const r = await c.auditor.verify();
    expect(kinds(r)).toEqual(["entry-missing"]);
  });
});
