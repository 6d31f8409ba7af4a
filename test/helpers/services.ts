import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { inject } from "vitest";
import { loadConfig, type Config } from "../../src/config";
import { createServices, type Services } from "../../src/services";
import { uniqueContainer } from "./names";

/** Settings for a fresh repository on the test Azurite, as plain app settings. */
export function testSettings(tables: string[], extra: Record<string, string> = {}): Record<string, string> {
  const cs = inject("azurite");
  return {
    LIFEBOAT_SOURCE: cs,
    LIFEBOAT_BACKUP: cs,
    LIFEBOAT_TABLES: tables.join(","),
    LIFEBOAT_BACKUP_CONTAINER: uniqueContainer("repo"),
    LIFEBOAT_KEK: randomBytes(32).toString("base64"),
    LIFEBOAT_OVERLAP_SECONDS: "60",
    LIFEBOAT_CHUNK_ENTITIES: "100",
    // Each test gets its own audit chain, so chains and digests of parallel tests never mix.
    LIFEBOAT_AUDIT_TABLE: `Audit${randomBytes(5).toString("hex")}`,
    LIFEBOAT_AUDIT_CONTAINER: uniqueContainer("audit"),
    // And its own state (active endpoint, probe, RPO verdict) and job tables: a failover in one test never moves another's backups.
    LIFEBOAT_STATE_TABLE: `State${randomBytes(5).toString("hex")}`,
    LIFEBOAT_JOBS_TABLE: `Jobs${randomBytes(5).toString("hex")}`,
    ...extra,
  };
}

/** Wired services over the test Azurite with a fresh repository container. */
export function testServices(tables: string[], extra: Record<string, string> = {}): Services & { settings: Record<string, string>; config: Config } {
  const settings = testSettings(tables, extra);
  const config = loadConfig(settings);
  return { ...createServices(config), settings, config };
}

/** A TableClient on the test Azurite. */
export function tableOn(table: string): TableClient {
  return TableClient.fromConnectionString(inject("azurite"), table, { allowInsecureConnection: true });
}

/** Settings with their own jobs table and queue, so parallel test files never take each other's messages. */
export function jobSettings(tables: string[], extra: Record<string, string> = {}): Record<string, string> {
  return testSettings(tables, {
    AzureWebJobsStorage: inject("azurite"),
    LIFEBOAT_JOBS_TABLE: `Jobs${randomBytes(4).toString("hex")}`,
    LIFEBOAT_JOBS_QUEUE: `jobs-${randomBytes(4).toString("hex")}`,
    ...extra,
  });
}

