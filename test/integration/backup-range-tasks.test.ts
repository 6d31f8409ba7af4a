import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { createServices, jobDeps, type Services } from "../../src/services";
import { readRangeResult, runRangeTask } from "../../src/app/backup/range-task";
import { failPoisoned, runJobStep } from "../../src/app/jobs";
import { LifeboatError } from "../../src/core/errors";
import { fanoutId, type RangeTaskRecord } from "../../src/core/jobs/backup-range";
import { uniqueTable } from "../helpers/names";
import { jobSettings } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";
import { withScan } from "../helpers/store-wrap";
import { caught } from "../helpers/caught";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A table of 3,000 entities and one range task over all of it, as a fanned-out full would record it. */
async function setup(over: Partial<RangeTaskRecord> = {}): Promise<{ s: Services; task: RangeTaskRecord }> {
  const table = uniqueTable("Rt");
  const s = createServices(loadConfig(jobSettings([table])));
  await s.repo.ensure();
  await seedTable(s.source, table, makeRecords(3000, 1, 3));
  const kek = await s.keys.active();
  const pointId = "20261130T010000000Z-fabc123";
  const at = new Date().toISOString();
  const task: RangeTaskRecord = {
    fanout: fanoutId(pointId, table, "full"),
    id: "000000",
    pointId,
    table,
    mode: "full",
    range: {},
    account: "primary",
    since: null,
    overlapSeconds: 60,
    kekId: kek.id,
    chunkEntities: 1000,
    csv: false,
    state: "pending",
    attempts: 0,
    expected: 3000,
    read: 0,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
  await s.jobs!.addRangeTask(task);
  return { s, task };
}

const ports = (s: Services, extra: Record<string, unknown> = {}) => ({ jobs: s.jobs!, source: s.source, repo: s.repo, keys: s.keys, account: "primary", ...extra });

describe("a backup range task's runners", () => {
  it("leave a task running elsewhere alone, and take over one whose runner went quiet, under the next attempt's file names", async () => {
    const fresh = await setup({ state: "running", attempts: 1, updatedAt: new Date().toISOString() });
    expect(await runRangeTask(ports(fresh.s), fresh.task.fanout, fresh.task.id, "test")).toEqual({ ran: false, why: "the task is running elsewhere" });

    const quiet = await setup({ state: "running", attempts: 1, updatedAt: new Date(Date.now() - 120_000).toISOString() });
    const r = await runRangeTask(ports(quiet.s), quiet.task.fanout, quiet.task.id, "test");
    if (!r.ran) throw new Error(r.why);
    expect(r.task).toMatchObject({ state: "done", attempts: 2, runner: "test", read: 3000 });
    expect(r.task.result).toMatchObject({ entities: 3000, path: `data/${quiet.task.pointId}/${quiet.task.table}/r000000-a2/result.json.lbe` });
    // The result (it names keys) is sealed in the repository, next to the files it lists.
    const result = await readRangeResult(quiet.s.repo, quiet.s.keys, r.task.result!);
    expect(result.data.reduce((n, f) => n + f.records, 0)).toBe(3000);
    expect(result.data.every((f) => f.path.includes(`/${quiet.task.table}/r000000-a2/d-`))).toBe(true);
    expect(JSON.stringify(await quiet.s.jobs!.getRangeTask(quiet.task.fanout, quiet.task.id))).not.toMatch(/"p0[0-2]"/);
    // Done is done: a redelivery leaves it.
    expect(await runRangeTask(ports(quiet.s), quiet.task.fanout, quiet.task.id, "test")).toEqual({ ran: false, why: "the task is done" });
  });

  it("stop at the next page once the task is abandoned (or taken over) under them", async () => {
    const { s, task } = await setup();
    let pages = 0;
    const slow = withScan(s.source, (t, options) =>
      (async function* () {
        for await (const page of s.source.scan(t, { ...options, pageSize: 100 })) {
          pages++;
          await sleep(50);
          yield page;
        }
      })(),
    );
    const running = runRangeTask(ports(s, { source: slow, heartbeatMs: 20 }), task.fanout, task.id, "test");
    await sleep(300);
    const got = await s.jobs!.getRangeTask(task.fanout, task.id);
    expect(got?.value.state).toBe("running");
    expect(got?.value.read).toBeGreaterThan(0); // the heartbeat writes the count
    expect(await s.jobs!.updateRangeTask({ ...got!.value, state: "abandoned" }, got!.etag)).toBe(true);
    const r = await running;
    expect(r).toEqual({ ran: false, why: "the task was taken over, finished elsewhere or abandoned (or its backup is gone) while this runner read it" });
    expect(pages).toBeLessThan(30);
    expect((await s.jobs!.getRangeTask(task.fanout, task.id))?.value.state).toBe("abandoned");

    // A queue runner whose waiting backup goes quiet stops too, and leaves the task abandoned.
    const again = await setup();
    await again.s.jobs!.beatFanout(again.task.fanout, new Date().toISOString());
    let read = 0;
    const slowAgain = withScan(again.s.source, (t, options) =>
      (async function* () {
        for await (const page of again.s.source.scan(t, { ...options, pageSize: 100 })) {
          read++;
          await sleep(50);
          yield page;
        }
      })(),
    );
    const orphaned = await runRangeTask(ports(again.s, { source: slowAgain, heartbeatMs: 20, orphanAfterMs: 300 }), again.task.fanout, again.task.id, "queue");
    expect(orphaned.ran).toBe(false);
    expect(read).toBeLessThan(30);
    expect((await again.s.jobs!.getRangeTask(again.task.fanout, again.task.id))?.value).toMatchObject({ state: "abandoned", error: expect.stringMatching(/the backup that queued it is gone/) });
  });

  it("from the queue: a delivery that may pass puts the task back with its error, which a poison message fails it with; an unknown task is ignored", async () => {
    const { s, task } = await setup();
    const deps = { ...jobDeps(s), backupSource: async () => Promise.reject(new LifeboatError("STORE.UNAVAILABLE", "the source account cannot be reached")) };
    const message = JSON.stringify({ v: 1, step: "backup-range", fanout: task.fanout, range: task.id });
    const lines: string[] = [];
    expect(((await caught(runJobStep(deps, message, (l) => lines.push(l)))) as Error).message).toMatch(/cannot be reached/);
    const after = (await s.jobs!.getRangeTask(task.fanout, task.id))!.value;
    expect(after).toMatchObject({ state: "pending", lastError: expect.stringMatching(/cannot be reached/) });

    expect(await failPoisoned(deps, message, (l) => lines.push(l))).toBe("job failed");
    const failed = (await s.jobs!.getRangeTask(task.fanout, task.id))!.value;
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/failed on every delivery; last error: .*cannot be reached/);
    // Settled: a second poison message changes nothing.
    expect(await failPoisoned(deps, message, (l) => lines.push(l))).toBe("ignored");
    expect(await runJobStep(jobDeps(s), JSON.stringify({ v: 1, step: "backup-range", fanout: "b-none", range: "000000" }), (l) => lines.push(l))).toBe("ignored");
    expect(lines.at(-1)).toMatch(/range 000000 left alone: no such range task/);
  });

  it("from the queue: leave a fan-out whose waiting backup is gone (no beat for ten minutes) abandoned, and run one whose backup is alive", async () => {
    const lines: string[] = [];
    const deliver = (s: Services, task: RangeTaskRecord) => runJobStep(jobDeps(s), JSON.stringify({ v: 1, step: "backup-range", fanout: task.fanout, range: task.id }), (l) => lines.push(l));

    const never = await setup();
    expect(await deliver(never.s, never.task)).toBe("ignored");
    expect(lines.at(-1)).toMatch(/left alone: the backup that queued it is gone \(no sign of it\)/);
    expect((await never.s.jobs!.getRangeTask(never.task.fanout, never.task.id))?.value.state).toBe("abandoned");

    const quiet = await setup();
    await quiet.s.jobs!.beatFanout(quiet.task.fanout, new Date(Date.now() - 601_000).toISOString());
    expect(await deliver(quiet.s, quiet.task)).toBe("ignored");
    expect((await quiet.s.jobs!.getRangeTask(quiet.task.fanout, quiet.task.id))?.value).toMatchObject({ state: "abandoned", error: expect.stringMatching(/no sign of it since/) });

    const alive = await setup();
    await alive.s.jobs!.beatFanout(alive.task.fanout, new Date().toISOString());
    expect(await deliver(alive.s, alive.task)).toBe("done");
    expect((await alive.s.jobs!.getRangeTask(alive.task.fanout, alive.task.id))?.value.state).toBe("done");
    // Once its point is committed, the fan-out's records go, the beat with them.
    await alive.s.jobs!.deleteRangeTasks(alive.task.fanout);
    expect(await alive.s.jobs!.fanoutBeat(alive.task.fanout)).toBeNull();
    expect(await alive.s.jobs!.listRangeTasks(alive.task.fanout)).toEqual([]);
  });
});
