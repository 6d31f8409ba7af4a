import { describe, expect, it } from "vitest";
import { atOrAfter, canonicalTime, tableTime } from "../../src/core/entity/timestamp";

describe("service timestamps", () => {
  it("compare by value whatever their number of fractional digits", () => {
    expect(canonicalTime("2026-11-30T10:00:00.12Z")).toBe("2026-11-30T10:00:00.1200000Z");
    expect(canonicalTime("2026-11-30T10:00:00Z")).toBe("2026-11-30T10:00:00.0000000Z");
    expect(atOrAfter("2026-11-30T10:00:00.12Z", "2026-11-30T10:00:00.1230000Z")).toBe(false); // "Z" > "3" as text
    expect(atOrAfter("2026-11-30T10:00:00.123Z", "2026-11-30T10:00:00.1230000Z")).toBe(true);
    expect(atOrAfter("2026-11-30T10:00:01Z", "2026-11-30T10:00:00.9999999Z")).toBe(true);
    expect(atOrAfter("2026-11-30T09:59:59.9999999Z", "2026-11-30T10:00:00.0000000Z")).toBe(false);
  });

  it("a Date is written with 7 fractional digits", () => {
    expect(tableTime(new Date("2026-11-30T10:00:00.123Z"))).toBe("2026-11-30T10:00:00.1230000Z");
  });
});
