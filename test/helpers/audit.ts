import { TableClient, type TableEntityResult } from "@azure/data-tables";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { inject } from "vitest";
import type { Auditor, AuditEntry } from "../../src/app/audit";
import { loadConfig, type Config } from "../../src/config";
import { rowKeyOf } from "../../src/core/audit/chain";
import { createAuditor, createServices, type Services } from "../../src/services";
import { uniqueContainer, uniqueTable } from "./names";
import { testSettings } from "./services";

/** A raw table row. */
export type Row = Record<string, unknown>;

/** Services with a fresh audit log, and raw clients on its table and digest container (for tampering). */
export interface AuditSetup {
  settings: Record<string, string>;
  config: Config;
  services: Services;
  auditor: Auditor;
  table: TableClient;
  container: ContainerClient;
}

/** Services over the test Azurite with a fresh audit table and digest container; `now` injects a clock. */
export function auditSetup(now?: () => Date): AuditSetup {
  const settings = testSettings(["Unused"], { LIFEBOAT_AUDIT_TABLE: uniqueTable("Audit"), LIFEBOAT_AUDIT_CONTAINER: uniqueContainer("audit") });
  const config = loadConfig(settings);
  const services = createServices(config);
  return {
    settings,
    config,
    services,
    auditor: now ? createAuditor(config, services.keys, now) : services.audit,
    table: TableClient.fromConnectionString(inject("azurite"), config.auditTable, { allowInsecureConnection: true }),
    container: BlobServiceClient.fromConnectionString(inject("azurite")).getContainerClient(config.auditContainer),
  };
}

/** Every entry, in chain order. */
export async function allEntries(auditor: Auditor): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of auditor.entries()) out.push(e);
  return out;
}

/** Every raw row of a table (entries, heads, the genesis row). */
export async function rawRows(table: TableClient): Promise<TableEntityResult<Row>[]> {
  const out: TableEntityResult<Row>[] = [];
  for await (const e of table.listEntities<Row>()) out.push(e);
  return out;
}

/** The raw row of entry `seq`, whatever its partition. */
export async function entryRow(table: TableClient, seq: number): Promise<TableEntityResult<Row>> {
  const found = (await rawRows(table)).find((r) => r.rowKey === rowKeyOf(seq));
  if (!found) throw new Error(`no row for seq ${seq}`);
  return found;
}

/** `n` entries (a digest after every 5th), then a final digest. */
export async function seedAudit(auditor: Auditor, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await auditor.record({ operator: "cli:test", action: "backup.incremental", target: { tables: ["T1"] }, outcome: "succeeded", durationMs: i, details: { i } });
    if (i % 5 === 0) await auditor.writeDigest();
  }
  await auditor.writeDigest();
}
