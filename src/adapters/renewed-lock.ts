import type { Lock } from "../app/ports/BackupStore";

/**
 * A held lock that renews itself every `everyMs` until released. `renew` failing marks
 * the lock lost when `lostError` is given (assertHeld then throws it); without it a
 * failed renewal is ignored (the holder stays until the process dies). `release` runs
 * once; its failure is swallowed (an expired lock needs no release).
 */
export function renewedLock(opts: {
  everyMs: number;
  renew: () => Promise<unknown>;
  release: () => Promise<unknown>;
  lostError?: (cause: unknown) => Error;
}): Lock {
  let lost: unknown;
  let released = false;
  const timer = setInterval(() => {
    opts.renew().catch((err: unknown) => {
      if (opts.lostError) lost ??= err;
    });
  }, opts.everyMs);
  timer.unref();
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await opts.release().catch(() => undefined);
    },
    assertHeld() {
      if (lost !== undefined && opts.lostError) throw opts.lostError(lost);
    },
  };
}
