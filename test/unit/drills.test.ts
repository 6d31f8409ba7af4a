import { describe, expect, it } from "vitest";
import { isOverdue, judge, projectRtoMinutes, schedule, type DrillStep } from "../../src/core/drills/drill";
import { drillReportHtml, escapeHtml } from "../../src/core/drills/report-html";

const step = (outcome: DrillStep["outcome"], name = "restore test"): DrillStep => ({ name, outcome, detail: `${name} ${outcome}`, durationMs: 1 });
const objectives = { rpoMinutes: 15, rtoMinutes: 120 };

describe("drill rules", () => {
  it("judges a drill: failed beats everything, not available is never passed, a missed objective is at risk", () => {
    expect(judge([step("passed"), step("failed", "b")], {}, objectives)).toEqual({ outcome: "failed", reasons: ["b: b failed"] });
    expect(judge([step("not available")], {}, objectives).outcome).toBe("not available");
    expect(judge([step("passed"), step("not available", "csv")], {}, objectives).outcome).toBe("passed");
    expect(judge([step("passed")], { projectedRtoMinutes: 121 }, objectives)).toEqual({ outcome: "at risk", reasons: ["a full restore of today's data would take 121 min at the measured rate, over the RTO of 120 min"] });
    expect(judge([step("passed")], { projectedRtoMinutes: 3, observedRpoMinutes: 16 }, objectives).reasons).toEqual(["the newest point was 16 min old, over the RPO of 15 min"]);
    expect(judge([step("passed")], { timeToStandbyMinutes: 200 }, objectives).outcome).toBe("at risk");
    expect(judge([step("passed")], { projectedRtoMinutes: 119.9, observedRpoMinutes: 14 }, objectives).outcome).toBe("passed");
  });

  it("projects the RTO from the measured rates and the data's size", () => {
    expect(projectRtoMinutes({ entities: 6_000_000, containerBytes: 0 }, { entitiesPerSecond: 1000 })).toBe(100);
    expect(projectRtoMinutes({ entities: 60_000, containerBytes: 600_000_000 }, { entitiesPerSecond: 1000, containerBytesPerSecond: 10_000_000 })).toBe(2);
    expect(projectRtoMinutes({ entities: 10, containerBytes: 0 }, {})).toBeUndefined();
    expect(projectRtoMinutes({ entities: 0, containerBytes: 0 }, { entitiesPerSecond: 5 })).toBeUndefined();
  });

  it("knows a schedule's last and next run, and when a run was missed", () => {
    const now = new Date("2026-12-05T12:00:00Z");
    expect(schedule("0 0 3 1 * *", now)).toEqual({ previous: new Date("2026-12-01T03:00:00Z"), next: new Date("2027-01-01T03:00:00Z") });
    expect(isOverdue("0 0 3 1 * *", null, now)).toBe(true);
    expect(isOverdue("0 0 3 1 * *", new Date("2026-12-01T03:00:05Z"), now)).toBe(false);
    expect(isOverdue("0 0 3 1 * *", new Date("2026-11-01T03:00:05Z"), now)).toBe(true);
    // Within the grace after the scheduled time: the run may still be going.
    expect(isOverdue("0 0 3 1 * *", null, new Date("2026-12-01T04:00:00Z"))).toBe(false);
    // Before Lifeboat protected anything, nothing was missed.
    expect(isOverdue("0 0 3 1 * *", null, now, new Date("2026-12-03T00:00:00Z"))).toBe(false);
  });

  it("renders a report page that escapes what it shows and loads nothing", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const html = drillReportHtml({
      id: "20261201T030000123Z-restore-test-a1b2c3",
      kind: "restore-test",
      operator: "timer:<script>",
      startedAt: "2026-12-01T03:00:00.123Z",
      finishedAt: "2026-12-01T03:01:00.000Z",
      outcome: "at risk",
      reasons: ["slow <b>"],
      objectives,
      figures: { projectedRtoMinutes: 130, entitiesPerSecond: 800 },
      steps: [step("passed")],
      manualSteps: [],
      runbook: "docs/runbook.md",
    });
    expect(html).not.toMatch(/<script|<b>|https?:\/\//);
    expect(html).toContain("timer:&lt;script&gt;");
    expect(html).toContain("130 min (objective 120 min)");
  });
});
