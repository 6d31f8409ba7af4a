import "./install-core";
import { readdirSync } from "node:fs";
import { createConnection } from "node:net";
import { join, resolve } from "node:path";
import { DEFAULTS, loadConfig } from "../config";
import { createBlobSource, createTableStore } from "../adapters/azure/stores";
import { azuriteConnectionString, startAzurite } from "./azurite";
import { seedDemoContainer, seedDemoData } from "./demo-data";
import { registeredFunctions, type Registration } from "./functions-host";
import { serveHttpFunctions } from "./http-bridge";
import { watchBlobTriggers } from "./blob-triggers";
import { queueOptionsFromHostJson, watchQueueTriggers } from "./queue-triggers";
import { loadLocalSettings } from "./settings";
import { invokeTimer, scheduleTimers } from "./timers";

const root = resolve(__dirname, "..", "..", "..");
const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
};

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.end();
      done(true);
    });
    s.once("error", () => done(false));
  });
}

/**
 * The local failover target: a second account on the same Azurite (AZURITE_ACCOUNTS), so
 * that failover and failback can be tried end to end. A development key, like Azurite's
 * well-known one: nothing to protect.
 */
const FAILOVER_ACCOUNT = { name: "lifeboatfailover", key: Buffer.from("lifeboat-local-failover-account-key!").toString("base64") };

/** Starts Azurite on 10000-10002 (data under .lifeboat/) with the failover account, or reuses one already listening there. */
async function ensureAzurite(): Promise<{ stop: (() => Promise<void>) | null; failover: string | null }> {
  const up = await Promise.all([10000, 10001, 10002].map(listening));
  if (up.every(Boolean)) {
    log("Azurite is already listening on 10000-10002: using it (it serves a failover account only if started with AZURITE_ACCOUNTS)");
    return { stop: null, failover: null };
  }
  if (up.some(Boolean)) throw new Error("some of ports 10000-10002 are taken, but not by a whole Azurite: free them or start Azurite yourself");
  const az = await startAzurite({ location: join(root, ".lifeboat", "azurite"), ports: { blob: 10000, queue: 10001, table: 10002 }, extraAccounts: [FAILOVER_ACCOUNT] });
  log(`Azurite started in-process (blob ${az.blob}, queue ${az.queue}, table ${az.table}) with accounts devstoreaccount1 and ${FAILOVER_ACCOUNT.name}; data in .lifeboat/azurite`);
  return { stop: () => az.stop(), failover: azuriteConnectionString(az, FAILOVER_ACCOUNT.name, FAILOVER_ACCOUNT.key) };
}

/** Loads every compiled function module, exactly as package.json "main" tells the host. */
function loadFunctions(): readonly Registration[] {
  require(join(root, "dist", "src", "index.js"));
  const dir = join(root, "dist", "src", "functions");
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".js")).sort()) require(join(dir, f));
  return registeredFunctions();
}

async function main(): Promise<void> {
  const { file, values } = loadLocalSettings(root, process.env);
  for (const [k, v] of Object.entries(values)) process.env[k] = v;
  // The queue trigger's binding reads %LIFEBOAT_JOBS_QUEUE%: the host needs it set (the Bicep sets it in Azure).
  process.env.LIFEBOAT_JOBS_QUEUE ||= DEFAULTS.LIFEBOAT_JOBS_QUEUE;
  log(file ? `settings from ${file}` : "no local.settings.json: using the environment only");

  const azurite = await ensureAzurite();
  const stopAzurite = azurite.stop;
  const failoverSet = ["LIFEBOAT_FAILOVER", "LIFEBOAT_FAILOVER__tableServiceUri"].some((k) => (process.env[k] ?? "") !== "");
  if (!failoverSet && azurite.failover) {
    process.env.LIFEBOAT_FAILOVER = azurite.failover;
    log(`LIFEBOAT_FAILOVER was not set: the failover target is Azurite's account ${FAILOVER_ACCOUNT.name} (tables at http://127.0.0.1:10002/${FAILOVER_ACCOUNT.name}); try: curl -X POST localhost:${process.env.LIFEBOAT_PORT ?? "7071"}/api/failover -d '{"reason":"test","operator":"me"}'`);
  } else if (!failoverSet) {
    log("LIFEBOAT_FAILOVER is not set and Azurite was already running: failover and failback will refuse (set LIFEBOAT_FAILOVER to try them)");
  }
  const config = loadConfig(process.env);
  const seeded = await seedDemoData(createTableStore(config.source, "LIFEBOAT_SOURCE"));
  if (seeded.length > 0) log(`the source had no tables: seeded demo tables ${seeded.join(", ")}`);
  const blobs = createBlobSource(config.source, "LIFEBOAT_SOURCE");
  for (const c of new Set([...config.containers, ...config.configContainers])) {
    if (await seedDemoContainer(blobs, c)) log(`container ${c} did not exist: seeded it with demo configuration files`);
  }

  const registrations = loadFunctions();
  log(`functions: ${registrations.map((r) => r.name).join(", ")}`);
  const jobs = scheduleTimers(registrations, log);
  const stopWatching = watchBlobTriggers(registrations, process.env, log);
  const stopQueues = watchQueueTriggers(registrations, process.env, log, queueOptionsFromHostJson(join(root, "host.json")));
  const port = Number(process.env.LIFEBOAT_PORT ?? "7071");
  const server = await serveHttpFunctions(registrations, port, log);
  log(`HTTP functions on http://localhost:${port}/api/ (try: curl http://localhost:${port}/api/status)`);

  const first = registrations.find((r) => r.name === "incrementalBackup");
  if (first) {
    log("taking one backup now");
    await invokeTimer(first, log);
  }
  log("running; Ctrl+C to stop");

  const shutdown = async (): Promise<void> => {
    log("stopping");
    for (const j of jobs) j.stop();
    stopWatching();
    server.close();
    void stopQueues(); // running messages reappear after their lease, as when an instance stops
    await stopAzurite?.();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
}

main().catch((err: unknown) => {
  process.stderr.write(`lifeboat start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
