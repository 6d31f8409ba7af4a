import type { JobMessage } from "../../core/jobs/job";

/**
 * The queue restore-job steps travel on (`lifeboat-jobs` in the Functions host's storage
 * account). The Functions runtime delivers each message to a queue-triggered function,
 * retries a failed one and moves it to `lifeboat-jobs-poison` after maxDequeueCount.
 */
export interface JobQueue {
  readonly description: string;
  send(message: JobMessage): Promise<void>;
}

/** The queue's name, fixed in the trigger binding and the Bicep. */
export const JOBS_QUEUE = "lifeboat-jobs";
