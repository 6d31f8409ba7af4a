import { z } from "zod";
import { Secret } from "../core/secret";
import { httpUrl, optionalString, tableSetting, type Issue } from "./fields";
import { text, type ConnectionValues } from "./storage";

export const JOBS_DEFAULTS = { LIFEBOAT_JOBS_TABLE: "LifeboatJobs", LIFEBOAT_JOBS_QUEUE: "lifeboat-jobs" } as const;

const QUEUE_NAME = /^(?=.{3,55}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** The account of the jobs queue: the Functions host's own (AzureWebJobsStorage), by connection string or identity. */
export type QueueConnection = { kind: "connectionString"; connectionString: Secret<string> } | { kind: "identity"; queueServiceUri: string; clientId?: string };

/**
 * Restore jobs: their state table (in the backup account) and the queue their steps
 * travel on, which lives in the Functions host's storage account: the queue trigger
 * reads AzureWebJobsStorage, so the senders use the same settings.
 */
export const jobsShape = {
  LIFEBOAT_JOBS_TABLE: tableSetting(JOBS_DEFAULTS.LIFEBOAT_JOBS_TABLE),
  /** The queue's name; the trigger binding reads it as %LIFEBOAT_JOBS_QUEUE%, and its poison queue is <name>-poison. */
  LIFEBOAT_JOBS_QUEUE: optionalString
    .transform((s) => s ?? JOBS_DEFAULTS.LIFEBOAT_JOBS_QUEUE)
    .pipe(z.string().regex(QUEUE_NAME, "must be a queue name: 3-55 lowercase letters, digits and single hyphens, starting and ending with a letter or digit (room is left for -poison)")),
  AzureWebJobsStorage: optionalString,
  AzureWebJobsStorage__accountName: optionalString,
  AzureWebJobsStorage__queueServiceUri: httpUrl("must be an http(s) URL"),
  AzureWebJobsStorage__clientId: optionalString,
};

/**
 * The jobs queue's account: AzureWebJobsStorage (a connection string), else
 * __queueServiceUri or __accountName (https://<name>.queue.core.windows.net) with a
 * managed identity; null when none is set (jobs then cannot be submitted: the caller
 * says which setting is missing).
 */
export function readJobsQueue(p: ConnectionValues, issues: Issue[]): QueueConnection | null {
  const cs = text(p, "AzureWebJobsStorage");
  if (cs) {
    if (!/(^|;)\s*(AccountName|UseDevelopmentStorage|QueueEndpoint|SharedAccessSignature)=/i.test(cs)) {
      issues.push({ setting: "AzureWebJobsStorage", message: "is not a Storage connection string (expected AccountName=…;AccountKey=… or endpoints)" });
    }
    return { kind: "connectionString", connectionString: new Secret(cs) };
  }
  const uri = text(p, "AzureWebJobsStorage__queueServiceUri");
  const account = text(p, "AzureWebJobsStorage__accountName");
  if (account && !/^[a-z0-9]{3,24}$/.test(account)) issues.push({ setting: "AzureWebJobsStorage__accountName", message: "must be a storage account name (3-24 lowercase letters and digits)" });
  const queueServiceUri = uri ?? (account ? `https://${account}.queue.core.windows.net` : undefined);
  if (!queueServiceUri) return null;
  const clientId = text(p, "AzureWebJobsStorage__clientId");
  return { kind: "identity", queueServiceUri, ...(clientId ? { clientId } : {}) };
}
