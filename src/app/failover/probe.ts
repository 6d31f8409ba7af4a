import { ensureErrorType } from "../../core/errors";
import { decideProbe, INITIAL_PROBE_STATE, standbyProbeError, type ProbeAction, type ProbeState } from "../../core/policy/failover-probe";
import { StateConflictError } from "../ports/EndpointState";
import { readEndpoint } from "./active-endpoint";
import { failover, type FailoverReport } from "./failover";
import type { FailoverContext } from "./ports";
import { runningSwitch } from "./switch-mark";

/** What one probe saw and did. */
export interface ProbeResult {
  /** `skipped`: another instance probed at the same moment (its state write won). */
  action: ProbeAction | "skipped";
  /** Why the primary failed the probe; null when it answered. */
  error: string | null;
  downMinutes: number;
  state: ProbeState;
  /** Failover is not configured or LIFEBOAT_AUTO_FAILOVER=off: the probe only alerts. */
  auto: boolean;
  /** The failover this probe ran, when it ran one. */
  failover?: FailoverReport;
  /** Why that failover failed, when it did (it is not retried for this outage: fail over by hand). */
  failoverError?: string;
}

/**
 * Probes the primary source account (lists its tables, one quick retry), remembers the
 * first failure of the current outage in the state table (ETag'd), and decides with
 * decideProbe: after LIFEBOAT_FAILOVER_AFTER_MINUTES of continuous failure it runs the
 * failover use case as `operator` when automatic failover is on (and failover is
 * configured), once per outage; never while a switch is in progress or the failover
 * account is active. A success resets the clock. Throws StoreError when the state table
 * cannot be used; a failover that fails is reported in the result, not thrown.
 */
export async function runPrimaryProbe(ctx: FailoverContext, opts: { operator: string; now?: () => Date }): Promise<ProbeResult> {
  const now = opts.now ?? (() => new Date());
  let error: string | null = null; // what the decision sees
  try {
    await ctx.failover.probe.listTables();
  } catch (err) {
    error = ensureErrorType(err).message;
  }
  // The standby acts only when the primary app is down too (split brain: both apps must not fail over).
  const app = ctx.failover.primaryApp;
  const appError = app ? await app.ping() : null;
  const sourceError = error;
  if (app) error = standbyProbeError(sourceError, appError);
  const at = now();
  const { state } = ctx.failover;
  const remembered = await state.read("probe");
  const active = (await readEndpoint(ctx)).value.account;
  const switching = (await runningSwitch(state, at)) !== null;
  const auto = ctx.failover.auto && ctx.failover.site !== null;
  const d = decideProbe({ state: remembered?.value ?? INITIAL_PROBE_STATE, error, now: at, afterMinutes: ctx.failover.afterMinutes, auto, active, switching });
  if (app) d.state.saw = { source: sourceError, primaryApp: appError };
  try {
    await state.write("probe", d.state, remembered?.etag ?? null);
  } catch (err) {
    if (err instanceof StateConflictError) return { action: "skipped", error, downMinutes: d.downMinutes, state: d.state, auto };
    throw err;
  }
  const result: ProbeResult = { action: d.action, error, downMinutes: d.downMinutes, state: d.state, auto };
  if (d.action !== "failover") return result;
  try {
    const reason = `automatic: the primary source failed every probe for ${Math.floor(d.downMinutes)} min (since ${d.state.firstFailureAt}): ${error ?? "?"}`;
    return { ...result, failover: await failover(ctx, { operator: opts.operator, reason: reason.slice(0, 500), now }) };
  } catch (err) {
    return { ...result, failoverError: ensureErrorType(err).message };
  }
}
