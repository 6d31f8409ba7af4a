/** Restore jobs: a restore fanned out into queue tasks that Function instances run in parallel. */
export type { JobDeps } from "./deps";
export { submitRestoreJob, type SubmitRestoreRequest, type SubmitResult } from "./submit";
export { runJobStep, failPoisoned, parseJobMessage, isTransient, type StepOutcome } from "./run-step";
export { getRestoreJob, listRestoreJobs, type JobView } from "./view";
