import { ContentDigest } from "../../core/entity/content-digest";
import { partitionRanges, type PartitionRange } from "../../core/keys/partition-ranges";
import { eachAtOnce } from "../each-at-once";
import { partitionsOf } from "../tables/range-scan";
import { IntegrityError } from "../../core/errors";
import type { RejectedEntity } from "../../core/entity/rejected";
import type { TableStore } from "../ports/TableStore";
import { ProgressMeter, type ProgressSink } from "../progress";
import { keyOfWrite, type RejectedWrite } from "../tables/table-writer";

export type { RejectedEntity };

/** A refused write as the report and the audit entry name it. */
export function rejectedEntity(table: string, target: string, r: RejectedWrite): RejectedEntity {
  const k = keyOfWrite(r.write);
  return {
    table,
    target,
    partitionKey: k.pk,
    rowKey: k.rk,
    write: r.write.kind,
    status: r.status,
    ...(r.serviceCode ? { serviceCode: r.serviceCode } : {}),
    ...(r.property ? { property: r.property } : {}),
    reason: r.reason,
  };
}

/** What the service refused to write, as the verification needs it: the refused upserts' digest, the refused deletes' keys. */
export interface Refused {
  upserts: ContentDigest;
  deletes: { pk: string; rk: string }[];
}

/** The refused writes of a restore, summed for the verification (no entity value kept beyond its digest). */
export function refusedOf(rejected: readonly RejectedWrite[]): Refused {
  const upserts = new ContentDigest();
  const deletes: { pk: string; rk: string }[] = [];
  for (const r of rejected) {
    if (r.write.kind === "upsert") upserts.add(r.write.record);
    else deletes.push(r.write.key);
  }
  return { upserts, deletes };
}

/**
 * Scans the target and checks it holds exactly what the backup says (`expected`), except
 * for the writes the service refused: each refused upsert missing, each refused delete
 * still there. Throws IntegrityError when anything else differs (something wrote to the
 * target during the restore, or the data did not add up).
 */
export async function verifyTarget(input: {
  store: TableStore;
  table: string;
  target: string;
  expected: ContentDigest;
  refused: Refused;
  progress: ProgressSink;
  /** PartitionKeys splitting the table into ranges read at once, in the service's key order (the first key of each full data file); none: one scan. */
  boundaries?: readonly string[];
  /** Ranges read at once (LIFEBOAT_SCAN_CONCURRENCY). */
  concurrency?: number;
}): Promise<void> {
  const { store, table, target, expected, refused } = input;
  const meter = new ProgressMeter(input.progress, "verify", target, { total: expected.count });
  const actual = await scanDigest(store, target, partitionRanges(input.boundaries ?? []), input.concurrency ?? 1, meter);
  meter.done();
  // actual + what was not written = expected + what could not be deleted.
  const left = new ContentDigest();
  left.merge(actual);
  left.merge(refused.upserts);
  const right = new ContentDigest();
  right.merge(expected);
  for (const key of refused.deletes) {
    const still = await store.read(target, key);
    if (still) right.add(still);
  }
  const n = refused.upserts.count + refused.deletes.length;
  if (!left.equals(right)) {
    const besides = n > 0 ? ` besides the ${n} write(s) the service refused` : "";
    throw new IntegrityError(
      `restore of ${table} into ${target} did not verify: the target holds ${actual.count} entities (digest ${actual.hex().slice(0, 12)}…), ` +
        `the backup ${expected.count} (digest ${expected.hex().slice(0, 12)}…)${besides}. Was something writing to ${target} during the restore?`,
      { table, target, expectedCount: expected.count, actualCount: actual.count },
    );
  }
}

/** The content digest of a table, its ranges scanned `concurrency` at a time (digests of disjoint sets add up). */
async function scanDigest(store: TableStore, target: string, ranges: readonly PartitionRange[], concurrency: number, meter: ProgressMeter): Promise<ContentDigest> {
  const total = new ContentDigest();
  await eachAtOnce(ranges, concurrency, async (range) => {
    const d = new ContentDigest();
    for await (const page of store.scan(target, partitionsOf(range))) {
      for (const r of page) d.add(r);
      meter.add(page.length, 0);
    }
    total.merge(d);
  });
  return total;
}
