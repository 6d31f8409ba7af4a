/**
 * The primary probe's decision, as a pure function of what it remembers, what it saw
 * and the time: fail over only after `afterMinutes` of continuous failure, never for a
 * blip (a success resets the clock), and at most once per outage.
 */

/** What the probe remembers between runs (in the state table). Times are ISO-8601. */
export interface ProbeState {
  /** The first failure of the current run of failures; null while the primary answers. */
  firstFailureAt: string | null;
  lastProbeAt: string | null;
  lastSuccessAt: string | null;
  /** Why the last probe failed (a message without secrets). */
  lastError: string | null;
  /** When this outage already triggered a failover (never twice for one outage). */
  failoverTriggeredAt: string | null;
  /** The standby's last probe: what it saw of the primary source and of the primary app (null: answered). */
  saw?: { source: string | null; primaryApp: string | null };
}

export const INITIAL_PROBE_STATE: ProbeState = { firstFailureAt: null, lastProbeAt: null, lastSuccessAt: null, lastError: null, failoverTriggeredAt: null };

/**
 * - `ok`: the primary answered (the clock is reset);
 * - `waiting`: failing, not for long enough yet;
 * - `failover`: failing for `afterMinutes`: run the failover now;
 * - `alert`: failing for `afterMinutes` with automatic failover off: log primary_down;
 * - `already_triggered`: this outage already started a failover;
 * - `in_progress`: a failover or failback is running;
 * - `failed_over`: the failover account is active already.
 */
export type ProbeAction = "ok" | "waiting" | "failover" | "alert" | "already_triggered" | "in_progress" | "failed_over";

export interface ProbeInput {
  state: ProbeState;
  /** The probe's outcome: null when the primary answered, else why it failed. */
  error: string | null;
  now: Date;
  afterMinutes: number;
  auto: boolean;
  /** Which account is active now. */
  active: "primary" | "failover";
  /** A failover or failback holds the switch (not stale). */
  switching: boolean;
}

export interface ProbeDecision {
  state: ProbeState;
  action: ProbeAction;
  /** Minutes the primary has been failing (0 when it answered). */
  downMinutes: number;
}

/** Decides what the probe does now and what it remembers. Never throws. */
export function decideProbe(input: ProbeInput): ProbeDecision {
  const now = input.now.toISOString();
  if (input.error === null) {
    return { state: { ...input.state, firstFailureAt: null, lastProbeAt: now, lastSuccessAt: now, lastError: null, failoverTriggeredAt: null }, action: "ok", downMinutes: 0 };
  }
  const first = input.state.firstFailureAt ?? now;
  const downMinutes = Math.max(0, (input.now.getTime() - Date.parse(first)) / 60_000);
  const state: ProbeState = { ...input.state, firstFailureAt: first, lastProbeAt: now, lastError: input.error };
  const due = downMinutes >= input.afterMinutes;
  if (input.active === "failover") return { state, action: "failed_over", downMinutes };
  if (input.switching) return { state, action: "in_progress", downMinutes };
  if (!due) return { state, action: "waiting", downMinutes };
  if (!input.auto) return { state, action: "alert", downMinutes };
  if (state.failoverTriggeredAt !== null) return { state, action: "already_triggered", downMinutes };
  return { state: { ...state, failoverTriggeredAt: now }, action: "failover", downMinutes };
}

/**
 * The standby's split-brain rule: the primary is down only when the primary source AND
 * the primary app fail. While the primary app answers, it is the one to act (it probes the
 * source itself), so the standby sees no failure and its clock stays reset. Never throws.
 */
export function standbyProbeError(sourceError: string | null, primaryAppError: string | null): string | null {
  if (sourceError === null || primaryAppError === null) return null;
  return `source: ${sourceError}; primary app: ${primaryAppError}`;
}

/**
 * The active endpoint from this app's record and the newest published one (the Key Vault
 * secret both apps write): the other app may have switched, so the newer `since` wins,
 * its account told by its table endpoint. The result keeps this app's shape. Never throws.
 */
export function reconcileEndpoint<R extends { account: "primary" | "failover"; tableServiceUri: string; blobServiceUri?: string; since: string | null; reason: string | null; failoverId: string | null }>(
  local: R,
  published: { tableServiceUri: string; blobServiceUri?: string; since: string; reason: string; failoverId: string } | null,
  failoverTableUri: string | null,
): R {
  if (!published || (local.since !== null && local.since >= published.since)) return local;
  const account = failoverTableUri !== null && published.tableServiceUri === failoverTableUri ? "failover" : "primary";
  const { blobServiceUri: _b, ...rest } = local;
  return { ...rest, account, tableServiceUri: published.tableServiceUri, ...(published.blobServiceUri ? { blobServiceUri: published.blobServiceUri } : {}), since: published.since, reason: published.reason, failoverId: published.failoverId } as R;
}
