import { LifeboatError } from "../../core/errors";
import { reconcileEndpoint } from "../../core/policy/failover-probe";
import type { EndpointRecord, Versioned } from "../ports/EndpointState";
import type { FailoverContext, FailoverSite } from "./ports";

/**
 * The active endpoint record: what applications should use. When nothing was ever
 * switched, the primary source account's endpoints with `since` null. Holds no secret.
 * Throws StoreError when the state table cannot be read.
 */
export async function activeEndpoint(ctx: FailoverContext): Promise<EndpointRecord> {
  return (await readEndpoint(ctx)).value;
}

/**
 * The record with its ETag (null when never written), for a conditional switch. A newer
 * record published by the other app (the standby's failover while the primary region was
 * down, read from the Key Vault secret) wins over this app's own.
 */
export async function readEndpoint(ctx: FailoverContext): Promise<{ value: EndpointRecord; etag: string | null }> {
  const got: Versioned<EndpointRecord> | null = await ctx.failover.state.read("endpoint");
  const local = got ?? { value: { account: "primary" as const, ...ctx.failover.primary, since: null, reason: null, failoverId: null }, etag: null };
  const published = await ctx.failover.publisher.latest();
  return { value: reconcileEndpoint(local.value, published, ctx.failover.site?.endpoints.tableServiceUri ?? null), etag: local.etag };
}

/** The failover account, or CONFIG.MISSING naming LIFEBOAT_FAILOVER when it is not configured. */
export function failoverSite(ctx: FailoverContext): FailoverSite {
  if (!ctx.failover.site) {
    throw new LifeboatError(
      "CONFIG.MISSING",
      "failover is not configured: set LIFEBOAT_FAILOVER (a connection string) or LIFEBOAT_FAILOVER__tableServiceUri with a managed identity, naming the failover account",
    );
  }
  return ctx.failover.site;
}
