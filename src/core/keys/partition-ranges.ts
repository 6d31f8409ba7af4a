/** PartitionKey ranges that split a table for scans read at once. Pure. */

/** Partitions in [from, before): either end open when absent. */
export interface PartitionRange {
  from?: string;
  before?: string;
}

/**
 * The PartitionKey ranges between boundaries given in the service's key order (equal
 * neighbours merged): [start, b1), [b1, b2), …, [bn, end). Together they cover every key
 * exactly once, whatever the table holds. A boundary out of order is dropped (its range
 * would overlap another).
 */
export function partitionRanges(boundaries: readonly string[]): PartitionRange[] {
  const bounds: string[] = [];
  for (const b of boundaries) if (b !== "" && (bounds.length === 0 || b > bounds[bounds.length - 1]!)) bounds.push(b);
  const ranges: PartitionRange[] = [];
  for (let i = 0; i <= bounds.length; i++) ranges.push({ ...(i > 0 ? { from: bounds[i - 1]! } : {}), ...(i < bounds.length ? { before: bounds[i]! } : {}) });
  return ranges;
}

/**
 * Boundaries from the files a scan wrote in key order (a segment's key files, a full's data
 * files): each file's first PartitionKey, where the manifest records it. Files written before
 * Lifeboat recorded it give none (fewer ranges, never a wrong one).
 */
export function fileBoundaries(files: readonly { firstPk?: string | undefined }[]): string[] {
  const out: string[] = [];
  for (const f of files) if (f.firstPk !== undefined) out.push(f.firstPk);
  return out;
}
