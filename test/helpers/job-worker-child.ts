/**
 * A restore-job worker in its own process, for the test that kills one mid-job: the
 * local queue host delivering the jobs queue to the real queue functions. Reads the
 * Lifeboat settings from its environment.
 *
 * LIFEBOAT_TEST_BATCH_DELAY_MS slows every entity-group transaction to the target by
 * that much, as a slow link would, so that the test can kill it between tasks.
 * LIFEBOAT_TEST_LEASE_MS is how long a message being run stays invisible (renewed while
 * it runs): after a kill, the message reappears once that has passed.
 * Prints the host's log lines on stdout.
 */
import type { TableStore } from "../../src/app/ports/TableStore";
import { loadConfig } from "../../src/config";
import { resetServices } from "../../src/functions/shared/runtime";
import { createServices } from "../../src/services";
import { runJobWorker } from "./job-worker";
import { overriding } from "./store-wrap";

function slowed(store: TableStore, delayMs: number): TableStore {
  return overriding(store, {
    submitBatch: async (t, w) => {
      await new Promise((r) => setTimeout(r, delayMs));
      await store.submitBatch(t, w);
    },
  });
}

const s = createServices(loadConfig(process.env));
resetServices({ ...s, source: slowed(s.source, Number(process.env.LIFEBOAT_TEST_BATCH_DELAY_MS ?? "0")) });
const worker = runJobWorker(process.env, { batchSize: 1, leaseMs: Number(process.env.LIFEBOAT_TEST_LEASE_MS ?? "10000") });
let shown = 0;
setInterval(() => {
  while (shown < worker.lines.length) process.stdout.write(`${worker.lines[shown++]}\n`);
}, 50);
process.stdout.write(`started ${process.pid}\n`);
