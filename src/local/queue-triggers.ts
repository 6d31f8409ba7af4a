import { readFileSync } from "node:fs";
import { QueueServiceClient, type QueueClient } from "@azure/storage-queue";
import { InvocationContext } from "@azure/functions";
import type { Registration } from "./functions-host";
import { triggerOf } from "./functions-host";
import { resolveBindingPath } from "./blob-triggers";

/** How the Functions host runs queue triggers (host.json `extensions.queues`), with its defaults. */
export interface QueueHostOptions {
  /** Messages fetched and run at once. Host default 16. */
  batchSize: number;
  /** Deliveries before a message goes to `<queue>-poison`. Host default 5. */
  maxDequeueCount: number;
  /** How long a failed message stays invisible before its next delivery. Host default 0. */
  visibilityTimeoutMs: number;
  /** The longest wait between polls of an empty queue. Host default 1 min; here 2 s. */
  maxPollingIntervalMs: number;
  /** How long a message being run stays invisible; renewed at half of it while the function runs (the host uses 10 min). */
  leaseMs: number;
}

const HOST_DEFAULTS: QueueHostOptions = { batchSize: 16, maxDequeueCount: 5, visibilityTimeoutMs: 0, maxPollingIntervalMs: 2000, leaseMs: 600_000 };

/** "hh:mm:ss" (a .NET TimeSpan as host.json writes it) in milliseconds; undefined when not one. */
export function timeSpanMs(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(v.trim());
  if (!m) return undefined;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2])) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1000 + Number(`0.${m[5] ?? 0}`) * 1000;
}

/** The queue options of a host.json file (its `extensions.queues`), host defaults for what it leaves out. */
export function queueOptionsFromHostJson(path: string): QueueHostOptions {
  const json = JSON.parse(readFileSync(path, "utf8")) as { extensions?: { queues?: Record<string, unknown> } };
  const q = json.extensions?.queues ?? {};
  const num = (v: unknown, d: number): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : d);
  return {
    batchSize: num(q.batchSize, HOST_DEFAULTS.batchSize),
    maxDequeueCount: num(q.maxDequeueCount, HOST_DEFAULTS.maxDequeueCount),
    visibilityTimeoutMs: timeSpanMs(q.visibilityTimeout) ?? HOST_DEFAULTS.visibilityTimeoutMs,
    maxPollingIntervalMs: Math.min(timeSpanMs(q.maxPollingInterval) ?? HOST_DEFAULTS.maxPollingIntervalMs, HOST_DEFAULTS.maxPollingIntervalMs),
    leaseMs: HOST_DEFAULTS.leaseMs,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A message's body as the host hands it to a function: parsed JSON when it is JSON, else the text. */
function bodyOf(text: string): unknown {
  const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(text) ? Buffer.from(text, "base64").toString("utf8") : text;
  try {
    return JSON.parse(decoded);
  } catch {
    return decoded;
  }
}

/** Runs one message: renews its invisibility while the function runs; deletes it on success; on failure makes it visible again after the retry delay, or moves it to the poison queue after the last delivery. */
async function deliver(r: Registration, queue: QueueClient, poison: QueueClient, m: { messageId: string; popReceipt: string; messageText: string; dequeueCount: number; insertedOn?: Date; expiresOn?: Date }, o: QueueHostOptions, log: (line: string) => void): Promise<void> {
  let receipt = m.popReceipt;
  const renew = setInterval(() => {
    void queue.updateMessage(m.messageId, receipt, undefined, Math.ceil(o.leaseMs / 1000)).then(
      (u) => {
        if (u.popReceipt) receipt = u.popReceipt;
      },
      () => undefined,
    );
  }, Math.max(500, o.leaseMs / 2));
  const context = new InvocationContext({
    functionName: r.name,
    invocationId: crypto.randomUUID(),
    triggerMetadata: { id: m.messageId, dequeueCount: m.dequeueCount, insertionTime: m.insertedOn?.toISOString(), expirationTime: m.expiresOn?.toISOString(), popReceipt: m.popReceipt },
    logHandler: (level, ...args) => log(`[${r.name}] ${level === "information" ? "" : `${level}: `}${args.map(String).join(" ")}`),
  });
  let failure: unknown;
  try {
    await r.handler(bodyOf(m.messageText), context);
  } catch (err) {
    failure = err;
  } finally {
    clearInterval(renew);
  }
  if (failure === undefined) {
    await queue.deleteMessage(m.messageId, receipt);
    return;
  }
  const why = failure instanceof Error ? failure.message : String(failure);
  if (m.dequeueCount >= o.maxDequeueCount) {
    await poison.createIfNotExists();
    await poison.sendMessage(m.messageText);
    await queue.deleteMessage(m.messageId, receipt);
    log(`[${r.name}] FAILED on delivery ${m.dequeueCount} of ${o.maxDequeueCount}: ${why}; moved to ${poison.name}`);
  } else {
    await queue.updateMessage(m.messageId, receipt, undefined, Math.ceil(o.visibilityTimeoutMs / 1000));
    log(`[${r.name}] FAILED on delivery ${m.dequeueCount} of ${o.maxDequeueCount}: ${why}; retried in ${o.visibilityTimeoutMs / 1000} s`);
  }
}

/**
 * Delivers queue triggers the way the Functions host does: polls each trigger's queue
 * (backing off to maxPollingInterval while it is empty), runs up to batchSize messages at
 * once with their dequeue count in triggerMetadata, keeps a running message invisible,
 * deletes it when the function succeeds, and otherwise lets it reappear after the retry
 * delay, moving it to `<queue>-poison` after maxDequeueCount deliveries. The connection
 * setting names a connection string (as Azurite's is). Returns a stop function that
 * waits for the running messages.
 */
export function watchQueueTriggers(registrations: readonly Registration[], env: Record<string, string | undefined>, log: (line: string) => void, options: Partial<QueueHostOptions> = {}): () => Promise<void> {
  const o = { ...HOST_DEFAULTS, ...options };
  let stopped = false;
  const loops: Promise<void>[] = [];
  for (const r of registrations.filter((x) => triggerOf(x).type === "queueTrigger")) {
    const t = triggerOf(r);
    const connName = String(t.connection ?? "AzureWebJobsStorage");
    const conn = env[connName];
    if (!conn || !/=/.test(conn)) {
      log(`queue trigger ${r.name}: connection ${connName} is not a connection string here; not watched`);
      continue;
    }
    const service = QueueServiceClient.fromConnectionString(conn);
    let name: string;
    try {
      name = resolveBindingPath(String(t.queueName), env);
    } catch (err) {
      log(`queue trigger ${r.name}: ${err instanceof Error ? err.message : String(err)}; not watched`);
      continue;
    }
    const queue = service.getQueueClient(name);
    const poison = service.getQueueClient(`${name}-poison`);
    log(`queue trigger ${r.name}: polling ${name} (batch ${o.batchSize}, ${o.maxDequeueCount} deliveries, then ${name}-poison)`);
    loops.push(
      (async () => {
        let wait = 100;
        while (!stopped) {
          try {
            await queue.createIfNotExists();
            const got = await queue.receiveMessages({ numberOfMessages: Math.min(32, o.batchSize), visibilityTimeout: Math.ceil(o.leaseMs / 1000) });
            if (got.receivedMessageItems.length === 0) {
              await sleep(wait);
              wait = Math.min(o.maxPollingIntervalMs, wait * 2);
              continue;
            }
            wait = 100;
            await Promise.all(got.receivedMessageItems.map((m) => deliver(r, queue, poison, m, o, log).catch((err: unknown) => log(`[${r.name}] delivery bookkeeping failed: ${String(err)}`))));
          } catch (err) {
            log(`queue trigger ${r.name}: ${err instanceof Error ? err.message : String(err)}`);
            await sleep(o.maxPollingIntervalMs);
          }
        }
      })(),
    );
  }
  return async () => {
    stopped = true;
    await Promise.all(loops);
  };
}
