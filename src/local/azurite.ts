import { mkdirSync } from "node:fs";
import { join } from "node:path";
import BlobConfiguration from "azurite/dist/src/blob/BlobConfiguration";
import BlobServer from "azurite/dist/src/blob/BlobServer";
import QueueConfiguration from "azurite/dist/src/queue/QueueConfiguration";
import QueueServer from "azurite/dist/src/queue/QueueServer";
import TableConfiguration from "azurite/dist/src/table/TableConfiguration";
import TableServer from "azurite/dist/src/table/TableServer";

/** The well-known development account every Azurite instance accepts. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteEndpoints {
  blob: string;
  queue: string;
  table: string;
  /** A connection string covering all three services. */
  connectionString: string;
}

export interface RunningAzurite extends AzuriteEndpoints {
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /**
   * More accounts besides devstoreaccount1 (a failover account): Azurite reads them from
   * AZURITE_ACCOUNTS when its servers start, so this sets that variable (keeping the
   * well-known account) before starting them.
   */
  extraAccounts?: { name: string; key: string }[];
  /** Folder for persistent data; omitted means in-memory (tests, benchmarks). */
  location?: string;
  /** Ports to bind; 0 (the default) lets the OS pick free ones. */
  ports?: { blob: number; queue: number; table: number };
  host?: string;
}

/** Builds the connection string for Azurite endpoints (the well-known account, or another one it serves). */
export function azuriteConnectionString(e: Omit<AzuriteEndpoints, "connectionString">, account = AZURITE_ACCOUNT, key = AZURITE_KEY): string {
  return [
    "DefaultEndpointsProtocol=http",
    `AccountName=${account}`,
    `AccountKey=${key}`,
    `BlobEndpoint=${e.blob}/${account}`,
    `QueueEndpoint=${e.queue}/${account}`,
    `TableEndpoint=${e.table}/${account}`,
  ].join(";") + ";";
}

/**
 * Starts Azurite's blob, queue and table services in this process.
 * They skip the API-version check because current SDKs send a version newer than
 * this Azurite knows. Throws when a port is taken.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? "127.0.0.1";
  const ports = options.ports ?? { blob: 0, queue: 0, table: 0 };
  const loc = options.location;
  const memory = loc === undefined;
  if (loc) mkdirSync(loc, { recursive: true });
  if (options.extraAccounts && options.extraAccounts.length > 0) {
    process.env.AZURITE_ACCOUNTS = [{ name: AZURITE_ACCOUNT, key: AZURITE_KEY }, ...options.extraAccounts].map((a) => `${a.name}:${a.key}`).join(";");
  }
  const at = (name: string): string => (loc ? join(loc, name) : name);
  const blob = new BlobServer(new BlobConfiguration(
    host, ports.blob, undefined, at("__azurite_db_blob__.json"), at("__azurite_db_blob_extent__.json"),
    [{ locationId: "Default", locationPath: at("__blobstorage__"), maxConcurrency: 10 }],
    false, undefined, false, undefined, true, true, "", "", "", undefined, false, memory,
  ));
  const queue = new QueueServer(new QueueConfiguration(
    host, ports.queue, undefined, at("__azurite_db_queue__.json"), at("__azurite_db_queue_extent__.json"),
    [{ locationId: "Default", locationPath: at("__queuestorage__"), maxConcurrency: 10 }],
    false, undefined, false, undefined, true, true, "", "", "", undefined, false, memory,
  ));
  const table = new TableServer(new TableConfiguration(
    host, ports.table, undefined, at("__azurite_db_table__.json"),
    false, false, undefined, undefined, true, true, "", "", "", undefined, false, memory,
  ));
  const started: { close(): Promise<void> }[] = [];
  try {
    for (const s of [blob, queue, table]) {
      await s.start();
      started.push(s);
    }
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw err;
  }
  const endpoints = {
    blob: `http://${blob.getHttpServerAddress().replace(/^https?:\/\//, "")}`,
    queue: `http://${queue.getHttpServerAddress().replace(/^https?:\/\//, "")}`,
    table: `http://${table.getHttpServerAddress().replace(/^https?:\/\//, "")}`,
  };
  return {
    ...endpoints,
    connectionString: azuriteConnectionString(endpoints),
    async stop() {
      await Promise.allSettled([blob.close(), queue.close(), table.close()]);
    },
  };
}
