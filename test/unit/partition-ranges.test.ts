import { describe, expect, it } from "vitest";
import { fileBoundaries, partitionRanges } from "../../src/core/keys/partition-ranges";

describe("partition ranges for a parallel verification scan", () => {
  it("cover the key space once: open ends, equal neighbours merged, out-of-order boundaries dropped", () => {
    expect(partitionRanges([])).toEqual([{}]);
    expect(partitionRanges(["p05"])).toEqual([{ before: "p05" }, { from: "p05" }]);
    expect(partitionRanges(["p00", "p00", "p10", "p20"])).toEqual([{ before: "p00" }, { from: "p00", before: "p10" }, { from: "p10", before: "p20" }, { from: "p20" }]);
    // A boundary not after the last kept one would make ranges overlap: it is left out.
    expect(partitionRanges(["p10", "p05", "p20"])).toEqual([{ before: "p10" }, { from: "p10", before: "p20" }, { from: "p20" }]);
    expect(partitionRanges(["", "a"])).toEqual([{ before: "a" }, { from: "a" }]);
  });

  it("take boundaries from the files' first keys where the manifest has them", () => {
    expect(fileBoundaries([{ firstPk: "a" }, {}, { firstPk: "m" }])).toEqual(["a", "m"]);
    expect(fileBoundaries([])).toEqual([]);
  });
});
