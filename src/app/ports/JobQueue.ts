import type { QueueMessage } from "../../core/jobs/backup-range";

/**
 * The queue restore-job steps (and backup range tasks) travel on (LIFEBOAT_JOBS_QUEUE, default `lifeboat-jobs`, in the Functions
 * host's storage account). The Functions runtime delivers each message to a queue-triggered function,
 * retries a failed one and moves it to `lifeboat-jobs-poison` after maxDequeueCount.
 */
export interface JobQueue {
  readonly description: string;
  send(message: QueueMessage): Promise<void>;
}

/** The trigger binding's queue name: the app setting LIFEBOAT_JOBS_QUEUE (default lifeboat-jobs, as the Bicep creates it). */
export const JOBS_QUEUE_BINDING = "%LIFEBOAT_JOBS_QUEUE%";
