import { app, type InvocationContext } from "@azure/functions";
import { failPoisoned, runJobStep } from "../app/jobs";
import { JOBS_QUEUE_BINDING } from "../app/ports/JobQueue";
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
  await failPoisoned(jobServices(), message, (line) => context.log(line));
}

app.storageQueue("restoreWorker", { queueName: JOBS_QUEUE_BINDING, connection: "AzureWebJobsStorage", handler: restoreWorker });
app.storageQueue("restorePoison", { queueName: `${JOBS_QUEUE_BINDING}-poison`, connection: "AzureWebJobsStorage", handler: restorePoison });
