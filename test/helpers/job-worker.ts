import { InvocationContext } from "@azure/functions";
import type { Registration } from "../../src/local/functions-host";
import { watchQueueTriggers, type QueueHostOptions } from "../../src/local/queue-triggers";
import { restorePoison, restoreWorker } from "../../src/functions/restore-worker";
import { JOBS_QUEUE_BINDING } from "../../src/app/ports/JobQueue";

/**
 * The restore-job queue functions as the host registers them (registrations.test checks
 * the same metadata against what `app.storageQueue` hands the host), delivered by the
 * local queue host. Returns its stop function and the host's log lines.
 */
export function runJobWorker(env: Record<string, string | undefined>, options: Partial<QueueHostOptions> = {}): { stop: () => Promise<void>; lines: string[] } {
  const lines: string[] = [];
  const reg = (name: string, queueName: string, handler: (m: unknown, c: InvocationContext) => Promise<void>): Registration => ({
    name,
    bindings: { trigger: { type: "queueTrigger", direction: "in", queueName, connection: "AzureWebJobsStorage" } },
    handler: handler as Registration["handler"],
  });
  const stop = watchQueueTriggers(
    [reg("restoreWorker", JOBS_QUEUE_BINDING, restoreWorker), reg("restorePoison", `${JOBS_QUEUE_BINDING}-poison`, restorePoison)],
    env,
    (l) => lines.push(l),
    { maxPollingIntervalMs: 200, leaseMs: 10_000, ...options },
  );
  return { stop, lines };
}
