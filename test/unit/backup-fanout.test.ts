import { describe, expect, it } from "vitest";
import { claimable, fanoutId, taskBoundaries, type RangeResult, type RangeTaskRecord } from "../../src/core/jobs/backup-range";
import { fansOut, fullSegment, taskEntities } from "../../src/app/backup/fanout";
import { parseJobMessage } from "../../src/app/jobs/run-step";
import { ContentDigest } from "../../src/core/entity/content-digest";
import { makeRecords } from "../helpers/table-fixtures";
import type { TableSegment } from "../../src/format/manifest";

const file = (firstPk: string | undefined, records: number) => ({ path: `k-${firstPk}`, sha256: "0".repeat(64), bytes: 1, records, ...(firstPk !== undefined ? { firstPk } : {}) });

describe("range tasks of a fanned-out backup", () => {
  it("split at key files once a range holds a task's worth, never inside a partition, never out of order", () => {
    const files = [file("a", 400), file("b", 400), file("b", 400), file("c", 400), file(undefined, 400), file("d", 400), file("c", 400), file("e", 100)];
    // A range takes files until it holds 700; the next starts at the next file with a new, later first key.
    expect(taskBoundaries(files, 700)).toEqual({ boundaries: ["b", "d", "e"], expected: [800, 1200, 800, 100] });
    // A task's worth of at least a file: a range per distinct first key.
    expect(taskBoundaries(files, 1).boundaries).toEqual(["b", "c", "d", "e"]);
    // Nothing to split: one range, the whole table.
    expect(taskBoundaries(files, 10_000)).toEqual({ boundaries: [], expected: [2900] });
    expect(taskBoundaries([], 1)).toEqual({ boundaries: [], expected: [0] });
  });

  it("fan out only past the threshold, with the latest point's key files to split at; tasks are a fifth of the threshold", () => {
    const latest = (keyCount: number, keys = [file("a", keyCount / 2), file("m", keyCount / 2)]): TableSegment => ({ mode: "full", since: null, watermark: null, entities: keyCount, tombstones: 0, data: [], keys, keyCount, recent: [], contentDigest: null });
    const ports = { jobs: {} as never, queue: {} as never, entities: 1000, account: "primary" };
    expect(taskEntities(ports)).toBe(200);
    expect(taskEntities({ entities: 5_000_000 })).toBe(1_000_000);
    expect(fansOut(ports, latest(1000))).toBe(true);
    expect(fansOut(ports, latest(998))).toBe(false);
    expect(fansOut(ports, undefined)).toBe(false);
    expect(fansOut(undefined, latest(5000))).toBe(false);
    expect(fansOut({ ...ports, entities: 0 }, latest(5000))).toBe(false);
    // Key files from before their first keys were recorded: nothing to split at, so one process scans.
    expect(fansOut(ports, latest(5000, [file(undefined, 2500), file(undefined, 2500)]))).toBe(false);
  });

  it("are claimed when pending, or running without a heartbeat for the stale time", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    const t = (state: RangeTaskRecord["state"], agoMs: number) => ({ state, updatedAt: new Date(now.getTime() - agoMs).toISOString() }) as RangeTaskRecord;
    expect(claimable(t("pending", 0), now, 60_000)).toBe(true);
    expect(claimable(t("running", 59_999), now, 60_000)).toBe(false);
    expect(claimable(t("running", 60_000), now, 60_000)).toBe(true);
    for (const s of ["done", "failed", "abandoned"] as const) expect(claimable(t(s, 3_600_000), now, 60_000)).toBe(false);
  });

  it("travel on the jobs queue next to restore-job steps; anything else is not ours", () => {
    const id = fanoutId("20261130T010000000Z-fabc123", "Customers", "full");
    expect(id).toBe("b-20261130T010000000Z-fabc123-Customers-full");
    expect(parseJobMessage(JSON.stringify({ v: 1, step: "backup-range", fanout: id, range: "000003" }))).toEqual({ v: 1, step: "backup-range", fanout: id, range: "000003" });
    expect(parseJobMessage({ v: 1, step: "start", job: "r20261130t191800-a1b2c3" })).toMatchObject({ step: "start" });
    for (const bad of [{ v: 1, step: "backup-range", fanout: id }, { v: 1, step: "backup-range", fanout: id, range: "1", extra: 1 }, { v: 2, step: "backup-range", fanout: id, range: "1" }]) expect(parseJobMessage(bad)).toBeNull();
  });

  it("make one full segment: files in range order, counts summed, digests merged, the earliest start as the watermark", () => {
    const records = makeRecords(30, 1, 3);
    const whole = new ContentDigest();
    for (const r of records) whole.add(r);
    const part = (rs: typeof records, start: string, over: Partial<RangeResult> = {}): RangeResult => {
      const d = new ContentDigest();
      for (const r of rs) d.add(r);
      return { data: [file(rs[0]?.pk, rs.length)], keys: [file(rs[0]?.pk, rs.length)], csv: [file(rs[0]?.pk, rs.length)], entities: rs.length, digest: { hex: d.hex(), count: d.count }, scanStart: start, recent: [[`h${start}`, "e"]], ...over };
    };
    const parts = [part(records.slice(0, 10), "2026-11-30T01:00:02.000Z"), part(records.slice(10, 25), "2026-11-30T01:00:00.000Z"), part(records.slice(25), "2026-11-30T01:00:05.000Z")];
    const seg = fullSegment(parts);
    expect(seg).toMatchObject({ mode: "full", since: null, entities: 30, keyCount: 30, tombstones: 0, contentDigest: whole.hex() });
    expect(seg.watermark).toBe("2026-11-30T01:00:00.0000000Z");
    expect(seg.data.map((f) => f.records)).toEqual([10, 15, 5]);
    expect(seg.recent).toHaveLength(3);
    expect(seg.csv).toHaveLength(3);
    // A range whose recent rows did not fit drops them all (the next incremental stores a few duplicates); no CSV without every range's.
    const partial = fullSegment([parts[0]!, { ...parts[1]!, recent: null }, { ...parts[2]!, csv: undefined }]);
    expect(partial.recent).toEqual([]);
    expect(partial.csv).toBeUndefined();
  });
});
