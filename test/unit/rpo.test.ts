import { describe, expect, it } from "vitest";
import { rpoStatus, type PointFacts } from "../../src/core/policy/rpo";

const NOW = new Date("2026-11-26T12:00:00.000Z");
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);
const MIN = 60_000;
const pt = (id: string, agoMs: number, tables: string[]): PointFacts => ({ id, time: ago(agoMs), tables });

describe("rpoStatus", () => {
  it("a table never backed up is outside the RPO, with nulls", () => {
    expect(rpoStatus([], ["Orders"], 15, NOW)).toEqual([
      { table: "Orders", lastPointId: null, lastPointTime: null, ageMinutes: null, withinRpo: false },
    ]);
    // Backed-up tables do not make an unrelated one healthy.
    const r = rpoStatus([pt("p1", MIN, ["Customers"])], ["Orders", "Customers"], 15, NOW);
    expect(r.map((x) => [x.table, x.withinRpo])).toEqual([
      ["Orders", false],
      ["Customers", true],
    ]);
  });

  it("a point exactly RPO minutes old is within the RPO", () => {
    const [r] = rpoStatus([pt("p1", 15 * MIN, ["T1"])], ["T1"], 15, NOW);
    expect(r).toEqual({
      table: "T1",
      lastPointId: "p1",
      lastPointTime: ago(15 * MIN).toISOString(),
      ageMinutes: 15,
      withinRpo: true,
    });
  });

  it("a point a whole 0.1 minute past the RPO is outside it", () => {
    const [r] = rpoStatus([pt("p1", 15 * MIN + 6_000, ["T1"])], ["T1"], 15, NOW);
    expect(r?.ageMinutes).toBe(15.1);
    expect(r?.withinRpo).toBe(false);
  });

  it("a point even one second past the RPO is outside it (the rounding of the shown age must not hide a breach)", () => {
    const [r] = rpoStatus([pt("p1", 15 * MIN + 1_000, ["T1"])], ["T1"], 15, NOW);
    expect(r?.withinRpo).toBe(false);
    const [r2] = rpoStatus([pt("p1", 15 * MIN + 5_999, ["T1"])], ["T1"], 15, NOW);
    expect(r2?.withinRpo).toBe(false);
  });

  it("ages are rounded down to 0.1 minute", () => {
    const [r] = rpoStatus([pt("p1", 5 * MIN + 5_999, ["T1"])], ["T1"], 15, NOW);
    expect(r?.ageMinutes).toBe(5);
    const [r2] = rpoStatus([pt("p1", 5 * MIN + 6_000, ["T1"])], ["T1"], 15, NOW);
    expect(r2?.ageMinutes).toBe(5.1);
    const [r3] = rpoStatus([pt("p1", 0, ["T1"])], ["T1"], 15, NOW);
    expect(r3).toMatchObject({ ageMinutes: 0, withinRpo: true });
  });

  it("uses the newest point holding each table, whatever the order of points", () => {
    const points = [pt("new-a", 2 * MIN, ["A"]), pt("old-ab", 30 * MIN, ["A", "B"]), pt("mid-b", 20 * MIN, ["B"])];
    for (const order of [points, [...points].reverse()]) {
      const r = rpoStatus(order, ["A", "B"], 15, NOW);
      expect(r.map((x) => [x.table, x.lastPointId, x.ageMinutes, x.withinRpo])).toEqual([
        ["A", "new-a", 2, true],
        ["B", "mid-b", 20, false],
      ]);
    }
  });

  it("keeps the configured order of tables", () => {
    const r = rpoStatus([pt("p", MIN, ["Zeta", "Alpha"])], ["Zeta", "Alpha"], 15, NOW);
    expect(r.map((x) => x.table)).toEqual(["Zeta", "Alpha"]);
  });

  it('"*": every table ever backed up, sorted; none when there are no points', () => {
    const r = rpoStatus([pt("p2", 20 * MIN, ["Zeta"]), pt("p1", MIN, ["Alpha", "Mid"])], "*", 15, NOW);
    expect(r.map((x) => [x.table, x.lastPointId, x.withinRpo])).toEqual([
      ["Alpha", "p1", true],
      ["Mid", "p1", true],
      ["Zeta", "p2", false],
    ]);
    expect(rpoStatus([], "*", 15, NOW)).toEqual([]);
  });

  it("a different RPO changes the verdict, not the age", () => {
    const points = [pt("p", 45 * MIN, ["T"])];
    expect(rpoStatus(points, ["T"], 60, NOW)[0]).toMatchObject({ ageMinutes: 45, withinRpo: true });
    expect(rpoStatus(points, ["T"], 30, NOW)[0]).toMatchObject({ ageMinutes: 45, withinRpo: false });
  });
});
