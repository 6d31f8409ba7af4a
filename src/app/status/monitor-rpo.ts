import type { AppContext } from "../context";
import type { EndpointState } from "../ports/EndpointState";
import { StateConflictError } from "../ports/EndpointState";
import { ensureErrorType } from "../../core/errors";
import { checkRpo, type RpoCheck } from "./check-rpo";

export interface RpoMonitorResult {
  /** The check, or null when the repository could not be read (which counts as a breach). */
  check: RpoCheck | null;
  /** What is late, or why it cannot be known; null when the RPO holds. */
  breach: string | null;
  /** What was audited this time: the start of a breach, its end, or nothing (no change). */
  audited: "rpo.breach" | "rpo.recovered" | null;
}

/**
 * The RPO monitor's run: checks every table against the RPO (not being able to read the
 * repository is a breach too) and audits each change of verdict once: `rpo.breach`
 * (failed, naming what is late) when a breach starts, `rpo.recovered` when it ends. The
 * verdict is kept in the state table, written only after its audit entry (a lost write
 * repeats an entry rather than losing one). Throws when the audit log or the state table
 * cannot be written.
 */
export async function monitorRpo(ctx: Pick<AppContext, "repo" | "secondary" | "config" | "audit"> & { failover: { state: EndpointState } }, operator: string, now: () => Date = () => new Date()): Promise<RpoMonitorResult> {
  let check: RpoCheck | null = null;
  let breach: string | null;
  try {
    check = await checkRpo(ctx, now);
    breach = check.breach;
  } catch (err) {
    breach = `cannot read the repository: ${ensureErrorType(err).message}`;
  }
  const state = ctx.failover.state;
  const prev = await state.read("rpo");
  const was = prev?.value.breached ?? false;
  const breached = breach !== null;
  if (was === breached) return { check, breach, audited: null };
  const action = breached ? "rpo.breach" : "rpo.recovered";
  await ctx.audit.record({
    operator,
    action,
    target: { rpoMinutes: String(ctx.config.rpoMinutes) },
    outcome: breached ? "failed" : "succeeded",
    error: breach,
    details: breached ? { late: breach } : { breachSince: prev?.value.since ?? null, oldestMinutes: check?.oldestMinutes ?? null },
  });
  try {
    await state.write("rpo", { breached, since: now().toISOString(), detail: breach ?? "" }, prev?.etag ?? null);
  } catch (err) {
    // Another monitor recorded the same change first: its entry and ours say the same.
    if (!(err instanceof StateConflictError)) throw err;
  }
  return { check, breach, audited: action };
}
