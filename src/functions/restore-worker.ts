import { app, type InvocationContext } from "@azure/functions";
import { failPoisoned, runJobStep } from "../app/jobs";
import { JOBS_QUEUE } from "../app/ports/JobQueue";
import { jobServices } from "./shared/runtime";

/**
 * Runs restore-job steps from the jobs queue. The Functions runtime is the distributed
 * engine: it scales instances out on the queue's length, redelivers a message whose
 * invocation failed or whose instance died, and after maxDequeueCount (host.json) moves
 * it to the poison queue.
 */
export async function restoreWorker(message: unknown, context: InvocationContext): Promise<void> {
  await runJobStep(jobServices(), message, (line) => context.log(line));
}

/** A step the queue gave up on: ends its job `failed` with the last error the job noted. */
export async function restorePoison(message: unknown, context: InvocationContext): Promise<void> {
  const count = context.triggerMetadata?.dequeueCount;
  await failPoisoned(jobServices(), message, typeof count === "number" ? count : undefined, (line) => context.log(line));
}

app.storageQueue("restoreWorker", { queueName: JOBS_QUEUE, connection: "AzureWebJobsStorage", handler: restoreWorker });
app.storageQueue("restorePoison", { queueName: `${JOBS_QUEUE}-poison`, connection: "AzureWebJobsStorage", handler: restorePoison });
