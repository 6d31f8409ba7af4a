import { LifeboatError } from "../../core/errors";
import { StateConflictError, type EndpointState, type SwitchMark } from "../ports/EndpointState";

/** A mark older than this is from a run that died (a crash, a killed instance): a new switch may take it over. */
export const STALE_SWITCH_MS = 3 * 60 * 60 * 1000;

/** A held switch: release it when done. */
export interface HeldSwitch {
  mark: SwitchMark;
  release(): Promise<void>;
}

/** The mark when one is held and not stale, else null. */
export async function runningSwitch(state: EndpointState, now: Date): Promise<SwitchMark | null> {
  const got = await state.read("switch");
  if (!got) return null;
  return now.getTime() - Date.parse(got.value.startedAt) < STALE_SWITCH_MS ? got.value : null;
}

/**
 * Marks a failover or failback as in progress, with an ETag'd write, before anything is
 * changed: of two concurrent switches exactly one gets the mark. A mark older than
 * STALE_SWITCH_MS is taken over. Throws LifeboatError FAILOVER.IN_PROGRESS (409) naming
 * the running one.
 */
export async function acquireSwitch(state: EndpointState, mark: SwitchMark, now: Date): Promise<HeldSwitch> {
  const current = await state.read("switch");
  if (current && now.getTime() - Date.parse(current.value.startedAt) < STALE_SWITCH_MS) throw inProgress(current.value);
  let etag: string;
  try {
    etag = await state.write("switch", mark, current?.etag ?? null);
  } catch (err) {
    if (!(err instanceof StateConflictError)) throw err;
    const winner = await state.read("switch");
    throw inProgress(winner?.value);
  }
  return {
    mark,
    release: async () => {
      try {
        await state.remove("switch", etag);
      } catch (err) {
        // Taken over as stale meanwhile: the mark is no longer ours to remove.
        if (!(err instanceof StateConflictError)) throw err;
      }
    },
  };
}

function inProgress(mark: SwitchMark | undefined): LifeboatError {
  return new LifeboatError(
    "FAILOVER.IN_PROGRESS",
    mark
      ? `a ${mark.kind} (${mark.failoverId}) by ${mark.operator} is in progress since ${mark.startedAt}; wait for it to end (a mark older than ${STALE_SWITCH_MS / 3_600_000} h is taken over)`
      : "another failover or failback started at the same moment",
  );
}

/**
 * Releases a held switch without hiding how the switch itself ended: a release that
 * fails is said (the mark then blocks new switches until it is stale) and not thrown.
 */
export async function releaseQuietly(held: HeldSwitch | null, say?: (line: string) => void): Promise<void> {
  if (!held) return;
  try {
    await held.release();
  } catch (err) {
    say?.(`warning: the in-progress mark of ${held.mark.failoverId} could not be removed (${err instanceof Error ? err.message : String(err)}); new switches are refused until it is ${STALE_SWITCH_MS / 3_600_000} h old`);
  }
}
