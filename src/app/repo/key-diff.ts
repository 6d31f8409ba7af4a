import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import { readKeys } from "./files";
import { KeyLog } from "../../core/keys/key-log";
import { ascending, KeysOutOfOrder, missingFrom, union } from "../../core/keys/key-merge";
import { KeyStates } from "../../core/keys/key-states";
import type { EntityKey } from "../../core/entity/record";
import type { FileRef } from "../../format/manifest";

/**
 * How a key diff ran. "sorted merge" streams every input once and holds only what differs
 * (memory grows with the deletions, not with the table). "key set" is the fallback for
 * inputs that were not in ascending key order (a service that does not sort, or a collation
 * other than UTF-16 code units): it holds every key of one side (~36 bytes a key, off heap).
 */
export type DiffMethod = "sorted merge" | "key set";

export interface DiffResult {
  keys: KeyLog;
  method: DiffMethod;
  /** Why the fallback ran: which input was out of order (no key values: they are customer data). */
  reason?: string;
}

export interface RemovedKeysInput {
  repo: BackupStore;
  keys: KeyProvider;
  /** The previous point's key files: the table's keys then. */
  previous: readonly FileRef[];
  /** Keys the change scan met (they may have been deleted before the key scan). */
  changed: KeyLog;
  /** This point's key files, just written by the key scan: the table's keys now. */
  current: readonly FileRef[];
  /** How many keys `current` holds (sizes the fallback's key set). */
  currentCount: number;
}

/**
 * The keys an incremental must store tombstones for: in the previous point or met by the
 * change scan, and missing from the key scan. Each key once. Throws what reading the
 * repository throws; nothing is written.
 */
export async function removedKeys(input: RemovedKeysInput): Promise<DiffResult> {
  const { repo, keys } = input;
  const merged = await whenSorted(() =>
    missingFrom(
      union(ascending(readKeys(repo, keys, input.previous), "previous point's keys"), ascending(input.changed, "change scan")),
      ascending(readKeys(repo, keys, input.current), "key scan"),
    ),
  );
  if (merged instanceof KeyLog) return { keys: merged, method: "sorted merge" };

  const current = new KeyStates(input.currentCount);
  for await (const k of readKeys(repo, keys, input.current)) current.add(k.pk, k.rk, 1);
  const removed = new KeyLog();
  const seen = new KeyStates();
  const consider = (k: EntityKey): void => {
    if (current.get(k.pk, k.rk) === 0 && seen.add(k.pk, k.rk, 1) === 0) removed.add(k);
  };
  for await (const k of readKeys(repo, keys, input.previous)) consider(k);
  for (const k of input.changed) consider(k);
  return { keys: removed, method: "key set", reason: merged.message };
}

/** A key's state in a restore's seen-set (KeyStates). */
export const ALIVE = 1;
export const DELETED = 2;

export interface StrayKeysInput {
  repo: BackupStore;
  keys: KeyProvider;
  /** The target's keys, from a fresh keys-only scan each call. */
  target: () => AsyncIterable<EntityKey>;
  /** States of the keys the point's incrementals hold (newest record wins). */
  changes: KeyStates;
  /** The key files of the point's full segment: every key the full holds. */
  full: readonly FileRef[];
}

/**
 * The target's keys that the restore point does not hold: deleted by an incremental, or
 * neither alive in an incremental nor in the full. Throws what reading throws; deletes
 * nothing (the caller does, once the whole list is known). The key-set fallback adds the
 * full's keys to `changes`.
 */
export async function strayKeys(input: StrayKeysInput): Promise<DiffResult> {
  const { repo, keys, changes } = input;
  const merged = await whenSorted(() => {
    const deleted = new KeyLog();
    async function* unsettled(): AsyncGenerator<EntityKey> {
      for await (const k of ascending(input.target(), "target scan")) {
        const state = changes.get(k.pk, k.rk);
        if (state === 0) yield k;
        else if (state === DELETED) deleted.add(k);
      }
    }
    return (async function* () {
      yield* missingFrom(unsettled(), ascending(readKeys(repo, keys, input.full), "full's keys"));
      yield* deleted;
    })();
  });
  if (merged instanceof KeyLog) return { keys: merged, method: "sorted merge" };

  for await (const k of readKeys(repo, keys, input.full)) changes.add(k.pk, k.rk, ALIVE);
  const stray = new KeyLog();
  for await (const k of input.target()) if (changes.get(k.pk, k.rk) !== ALIVE) stray.add(k);
  return { keys: stray, method: "key set", reason: merged.message };
}

/** Runs a merge to the end into a KeyLog; the KeysOutOfOrder error when an input was out of order. */
async function whenSorted(merge: () => AsyncIterable<EntityKey>): Promise<KeyLog | KeysOutOfOrder> {
  const out = new KeyLog();
  try {
    for await (const k of merge()) out.add(k);
    return out;
  } catch (err) {
    if (err instanceof KeysOutOfOrder) return err;
    throw err;
  }
}

/**
 * The keys of `candidates` that `captured` does not hold, each once: for an incremental,
 * the entities the key scan found written since the change scan's filter time that the
 * change scan never met (written after it passed them). A sorted merge when both are in
 * ascending order, else a key set of the candidates (they are few: the recent writes).
 * Throws only what reading throws (nothing here reads the repository).
 */
export async function uncapturedKeys(candidates: KeyLog, captured: KeyLog): Promise<DiffResult> {
  const merged = await whenSorted(() => missingFrom(ascending(candidates, "recent keys"), ascending(captured, "change scan")));
  if (merged instanceof KeyLog) return { keys: merged, method: "sorted merge" };

  const capturedSet = new KeyStates();
  for (const k of captured) capturedSet.add(k.pk, k.rk, 1);
  const out = new KeyLog();
  const seen = new KeyStates();
  for (const k of candidates) if (capturedSet.get(k.pk, k.rk) === 0 && seen.add(k.pk, k.rk, 1) === 0) out.add(k);
  return { keys: out, method: "key set", reason: merged.message };
}
