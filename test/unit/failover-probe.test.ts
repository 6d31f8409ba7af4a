import { describe, expect, it } from "vitest";
import { decideProbe, INITIAL_PROBE_STATE, reconcileEndpoint, standbyProbeError, type ProbeInput, type ProbeState } from "../../src/core/policy/failover-probe";

const t0 = Date.parse("2026-11-30T03:00:00Z");
const at = (min: number): Date => new Date(t0 + min * 60_000);

/** Runs a sequence of probes (minute, failing?) through decideProbe, carrying the state; returns each action. */
function run(steps: [number, boolean][], over: Partial<ProbeInput> = {}): { actions: string[]; state: ProbeState } {
  let state = INITIAL_PROBE_STATE;
  const actions: string[] = [];
  for (const [min, failing] of steps) {
    const d = decideProbe({ state, error: failing ? "connection refused" : null, now: at(min), afterMinutes: 10, auto: true, active: "primary", switching: false, ...over });
    state = d.state;
    actions.push(d.action);
  }
  return { actions, state };
}

describe("decideProbe: when the primary probe fails over", () => {
  it("after the configured minutes of continuous failure, and only once", () => {
    const { actions, state } = run([[0, true], [5, true], [9, true], [10, true], [11, true], [12, true]]);
    expect(actions).toEqual(["waiting", "waiting", "waiting", "failover", "already_triggered", "already_triggered"]);
    expect(state.firstFailureAt).toBe(at(0).toISOString());
    expect(state.failoverTriggeredAt).toBe(at(10).toISOString());
  });

  it("one blip never triggers it: a success resets the clock", () => {
    const { actions } = run([[0, true], [9, true], [9.5, false], [10, true], [19, true], [20, true]]);
    expect(actions).toEqual(["waiting", "waiting", "ok", "waiting", "waiting", "failover"]);
  });

  it("a success after a failover clears the outage, so a later outage may trigger again", () => {
    const { actions } = run([[0, true], [10, true], [11, false], [20, true], [30, true]]);
    expect(actions).toEqual(["waiting", "failover", "ok", "waiting", "failover"]);
  });

  it("with automatic failover off, alerts instead (every probe past the threshold)", () => {
    expect(run([[0, true], [10, true], [11, true]], { auto: false }).actions).toEqual(["waiting", "alert", "alert"]);
  });

  it("never while a switch is in progress or once the failover account is active", () => {
    expect(run([[0, true], [10, true]], { switching: true }).actions).toEqual(["in_progress", "in_progress"]);
    expect(run([[0, true], [30, true]], { active: "failover" }).actions).toEqual(["failed_over", "failed_over"]);
  });

  it("counts minutes from the first failure, and remembers the last error and times", () => {
    const d = decideProbe({ state: { ...INITIAL_PROBE_STATE, firstFailureAt: at(0).toISOString() }, error: "503", now: at(4.5), afterMinutes: 5, auto: true, active: "primary", switching: false });
    expect(d).toMatchObject({ action: "waiting", downMinutes: 4.5 });
    expect(d.state).toMatchObject({ lastError: "503", lastProbeAt: at(4.5).toISOString() });
    const ok = decideProbe({ state: d.state, error: null, now: at(5), afterMinutes: 5, auto: true, active: "primary", switching: false });
    expect(ok.state).toEqual({ firstFailureAt: null, lastProbeAt: at(5).toISOString(), lastSuccessAt: at(5).toISOString(), lastError: null, failoverTriggeredAt: null });
  });
});

describe("the standby's split-brain rules", () => {
  it("sees the primary down only when the source and the primary app both fail", () => {
    expect(standbyProbeError(null, null)).toBeNull();
    expect(standbyProbeError("refused", null)).toBeNull();
    expect(standbyProbeError(null, "503")).toBeNull();
    expect(standbyProbeError("refused", "503")).toBe("source: refused; primary app: 503");
  });

  it("takes the newest of its own record and the published one", () => {
    const fo = "https://stlbfo.table.core.windows.net";
    const src = "https://src.table.core.windows.net";
    const never = { account: "primary" as const, tableServiceUri: src, since: null, reason: null, failoverId: null };
    expect(reconcileEndpoint(never, null, fo)).toBe(never);
    // The standby failed over (published to the vaults); this app's own table never heard.
    const pub = { tableServiceUri: fo, since: "2026-12-01T10:00:00Z", reason: "automatic", failoverId: "fo-1" };
    expect(reconcileEndpoint(never, pub, fo)).toEqual({ account: "failover", tableServiceUri: fo, since: pub.since, reason: "automatic", failoverId: "fo-1" });
    // ... and failed back later: the published record names the primary again.
    const failed = { account: "failover" as const, tableServiceUri: fo, since: "2026-12-01T10:00:00Z", reason: "x", failoverId: "fo-1" };
    expect(reconcileEndpoint(failed, { tableServiceUri: src, since: "2026-12-02T10:00:00Z", reason: "back", failoverId: "fb-1" }, fo).account).toBe("primary");
    // Its own record is as new or newer: it wins.
    expect(reconcileEndpoint(failed, { ...pub }, fo)).toBe(failed);
  });
});
