import { randomBytes } from "node:crypto";
import { LifeboatError, ValidationError } from "../../core/errors";
import type { EndpointRecord, Publication } from "../ports/EndpointState";
import type { TableStore } from "../ports/TableStore";
import type { FailoverContext } from "./ports";

/** Longest reason kept (it goes into the audit log, the state record and the secret). */
export const MAX_REASON = 500;

/** Checks the reason before anything runs. Throws ValidationError (field "reason"). */
export function checkReason(reason: unknown): string {
  if (typeof reason !== "string" || reason.trim() === "") throw new ValidationError("reason", "is required: why (an incident number, a drill)");
  if (reason.length > MAX_REASON) throw new ValidationError("reason", `must be at most ${MAX_REASON} characters`);
  return reason.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
}

/** A new failover id, sortable by time: `fo-20261130T201500Z-a1b2c3`. */
export function newFailoverId(now: Date, kind: "fo" | "fb" = "fo"): string {
  return `${kind}-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
}

/** A scratch-table prefix for a dry run: `Drill<hex>`, a valid table-name start. */
export function scratchPrefix(): string {
  return `Drill${randomBytes(3).toString("hex")}`;
}

/** Deletes a dry run's scratch tables (those starting with `prefix`); each failure is returned (the caller reports it), none thrown. */
export async function dropScratch(store: TableStore, prefix: string): Promise<string[]> {
  const failures: string[] = [];
  let tables: string[];
  try {
    tables = (await store.listTables()).filter((t) => t.startsWith(prefix));
  } catch (err) {
    return [`${prefix}*: cannot list the tables: ${err instanceof Error ? err.message : String(err)}`];
  }
  for (const t of tables) {
    try {
      await store.deleteTable(t);
    } catch (err) {
      failures.push(`${t}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return failures;
}

/**
 * Switches the active endpoint: the state record first (ETag'd against the version read
 * before the switch), then the Key Vault secret in each vault. When no vault could be
 * written at all, the state record is put back and LifeboatError FAILOVER.PUBLISH_FAILED
 * is thrown (applications would still read the old endpoint); a vault that failed while
 * another took it is reported in the publication. Throws StateConflictError when the
 * record changed since `previous` was read.
 */
export async function switchEndpoint(ctx: FailoverContext, to: EndpointRecord, previous: { value: EndpointRecord; etag: string | null }): Promise<Publication> {
  const { state, publisher } = ctx.failover;
  const etag = await state.write("endpoint", to, previous.etag);
  const publication = await publisher.publish({
    tableServiceUri: to.tableServiceUri,
    ...(to.blobServiceUri ? { blobServiceUri: to.blobServiceUri } : {}),
    since: to.since ?? new Date().toISOString(),
    reason: to.reason ?? "",
    failoverId: to.failoverId ?? "",
  });
  if (publication.written.length === 0 && publication.failed.length > 0) {
    if (previous.etag === null) await state.remove("endpoint", etag);
    else await state.write("endpoint", previous.value, etag);
    throw new LifeboatError(
      "FAILOVER.PUBLISH_FAILED",
      `the active endpoint could not be written to ${publisher.description} (${publication.failed.map((f) => `${f.where}: ${f.error}`).join("; ")}); the switch was undone, re-run it`,
    );
  }
  return publication;
}
