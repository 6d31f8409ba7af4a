import type { ScanOptions, TableStore } from "../ports/TableStore";
import type { EntityRecord } from "../../core/entity/record";
import type { PartitionRange } from "../../core/keys/partition-ranges";

export interface RangeScanOptions extends Omit<ScanOptions, "partitions"> {
  /** Ranges read at once (LIFEBOAT_SCAN_CONCURRENCY); 1 reads them one after another. */
  concurrency: number;
  /**
   * Pages asked for or read and not yet handed out, all ranges together (default: one per
   * range read at once); the range being consumed may add one. Bounds memory whatever the
   * table size (besides the page a store's scan may read ahead by itself).
   */
  maxAhead?: number;
}

interface RangeState {
  pages: EntityRecord[][];
  done: boolean;
  error?: unknown;
}

/**
 * Pages of a table read as PartitionKey ranges, several at once, and handed out **in range
 * order** (so in the service's key order when the ranges are contiguous and ascending, as
 * partitionRanges makes them): a consumer that needs sorted keys (the sorted-merge diff, key
 * files) gets them, while the service already serves the next ranges. Ranges ahead of the
 * one being consumed hold at most `maxAhead` pages between them, so memory stays bounded
 * whatever the table size. `onServiceTime` hears the first range's first response.
 * Throws the first error any range's scan throws (NotFoundError for a missing table); a
 * consumer that stops early stops every range's scan.
 */
export async function* scanRanges(store: TableStore, table: string, ranges: readonly PartitionRange[], options: RangeScanOptions): AsyncGenerator<EntityRecord[]> {
  const { concurrency, maxAhead: maxAheadOption, onServiceTime, ...scan } = options;
  if (ranges.length <= 1 || concurrency <= 1) {
    const list = ranges.length === 0 ? [{}] : ranges;
    for (let i = 0; i < list.length; i++) {
      yield* store.scan(table, { ...scan, ...partitionsOf(list[i]!), ...(i === 0 && onServiceTime ? { onServiceTime } : {}) });
    }
    return;
  }
  const maxAhead = maxAheadOption ?? concurrency;
  const states: RangeState[] = ranges.map(() => ({ pages: [], done: false }));
  let head = 0; // the range being consumed
  let started = 0;
  let pending = 0; // pages asked for or read and not yet handed out, all ranges together
  let stopped = false;
  let failure: { error: unknown } | undefined;
  // The consumer waits for a page of the head range; producers wait for room.
  let wakeConsumer: (() => void) | undefined;
  const roomWaiters = new Set<() => void>();
  const signalConsumer = (): void => {
    const w = wakeConsumer;
    wakeConsumer = undefined;
    w?.();
  };
  const signalRoom = (): void => {
    for (const w of [...roomWaiters]) w();
  };

  const waitForRoom = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const w = (): void => {
        roomWaiters.delete(w);
        resolve();
      };
      roomWaiters.add(w);
    });

  const produce = async (index: number): Promise<void> => {
    const state = states[index]!;
    const range = ranges[index]!;
    const pages = store.scan(table, { ...scan, ...partitionsOf(range), ...(index === 0 && onServiceTime ? { onServiceTime } : {}) })[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        // A page is asked for only when there is room: the head when its last page was taken,
        // the ranges after it while fewer than maxAhead pages are held or on their way.
        while (!stopped && (index === head ? state.pages.length > 0 : pending >= maxAhead)) await waitForRoom();
        if (stopped) return;
        pending++;
        const next = await pages.next();
        if (next.done) {
          finished = true;
          pending--;
          signalRoom();
          return;
        }
        state.pages.push(next.value);
        signalConsumer();
      }
    } catch (error) {
      finished = true;
      state.error = error;
      failure ??= { error };
    } finally {
      if (!finished) await pages.return?.().catch(() => undefined);
      state.done = true;
      signalConsumer();
    }
  };

  const running = new Set<Promise<void>>();
  const startMore = (): void => {
    while (!stopped && started < ranges.length && started < head + concurrency) {
      const p = produce(started++);
      running.add(p);
      void p.finally(() => running.delete(p));
    }
  };

  try {
    startMore();
    while (head < ranges.length) {
      if (failure) throw failure.error;
      const state = states[head]!;
      const page = state.pages.shift();
      if (page) {
        pending--;
        signalRoom();
        yield page;
        continue;
      }
      if (state.done) {
        if (state.error) throw state.error;
        head++;
        signalRoom();
        startMore();
        continue;
      }
      await new Promise<void>((resolve) => {
        wakeConsumer = resolve;
      });
    }
  } finally {
    stopped = true;
    signalRoom();
    await Promise.allSettled([...running]);
  }
}

/** Scan options for one range: none for the whole table. */
export function partitionsOf(range: PartitionRange): Pick<ScanOptions, "partitions"> {
  return range.from === undefined && range.before === undefined ? {} : { partitions: range };
}
