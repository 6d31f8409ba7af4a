import { LifeboatError } from "../../core/errors";
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

/** The record with its ETag (null when never written), for a conditional switch. */
export async function readEndpoint(ctx: FailoverContext): Promise<{ value: EndpointRecord; etag: string | null }> {
  const got: Versioned<EndpointRecord> | null = await ctx.failover.state.read("endpoint");
  if (got) return got;
  return { value: { account: "primary", ...ctx.failover.primary, since: null, reason: null, failoverId: null }, etag: null };
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
