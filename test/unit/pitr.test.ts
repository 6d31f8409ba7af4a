import { describe, expect, it } from "vitest";
import { choosePointAt, parseInstant, type PointRef } from "../../src/core/policy/pitr";

const t = (iso: string): Date => new Date(iso);
const p = (id: string, iso: string): PointRef => ({ id, time: t(iso) });

describe("choosePointAt", () => {
  const points = [
    p("b", "2026-11-26T02:00:00.000Z"),
    p("a", "2026-11-26T01:00:00.000Z"), // unsorted on purpose
    p("c", "2026-11-26T03:00:00.000Z"),
  ];

  it("picks a point taken exactly at the instant (the boundary is inclusive)", () => {
    expect(choosePointAt(points, t("2026-11-26T02:00:00.000Z"))).toEqual({ ok: true, id: "b" });
    expect(choosePointAt(points, t("2026-11-26T01:00:00.000Z"))).toEqual({ ok: true, id: "a" });
    expect(choosePointAt(points, t("2026-11-26T03:00:00.000Z"))).toEqual({ ok: true, id: "c" });
  });

  it("one millisecond before a point picks the one before it", () => {
    expect(choosePointAt(points, t("2026-11-26T01:59:59.999Z"))).toEqual({ ok: true, id: "a" });
    expect(choosePointAt(points, t("2026-11-26T02:00:00.001Z"))).toEqual({ ok: true, id: "b" });
  });

  it("after the last point picks the last point, whatever the input order", () => {
    expect(choosePointAt(points, t("2030-01-01T00:00:00Z"))).toEqual({ ok: true, id: "c" });
    expect(choosePointAt([...points].reverse(), t("2030-01-01T00:00:00Z"))).toEqual({ ok: true, id: "c" });
  });

  it("two points at the same millisecond: the larger id wins, whatever the order", () => {
    const tied = [p("x2", "2026-11-26T01:00:00Z"), p("x1", "2026-11-26T01:00:00Z")];
    expect(choosePointAt(tied, t("2026-11-26T01:00:00Z"))).toEqual({ ok: true, id: "x2" });
    expect(choosePointAt([...tied].reverse(), t("2026-11-26T01:00:00Z"))).toEqual({ ok: true, id: "x2" });
  });

  it("before the first point: not ok, the reason names the instant and the earliest point", () => {
    const r = choosePointAt(points, t("2026-11-26T00:59:59.999Z"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toContain("no restore point at or before 2026-11-26T00:59:59.999Z");
    expect(r.reason).toContain("a");
    expect(r.reason).toContain("2026-11-26T01:00:00.000Z");
  });

  it("no points at all: not ok, says the repository has none yet", () => {
    const r = choosePointAt([], t("2026-11-26T00:00:00Z"));
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/no restore points yet/) });
  });
});

describe("parseInstant", () => {
  it("accepts UTC with Z, with or without seconds", () => {
    expect(parseInstant("2026-11-26T03:00:00Z")?.toISOString()).toBe("2026-11-26T03:00:00.000Z");
    expect(parseInstant("2026-11-26T03:00Z")?.toISOString()).toBe("2026-11-26T03:00:00.000Z");
    expect(parseInstant("  2026-11-26T03:00:00Z \n")?.toISOString()).toBe("2026-11-26T03:00:00.000Z");
  });

  it("applies a time zone offset", () => {
    expect(parseInstant("2026-11-26T03:00:00+02:00")?.toISOString()).toBe("2026-11-26T01:00:00.000Z");
    expect(parseInstant("2026-11-26T03:00:00-05:30")?.toISOString()).toBe("2026-11-26T08:30:00.000Z");
    expect(parseInstant("2026-11-26T01:00:00+02:00")?.toISOString()).toBe("2026-11-25T23:00:00.000Z");
    expect(parseInstant("2026-11-26T03:00:00+00:00")?.getTime()).toBe(parseInstant("2026-11-26T03:00:00Z")?.getTime());
  });

  it("keeps milliseconds and truncates finer digits (never rounds up past a point)", () => {
    expect(parseInstant("2026-11-26T03:00:00.5Z")?.toISOString()).toBe("2026-11-26T03:00:00.500Z");
    expect(parseInstant("2026-11-26T03:00:00.123Z")?.toISOString()).toBe("2026-11-26T03:00:00.123Z");
    expect(parseInstant("2026-11-26T03:00:00.1234567Z")?.toISOString()).toBe("2026-11-26T03:00:00.123Z");
    expect(parseInstant("2026-11-26T03:00:00.9999999Z")?.toISOString()).toBe("2026-11-26T03:00:00.999Z");
    expect(parseInstant("2026-11-26T03:00:00.123456789+02:00")?.toISOString()).toBe("2026-11-26T01:00:00.123Z");
  });

  it("a fractional instant at a point's exact millisecond still picks that point", () => {
    const at = parseInstant("2026-11-26T02:00:00.0009999Z");
    expect(at).not.toBeNull();
    expect(choosePointAt([p("a", "2026-11-26T01:00:00Z"), p("b", "2026-11-26T02:00:00.000Z")], at!)).toEqual({ ok: true, id: "b" });
  });

  it.each([
    "",
    "   ",
    "not-a-time",
    "now",
    "yesterday",
    "1732590000",
    "2026-11-26",
    "2026-11-26T03:00:00", // no zone: ambiguous
    "2026-11-26 03:00:00Z",
    "26/11/2026 03:00Z",
    "2026-11-26T03:00:00+0200",
    "2026-11-26T03:00:00 Z",
    "2026-11-26T03:00:00.Z",
    "2026-11-26T3:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-11-32T00:00:00Z",
    "2026-11-26T25:00:00Z",
    "2026-11-26T03:60:00Z",
    "2026-11-26T03:00:00ZZ",
    "2026-11-26T03:00:00Z; DROP TABLE",
  ])("rejects %j", (text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it.each([
    "2026-02-30T00:00:00Z", // 30 February
    "2026-02-29T00:00:00Z", // 2026 is not a leap year
    "2026-04-31T12:00:00Z", // 31 April
    "2026-11-26T03:00:00+25:00",
    "2026-11-26T03:00:00+02:60",
  ])("rejects the impossible date/offset %j instead of rolling it over to another instant", (text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it("accepts 29 February in a leap year", () => {
    expect(parseInstant("2028-02-29T00:00:00Z")?.toISOString()).toBe("2028-02-29T00:00:00.000Z");
  });
});
