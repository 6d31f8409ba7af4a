import { ensureErrorType } from "../../core/errors";
import { activeEndpoint } from "./active-endpoint";
import type { FailoverContext } from "./ports";
import type { EndpointRecord } from "../ports/EndpointState";

/**
 * The context backups run on: after a failover, the failover account is the source (its
 * tables, its containers when it has a blob endpoint, and the settings summary naming
 * it, so the switch shows as a `settings.change` in the audit log), so that the RPO keeps
 * holding on the database applications now use. Without a failover account, or while
 * the primary is active, `ctx` as it is. When the state table cannot be read (the backup
 * account is down: backups then go degraded into the secondary), the primary, with a
 * note saying so. The backup functions and `lifeboat backup` call this before takeBackup.
 * `known`: the active endpoint record when the caller read it already (read here otherwise).
 * `account` says which source the context reads.
 */
export async function followActiveEndpoint<C extends FailoverContext>(ctx: C, known?: EndpointRecord): Promise<{ ctx: C; account: "primary" | "failover"; note?: string }> {
  const site = ctx.failover.site;
  if (!site) return { ctx, account: "primary" };
  let account: "primary" | "failover";
  try {
    account = (known ?? (await activeEndpoint(ctx))).account;
  } catch (err) {
    return { ctx, account: "primary", note: `cannot read the active endpoint (${ensureErrorType(err).message}): backing up the primary source` };
  }
  if (account !== "failover") return { ctx, account };
  const { blobs: _primaryBlobs, ...rest } = ctx;
  const followed = { ...rest, source: site.tables, ...(site.blobs ? { blobs: site.blobs } : {}), settingsSummary: site.settingsSummary } as C;
  return { ctx: followed, account, note: `the failover account is the active endpoint: backing up ${site.endpoints.tableServiceUri}` };
}
