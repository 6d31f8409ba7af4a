import { describe, expect, it } from "vitest";
import { AZURE, limits, renderModel, sizingModel } from "../../bench/model";

describe("the sizing model", () => {
  // A fast Lifeboat (10 µs/entity: 100k/s a core) is bound by the service; a slow one (200 µs: 5k/s) by its CPU.
  const fast = { backupUs: 10, incrementalUs: 10, restoreUs: 10 };
  const slow = { backupUs: 200, incrementalUs: 200, restoreUs: 200 };

  it("backs up at one stream's rate whatever the instances; restores fan out up to the account's limit", () => {
    const rows = sizingModel(fast).filter((r) => r.entities === 10_000_000);
    expect(new Set(rows.map((r) => r.fullBackupMinutes)).size).toBe(1);
    expect(rows[0]!.fullBackupMinutes).toBeCloseTo(10_000_000 / AZURE.streamEntitiesPerSecond / 60, 6);
    // Twice the table on the service side: changes by Timestamp, then the keys for deletions.
    expect(rows[0]!.incrementalMinutes).toBeCloseTo((2 * 10_000_000) / AZURE.streamEntitiesPerSecond / 60, 6);
    // Writes at the account's 20k/s plus one verifying stream, already with one fast instance.
    expect(rows[0]!.restoreMinutes).toBeCloseTo((10_000_000 / 20_000 + 10_000_000 / 20_000) / 60, 6);

    const s = sizingModel(slow).filter((r) => r.entities === 10_000_000);
    expect(s[0]!.fullBackupMinutes).toBeCloseTo(10_000_000 / 5_000 / 60, 6);
    // More instances write faster until the account limit: 1 → 5k/s, 4 → 20k/s, 16 → still 20k/s.
    expect(s.map((r) => Math.round((r.restoreMinutes - 10_000_000 / 5_000 / 60) * 60))).toEqual([2000, 500, 500]);
  });

  it("says where the RPO and RTO stop holding", () => {
    const l = limits(fast, 15, 120, 4);
    expect(l.rpoEntities).toBe(9_000_000); // 15 min × 20k/s ÷ 2 scans
    expect(l.rtoEntities).toBe(72_000_000); // 120 min ÷ (1/20k + 1/20k)
    expect(renderModel(slow)).toMatch(/the 15-minute RPO holds up to ~2\.3M entities/);
  });

  it("reads ranges at once up to the account's rate when one stream is slower than that", () => {
    // One stream at 5k/s: 1 range → 5k/s, 4 → the account's 20k/s, 16 → still 20k/s.
    const minutes = [1, 4, 16].map((scanConcurrency) => sizingModel(fast, { scanConcurrency, streamEntitiesPerSecond: 5_000 })[0]!.fullBackupMinutes);
    expect(minutes.map((m) => Math.round(m * 60))).toEqual([200, 50, 50]);
    expect(limits(fast, 15, 120, 1, { scanConcurrency: 1, streamEntitiesPerSecond: 5_000 }).rpoEntities).toBe(2_250_000);
    expect(renderModel(fast, 15, 120, { scanConcurrency: 8 })).toMatch(/8 range\(s\) read at once/);
  });

  it("spreads a big table's full and key scans over the instances (LIFEBOAT_FANOUT_ENTITIES), up to the account's rate", () => {
    // 5k/s a core: a 10M-entity table (past the 5M default) backs up 4× faster on 4 instances, then the account's 20k/s caps it.
    const big = sizingModel(slow).filter((r) => r.entities === 10_000_000);
    expect(big.map((r) => Math.round(r.fullBackupMinutes * 60))).toEqual([2000, 500, 500]);
    // The change scan stays on one instance; the key scan spreads.
    expect(big.map((r) => Math.round(r.incrementalMinutes * 60))).toEqual([4000, 2500, 2500]);
    // Under the threshold a backup runs on one instance whatever the count.
    const small = sizingModel(slow).filter((r) => r.entities === 1_000_000);
    expect(new Set(small.map((r) => r.fullBackupMinutes)).size).toBe(1);
    expect(sizingModel(slow, { fanoutEntities: 0 }).filter((r) => r.entities === 1_000_000)[1]!.fullBackupMinutes).toBeCloseTo(1_000_000 / 20_000 / 60, 6);

    // If a query page counts as one transaction, the streams and cores bound the scans and the fan-out moves the RPO line.
    const perPage = { scanAccountEntitiesPerSecond: Infinity };
    expect(limits(fast, 15, 120, 1, perPage).rpoEntities).toBe(36_000_000); // 900 s ÷ (2 ÷ 80k/s)
    expect(limits(fast, 15, 120, 16, perPage).rpoEntities).toBe(67_764_705); // 900 s ÷ (1/80k + 1/1.28M)
    expect(renderModel(fast)).toMatch(/if Azure counts a query page as one transaction instead, .* with 1, 4, 16 instances 1: ~36M, 4: ~\d+M, 16: ~68M entities per account/);
  });
});
