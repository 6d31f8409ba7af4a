import { TableClient } from "@azure/data-tables";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resetServices } from "../../src/functions/shared/runtime";
import { getRestoreJob, submitRestoreJob } from "../../src/app/jobs";
import { takeBackup } from "../../src/app/backup/take-backup";
import { loadConfig } from "../../src/config";
import { createServices, jobDeps } from "../../src/services";
import { uniqueTable } from "../helpers/names";
import { jobSettings } from "../helpers/services";
import { expectTableEquals, makeRecords, seedTable } from "../helpers/table-fixtures";
import { runJobWorker } from "../helpers/job-worker";
import { killChildren, sleep, startTsxChild } from "../helpers/tsx-child";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  killChildren();
  for (const s of stops.splice(0)) await s();
  resetServices();
});

/** Each entity's key and service Timestamp: rewritten entities get a new Timestamp. */
async function timestamps(table: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const client = TableClient.fromConnectionString(inject("azurite"), table, { allowInsecureConnection: true });
  for await (const e of client.listEntities()) out.set(`${e.partitionKey}/${e.rowKey}`, String(e.timestamp));
  return out;
}

describe("restore jobs survive a dying worker", () => {
  it(
    "a worker SIGKILLed mid-job: the job resumes on redelivery, skips finished tasks, and ends exactly restored",
    async () => {
      const x = uniqueTable("CrashX");
      const y = uniqueTable("CrashY");
      const settings = jobSettings([x, y], { LIFEBOAT_RESTORE_CONCURRENCY: "1" });
      const s = createServices(loadConfig(settings));
      const xs = makeRecords(60, 1);
      const ys = makeRecords(500, 2);
      await seedTable(s.source, x, xs);
      await seedTable(s.source, y, ys);
      expect((await takeBackup(s, { operator: "test", kind: "full", waitForLockSeconds: 0 })).status).toBe("committed");
      const submitted = await submitRestoreJob(jobDeps(s), { operator: "cli:test", target: { kind: "prefix", prefix: "Kx" }, from: "primary" });
      if (submitted.kind !== "job") throw new Error("expected a job");
      const id = submitted.job.id;

      // 1. A worker process that writes slowly (each transaction 150 ms, one at a time), killed
      //    once table X and two of Y's five files are done and the third is being written.
      const child = startTsxChild("job-worker-child.ts", { ...settings, LIFEBOAT_TEST_BATCH_DELAY_MS: "150", LIFEBOAT_TEST_LEASE_MS: "3000" });
      const end = Date.now() + 120_000;
      while (!new RegExp(`task t-${y}-f000002 started`).test(child.out)) {
        if (child.process.exitCode !== null) throw new Error(`worker exited early:\n${child.out}${child.err}`);
        if (Date.now() > end) throw new Error(`worker made no progress:\n${child.out}${child.err}`);
        await sleep(25);
      }
      child.process.kill("SIGKILL");
      await child.exited;
      expect(child.out).toContain(`task t-${x}-f000000 done`);

      const before = await getRestoreJob(jobDeps(s), id);
      expect(before.state).toBe("running");
      const doneBefore = new Map(
        (await s.jobs!.listTasks(id)).filter((t) => t.state === "done").map((t) => [t.id, t]),
      );
      expect([...doneBefore.keys()].sort()).toEqual([`t-${x}-f000000`, `t-${y}-f000000`, `t-${y}-f000001`]);
      const xStamps = await timestamps(`Kx${x}`);
      expect(xStamps.size).toBe(60);

      // 2. Another worker: the killed one's message reappears after its lease, and the job finishes.
      resetServices(s);
      const worker = runJobWorker(settings, { leaseMs: 3000 });
      stops.push(worker.stop);
      let job = await getRestoreJob(jobDeps(s), id);
      while (job.state !== "succeeded" && job.state !== "failed") {
        if (Date.now() > end + 60_000) throw new Error(`job still ${job.state}: ${worker.lines.join("\n")}`);
        await sleep(200);
        job = await getRestoreJob(jobDeps(s), id);
      }
      expect(job.state, job.error).toBe("succeeded");
      await expectTableEquals(`Kx${x}`, xs);
      await expectTableEquals(`Kx${y}`, ys);

      // Finished tasks were not run again: one attempt each, records untouched, and table X's
      // entities keep the Timestamps of their only write.
      const after = new Map((await s.jobs!.listTasks(id)).map((t) => [t.id, t]));
      for (const [tid, t] of doneBefore) expect(after.get(tid), tid).toEqual(t);
      expect(await timestamps(`Kx${x}`)).toEqual(xStamps);
      // The task in flight at the kill was delivered again.
      expect([...after.values()].some((t) => t.attempts === 2)).toBe(true);
      expect(worker.lines.some((l) => l.includes(`task t-${x}-f000000`))).toBe(false);
    },
    240_000,
  );
});
