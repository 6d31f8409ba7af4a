/** Service Timestamps, in the form the Table service compares them: ISO-8601 UTC with 7 fractional digits. */

/** A Date as the Table service writes Timestamps (`2026-11-26T13:45:00.1230000Z`). */
export function tableTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

/**
 * A service Timestamp with its fraction padded to 7 digits, so that two compare as
 * strings by value (Azurite writes milliseconds, Azure 100-ns ticks). Text that is not
 * such a timestamp comes back unchanged.
 */
export function canonicalTime(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(7, "0")}Z` : ts;
}

/** True when service Timestamp `ts` is at or after `since` (both as the service writes them). */
export function atOrAfter(ts: string, since: string): boolean {
  return canonicalTime(ts) >= canonicalTime(since);
}
