import type { FailoverContext } from "./ports";

/**
 * On the standby (LIFEBOAT_ROLE=standby), the scheduled backups and config exports are the
 * primary app's while it answers: the reason to leave this run to it, or null to go ahead
 * (this is the primary app, or the primary app is down and the RPO is the standby's to
 * keep). Never throws.
 */
export async function standbyDefers(ctx: FailoverContext): Promise<string | null> {
  const app = ctx.failover.primaryApp;
  if (!app) return null;
  const down = await app.ping();
  return down === null ? `standby: the primary app at ${app.url} answers and takes the backups` : null;
}
