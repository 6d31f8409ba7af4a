import { HttpRequest, InvocationContext } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { resetServices } from "../../src/functions/shared/runtime";
import { restoreJob, restoreJobs, submitRestore } from "../../src/functions/restores";
import { loadConfig } from "../../src/config";
import { createServices } from "../../src/services";
import { takeBackup } from "../../src/app/backup/take-backup";
import { listPoints } from "../../src/app/repo/catalog";
import type { JobView } from "../../src/app/jobs";
import type { EntityRecord } from "../../src/core/entity/record";
import { uniqueTable } from "../helpers/names";
import { jobSettings } from "../helpers/services";
import { deleteFromTable, expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";
import { runJobWorker } from "../helpers/job-worker";
import { withExtraEntity } from "../helpers/store-wrap";
import { cli } from "../helpers/cli-io";

const ctx = (name: string): InvocationContext => new InvocationContext({ functionName: name, logHandler: () => undefined });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  resetServices();
});

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown>; location?: string }> {
  const res = await submitRestore(new HttpRequest({ method: "POST", url: "http://localhost/api/restores", body: { string: JSON.stringify(body) } }), ctx("submitRestore"));
  return { status: res.status ?? 200, body: res.jsonBody as Record<string, unknown>, ...(res.headers ? { location: (res.headers as Record<string, string>).location } : {}) };
}

async function view(id: string): Promise<{ status: number; body: JobView }> {
  const res = await restoreJob(new HttpRequest({ method: "GET", url: `http://localhost/api/restores/${id}`, params: { id } }), ctx("restoreJob"));
  return { status: res.status ?? 200, body: res.jsonBody as JobView };
}

async function until(id: string, states: string[], seconds = 90, seen?: (v: JobView) => void): Promise<JobView> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = (await view(id)).body;
    seen?.(v);
    if (states.includes(v.state)) return v;
    if (Date.now() > end) throw new Error(`job ${id} still ${v.state} after ${seconds} s: ${JSON.stringify(v)}`);
    await sleep(200);
  }
}

/** Two tables with a full point (A: 4 data files) and an incremental on top (A changed: updates, deletes, new entities). */
async function seeded(settings: Record<string, string>, a: string, b: string): Promise<{ expectedA: EntityRecord[]; expectedB: EntityRecord[] }> {
  const s = createServices(loadConfig(settings));
  const v1 = makeRecords(350, 1);
  await seedTable(s.source, a, v1);
  const bRecords = makeRecords(40, 7, 3);
  await seedTable(s.source, b, bRecords);
  expect((await takeBackup(s, { operator: "test", kind: "full", waitForLockSeconds: 0 })).status).toBe("committed");
  const updated = makeRecords(30, 2, 10, 100);
  await seedTable(s.source, a, updated);
  const removed = v1.filter((_, i) => i % 25 === 3);
  await deleteFromTable(s.source, a, removed);
  const added = makeRecords(20, 3, 10, 1000);
  await seedTable(s.source, a, added);
  expect((await takeBackup(s, { operator: "test", kind: "incremental", waitForLockSeconds: 0 })).status).toBe("committed");
  const gone = new Set(removed.map((r) => `${r.pk}/${r.rk}`));
  const byKey = new Map(v1.map((r) => [`${r.pk}/${r.rk}`, r]));
  for (const r of [...updated, ...added]) byKey.set(`${r.pk}/${r.rk}`, r);
  for (const k of gone) byKey.delete(k);
  return { expectedA: [...byKey.values()], expectedB: bRecords };
}

describe("restore jobs on the queue", () => {
  it("POST /api/restores runs a job of per-file tasks to a verified restore, with progress per table", async () => {
    const a = uniqueTable("JobA");
    const b = uniqueTable("JobB");
    const settings = jobSettings([a, b]);
    const { expectedA, expectedB } = await seeded(settings, a, b);
    resetServices(createServices(loadConfig(settings)));

    const res = await post({ target: { prefix: "Jr" }, operator: "alice" });
    expect(res.status).toBe(202);
    const id = String(res.body.id);
    expect(res.location).toBe(`/api/restores/${id}`);
    expect((await view(id)).body.state).toBe("queued");

    const worker = runJobWorker(settings);
    stops.push(worker.stop);
    const states = new Set<string>();
    const done = await until(id, ["succeeded", "failed"], 120, (v) => states.add(v.state));
    expect(done.state, done.error).toBe("succeeded");
    expect(done.percent).toBe(100);
    // Table A: one task for the incremental's changes and one per full data file (350 entities, 100 a file).
    expect(done.tasks).toBe(1 + 4 + 1);
    expect(done.progress).toEqual([
      expect.objectContaining({ name: a, target: `Jr${a}`, kind: "table", tasks: 5, done: 5, percent: 100, verified: true, entities: expectedA.length + 0 }),
      expect.objectContaining({ name: b, target: `Jr${b}`, kind: "table", tasks: 1, done: 1, percent: 100, verified: true, entities: 40 }),
    ]);
    expect(done.verification?.map((v) => [v.table, v.entities])).toEqual([
      [a, expectedA.length],
      [b, 40],
    ]);
    await expectTableEquals(`Jr${a}`, expectedA);
    await expectTableEquals(`Jr${b}`, expectedB);

    // Listed, and audited: the submission and the outcome, both by the operator.
    const list = await restoreJobs(new HttpRequest({ method: "GET", url: "http://localhost/api/restores" }), ctx("restoreJobs"));
    expect((list.jsonBody as { id: string }[]).map((j) => j.id)).toContain(id);
    const s = createServices(loadConfig(settings));
    const entries = [];
    for await (const e of s.audit.entries({})) entries.push(e);
    const mine = entries.filter((e) => e.target.job === id);
    expect(mine.map((e) => `${e.action} ${e.outcome} ${e.operator}`)).toEqual(["restore.submit succeeded asserted:alice", "restore succeeded asserted:alice"]);
  });

  it("bad input is refused with 400 naming each field, audited, and nothing is queued; an unknown job is 404", async () => {
    const a = uniqueTable("JobBad");
    const settings = jobSettings([a]);
    resetServices(createServices(loadConfig(settings)));
    const r1 = await post({ target: { prefix: "1bad" }, tables: [], at: "yesterday", operator: "bob", extra: 1 });
    expect(r1.status).toBe(400);
    const fields = (r1.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(["at", "extra", "tables"]);
    const r2 = await post({ target: { prefix: "1bad" }, operator: "bob" });
    expect(r2.status).toBe(400);
    expect(r2.body.errors).toEqual([{ field: "target-prefix", rule: "must start with a letter and hold only letters and digits (table name rules)" }]);
    const r3 = await post({ target: { inPlace: false }, operator: "bob" });
    expect(r3.status).toBe(400);
    expect((r3.body.errors as { field: string }[])[0]?.field).toBe("target");
    const r4 = await post("not an object");
    expect(r4.status).toBe(400);

    expect((await view("r20261130t000000-abcdef")).status).toBe(404);
    expect((await view("../../etc")).status).toBe(400);

    const s = createServices(loadConfig(settings));
    const entries = [];
    for await (const e of s.audit.entries({})) entries.push(e);
    expect(entries.map((e) => `${e.action} ${e.outcome}`)).toEqual(["restore.submit refused", "restore.submit refused", "restore.submit refused", "restore.submit refused"]);
    expect(entries[1]?.operator).toBe("asserted:bob");
    const list = await restoreJobs(new HttpRequest({ method: "GET", url: "http://localhost/api/restores" }), ctx("restoreJobs"));
    expect(list.jsonBody).toEqual([]);
  });

  it("a step that keeps failing goes to the poison queue after maxDequeueCount, and the job fails with the reason", async () => {
    const a = uniqueTable("JobPoison");
    const settings = jobSettings([a]);
    const s = createServices(loadConfig(settings));
    await seedTable(s.source, a, makeRecords(20));
    expect((await takeBackup(s, { operator: "test", kind: "full", waitForLockSeconds: 0 })).status).toBe("committed");
    resetServices(s);
    const res = await post({ target: { prefix: "Jp" }, operator: "carol" });
    expect(res.status).toBe(202);
    const id = String(res.body.id);

    // The worker's source account is unreachable (a closed port): every delivery of the start step fails.
    const broken = { ...settings, LIFEBOAT_SOURCE: "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1", LIFEBOAT_STORAGE_RETRIES: "0" };
    resetServices(createServices(loadConfig(broken)));
    const worker = runJobWorker(broken, { maxDequeueCount: 2 });
    stops.push(worker.stop);
    const failed = await until(id, ["failed", "succeeded"], 90);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/the start step failed on every delivery \(2 failed deliveries of the job's steps\); last error: STORE\.UNAVAILABLE/);
    expect(worker.lines.some((l) => /FAILED on delivery 2 of 2: .*; moved to jobs-[0-9a-f]+-poison/.test(l))).toBe(true);
    const entries = [];
    for await (const e of s.audit.entries({})) entries.push(e);
    expect(entries.filter((e) => e.target.job === id).map((e) => `${e.action} ${e.outcome} ${e.operator}`)).toEqual(["restore.submit succeeded asserted:carol", "restore failed asserted:carol"]);
  });

  it("lifeboat restore --job --in-place: a safety backup first, the live table swept back to the point, progress followed to the end", async () => {
    const a = uniqueTable("JobInPlace");
    const settings = jobSettings([a]);
    const s = createServices(loadConfig(settings));
    const v1 = makeRecords(150, 1);
    await seedTable(s.source, a, v1);
    expect((await takeBackup(s, { operator: "test", kind: "full", waitForLockSeconds: 0 })).status).toBe("committed");
    // After the point: updates, a deletion, and new entities that the restore must remove.
    await seedTable(s.source, a, makeRecords(10, 9));
    await deleteFromTable(s.source, a, v1.slice(20, 25));
    await seedTable(s.source, a, makeRecords(7, 9, 10, 5000));
    const point = (await listPoints(s.repo))[0]!.id;

    resetServices(s);
    const worker = runJobWorker(settings);
    stops.push(worker.stop);
    const r = await cli(["--operator", "dana", "restore", "--job", "--in-place", "--point", point], settings);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/submitted restore job r\d{8}t\d{6}-[0-9a-f]{6}/);
    expect(r.stderr).toMatch(/: running \d+(\.\d)?%|: verifying|: succeeded 100%/);
    expect(r.stdout).toMatch(new RegExp(`${a} -> ${a}: 150 entities, 7 removed, verified`));
    expect(r.stdout).toMatch(/safety backup: \d{8}T\d{9}Z-i[0-9a-f]{6}/);
    await expectTableEquals(a, v1);

    const bad = await cli(["restore", "--detach", "--in-place"], settings);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--detach: only with --job");
  });

  it("an entity the service refuses: the job writes and verifies everything else, then fails with RESTORE.INCOMPLETE naming it (never its values)", async () => {
    const a = uniqueTable("JobBig");
    const settings = jobSettings([a]);
    const s = createServices(loadConfig(settings));
    const records = makeRecords(120, 1, 3);
    await seedTable(s.source, a, records);
    // A backup holding an entity this service will not take (over the 64 KiB property limit).
    const huge: EntityRecord = { pk: records[7]!.pk, rk: "r-huge", props: { blob: ["String", "h".repeat(40_000)] } };
    const source = withExtraEntity(s.source, huge);
    expect((await takeBackup({ ...s, source }, { operator: "test", kind: "full", waitForLockSeconds: 0 })).status).toBe("committed");
    resetServices(s);
    const res = await post({ target: { prefix: "Jb" }, operator: "erin" });
    const id = String(res.body.id);
    const worker = runJobWorker(settings);
    stops.push(worker.stop);
    const done = await until(id, ["succeeded", "failed"], 90);
    expect(done.state).toBe("failed");
    expect(done.error).toMatch(/^RESTORE\.INCOMPLETE: the table service refused 1 entity, not written; everything else is restored and verified: /);
    expect(done.error).toContain(`${a} -> Jb${a} PartitionKey "${huge.pk}" RowKey "r-huge" (upsert): 400 PropertyValueTooLarge`);
    expect(done.verification).toEqual([expect.objectContaining({ table: a, entities: 121 })]);
    expect(done.progress[0]).toMatchObject({ rejected: 1, verified: true });
    expect(JSON.stringify(done)).not.toContain("hhhhhhhh");
    await expectTableEquals(`Jb${a}`, records);
  });
});
