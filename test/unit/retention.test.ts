import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETENTION,
  isoWeek,
  planRetention,
  tierExpiry,
  type Decision,
  type ExportInfo,
  type PointInfo,
  type RetentionPlan,
  type RetentionPolicy,
  type Tier,
} from "../../src/core/policy/retention";
import { isPointId, newPointId } from "../../src/format/manifest";

const DAY = 86_400_000;

/** Six stable hex digits from a seed (FNV-1a), so ids look real and never collide by accident. */
function hex6(seed: string): string {
  let h = 0x811c9dc5;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0").slice(0, 6);
}

/** A realistic point id for a time: `20261126T134500123Z-f1a2b3c`. */
const idAt = (kind: "full" | "incremental", iso: string): string => newPointId(kind, new Date(iso), hex6(`${kind}@${iso}`));

/**
 * A point row: label, kind (F = full, I = incremental), time, parent. The parent is a
 * label, null, or "missing:<time>" for an incremental that is not in the listing.
 */
type Row = [label: string, kind: "F" | "I", time: string, parent: string | null];

interface Listing {
  points: PointInfo[];
  id: (label: string) => string;
}

function listing(rows: readonly Row[]): Listing {
  const ids = new Map<string, string>();
  for (const [label, kind, time] of rows) ids.set(label, idAt(kind === "F" ? "full" : "incremental", time));
  const id = (label: string): string => {
    const v = ids.get(label);
    if (v === undefined) throw new Error(`test bug: no point labelled ${label}`);
    return v;
  };
  const parentId = (p: string | null): string | null => (p === null ? null : p.startsWith("missing:") ? idAt("incremental", p.slice(8)) : id(p));
  const points = rows.map(([label, kind, time, parent]): PointInfo => ({
    id: id(label),
    kind: kind === "F" ? "full" : "incremental",
    time: new Date(time),
    parent: parentId(parent),
    readable: true,
  }));
  return { points, id };
}

function okPlan(plan: RetentionPlan): Extract<RetentionPlan, { ok: true }> {
  if (!plan.ok) throw new Error(`expected a plan, got a refusal: ${plan.reason}`);
  return plan;
}

/** Properties every plan must have, whatever the case. */
function checkInvariants(points: readonly PointInfo[], decisions: readonly Decision[], policy: RetentionPolicy, now: Date): void {
  expect(decisions.map((d) => d.id).sort()).toEqual(points.map((p) => p.id).sort());
  const byId = new Map(points.map((p) => [p.id, p]));
  const decided = new Map(decisions.map((d) => [d.id, d]));
  for (const d of decisions) {
    expect(d.reason.length).toBeGreaterThan(0);
    const p = byId.get(d.id)!;
    // A removed point is never something a kept point needs (the parent of every kept
    // incremental is kept, so by induction its whole chain is).
    if (d.keep && p.kind === "incremental" && p.parent !== null && byId.has(p.parent)) {
      if (!decided.get(p.parent)!.keep) expect.fail(`${p.parent} is removed but kept ${d.id} needs it`);
    }
    // The deletable instant is never before the tier's own expiry.
    if (d.expiresAt !== null) expect(d.expiresAt.getTime()).toBeGreaterThanOrEqual(tierExpiry(d.tier, p.time, policy).getTime());
    // A removed point's tier window has passed.
    if (!d.keep) expect(d.expiresAt!.getTime()).toBeLessThanOrEqual(now.getTime() + DAY);
  }
}

interface Case {
  name: string;
  rows: Row[];
  now: string;
  policy?: RetentionPolicy;
  keep: string[];
  remove: string[];
  tiers?: Record<string, Tier>;
  /** Substrings of the reason; "{label}" stands for that point's id. */
  reasons?: Record<string, string[]>;
  /** Expected expiresAt per label (ISO), or null. */
  expires?: Record<string, string | null>;
}

/**
 * Every 15 minutes a day: a full at midnight and 96 incrementals at hh:07:30, hh:22:30, …
 * each on the one before. On a day whose full failed, the chain goes on from the day before.
 */
function busyDays(firstDay: string, days: number, until: string, fullFails: (day: number) => boolean = () => false): Row[] {
  const rows: Row[] = [];
  const end = new Date(until).getTime();
  let prev: string | null = null;
  for (let d = 0; d < days; d++) {
    const midnight = new Date(firstDay).getTime() + d * DAY;
    if (!fullFails(d) || prev === null) {
      rows.push([`F${d}`, "F", new Date(midnight).toISOString(), null]);
      prev = `F${d}`;
    }
    for (let k = 0; k < 96; k++) {
      const t = midnight + 7.5 * 60_000 + k * 15 * 60_000;
      if (t > end) break;
      rows.push([`I${d}.${k}`, "I", new Date(t).toISOString(), prev]);
      prev = `I${d}.${k}`;
    }
  }
  return rows;
}

const busy = busyDays("2026-11-01T00:00:00.000Z", 10, "2026-11-10T12:00:00.000Z");
const busyLabels = busy.map((r) => r[0]);
const busyIncOf = (day: number): string[] => busyLabels.filter((l) => l.startsWith(`I${day}.`));

const cases: Case[] = [
  {
    name: "month end: the last instant of November and the first of December are different days",
    rows: [
      ["nov30", "F", "2026-11-30T23:59:59.999Z", null], // Monday, 2026-W49
      ["dec01", "F", "2026-12-01T00:00:00.000Z", null],
      ["dec01b", "F", "2026-12-01T06:00:00.000Z", null], // second full of the day
      ["dec09", "F", "2026-12-09T01:00:00.000Z", null], // Wednesday, first of 2026-W50
    ],
    now: "2026-12-10T00:00:00.000Z",
    keep: ["nov30", "dec01", "dec09"],
    remove: ["dec01b"],
    tiers: { nov30: "weekly", dec01: "daily", dec01b: "incremental", dec09: "weekly" },
    reasons: {
      nov30: ["weekly of 2026-W49, kept until 2027-05-31 (26 weeks)"],
      dec01: ["daily of 2026-12-01, kept until 2026-12-31 (30 days)"],
      dec01b: ["not the first full of 2026-12-01", "older than 7 days"],
      dec09: ["newest full point", "weekly of 2026-W50"],
    },
  },
  {
    name: "year end inside ISO week 53: 2026-12-31 and 2027-01-01 share 2026-W53, 2027-01-04 starts 2027-W01",
    // 2026 starts on a Thursday, so it has 53 ISO weeks: 2026-W53 is Mon 2026-12-28 … Sun 2027-01-03
    // (checked against GNU `date +%G-W%V` and Python's isocalendar()).
    rows: [
      ["dec24", "F", "2026-12-24T01:00:00.000Z", null], // Thu, 2026-W52 (first listed)
      ["dec25", "F", "2026-12-25T01:00:00.000Z", null],
      ["dec31", "F", "2026-12-31T23:00:00.000Z", null], // Thu, first listed of 2026-W53
      ["jan01", "F", "2027-01-01T01:00:00.000Z", null], // Fri, still 2026-W53
      ["jan03", "F", "2027-01-03T01:00:00.000Z", null], // Sun, still 2026-W53
      ["jan04", "F", "2027-01-04T01:00:00.000Z", null], // Mon, 2027-W01
      ["jan05", "F", "2027-01-05T01:00:00.000Z", null],
    ],
    now: "2027-01-05T12:00:00.000Z",
    policy: { incrementalDays: 1, dailyDays: 3, weeklyWeeks: 2 },
    keep: ["dec24", "dec31", "jan03", "jan04", "jan05"],
    remove: ["dec25", "jan01"],
    tiers: { dec24: "weekly", dec25: "daily", dec31: "weekly", jan01: "daily", jan03: "daily", jan04: "weekly", jan05: "daily" },
    reasons: {
      dec31: ["weekly of 2026-W53, kept until 2027-01-14 (2 weeks)"],
      jan01: ["daily of 2027-01-01 older than 3 days"],
      jan04: ["weekly of 2027-W01"],
      dec24: ["weekly of 2026-W52"],
    },
  },
  {
    name: "gaps of missing days: the first daily of a week is its weekly even on a Thursday",
    rows: [
      ["nov02", "F", "2026-11-02T01:00:00.000Z", null], // Mon, 2026-W45
      ["nov03", "F", "2026-11-03T01:00:00.000Z", null],
      // nothing 2026-11-04 … 2026-11-11
      ["nov12", "F", "2026-11-12T01:00:00.000Z", null], // Thu, first of 2026-W46
      ["nov13", "F", "2026-11-13T01:00:00.000Z", null],
      // nothing in 2026-W47 or W48
      ["dec03", "F", "2026-12-03T01:00:00.000Z", null],
    ],
    now: "2026-12-03T12:00:00.000Z",
    keep: ["nov02", "nov12", "nov13", "dec03"],
    remove: ["nov03"],
    tiers: { nov02: "weekly", nov03: "daily", nov12: "weekly", nov13: "daily", dec03: "weekly" },
    reasons: { nov03: ["daily of 2026-11-03 older than 30 days"], nov12: ["weekly of 2026-W46"] },
  },
  {
    name: "the clock exactly at midnight: a point at 00:00:00.000 is the new day's, a point at now is not in the future",
    rows: [
      ["oct26", "F", "2026-10-26T01:00:00.000Z", null], // Mon, 2026-W44
      ["oct31", "F", "2026-10-31T23:59:59.999Z", null], // 30 days + 1 ms old
      ["nov01", "F", "2026-11-01T00:00:00.000Z", null], // exactly 30 days old
      ["nov30", "F", "2026-11-30T00:00:00.000Z", null], // Mon, 2026-W49
      ["nov30i", "I", "2026-11-30T23:59:59.999Z", "nov30"],
      ["dec01i", "I", "2026-12-01T00:00:00.000Z", "nov30i"], // taken at now; no full on Dec 1 (yet)
    ],
    now: "2026-12-01T00:00:00.000Z",
    keep: ["oct26", "nov01", "nov30", "nov30i", "dec01i"],
    remove: ["oct31"],
    tiers: { oct26: "weekly", oct31: "daily", nov01: "daily", nov30: "weekly", nov30i: "incremental", dec01i: "daily" },
    reasons: {
      nov01: ["daily of 2026-11-01, kept until 2026-12-01 (30 days)"],
      dec01i: ["daily of 2026-12-01", "no full point that day"],
      nov30i: ["incremental, kept until 2026-12-07 (7 days); needed by {dec01i}"],
    },
    expires: { nov01: "2026-12-01T00:00:00.000Z", oct31: "2026-11-30T23:59:59.999Z", nov30i: "2026-12-31T00:00:00.000Z" }, // held for dec01i
  },
  {
    name: "96 incrementals + a full a day: 7 days of incrementals, and the morning of the oldest day they need",
    rows: busy,
    now: "2026-11-10T12:00:00.000Z",
    // now - 7 days = 2026-11-03T12:00: I2.48 (12:07:30) on is kept by its tier, and needs I2.0 … I2.47.
    keep: [...busyLabels.filter((l) => l.startsWith("F")), ...[2, 3, 4, 5, 6, 7, 8, 9].flatMap(busyIncOf)],
    remove: [...busyIncOf(0), ...busyIncOf(1)],
    tiers: { F0: "weekly", F1: "weekly", F2: "daily", "I2.0": "incremental", "I2.95": "incremental" },
    reasons: {
      "I2.47": ["needed by {I2.95}", "on its own: incremental older than 7 days"],
      "I2.48": ["incremental, kept until 2026-11-10 (7 days)"],
      "I1.95": ["incremental older than 7 days"],
      F9: ["newest full point"],
    },
    expires: { "I2.47": "2026-11-11T23:52:30.000Z", "I2.95": "2026-11-11T23:52:30.000Z", "I2.48": "2026-11-11T23:52:30.000Z" }, // held for I2.95
  },
  {
    name: "a failed full: the day's first restorable incremental is its daily, and keeps yesterday's full and chain",
    rows: [
      ["mon", "F", "2026-11-02T01:00:00.000Z", null],
      ["tue", "F", "2026-11-03T01:00:00.000Z", null],
      ["tue.a", "I", "2026-11-03T06:00:00.000Z", "tue"],
      ["tue.b", "I", "2026-11-03T12:00:00.000Z", "tue.a"],
      ["tue.c", "I", "2026-11-03T23:00:00.000Z", "tue.b"],
      // Wednesday's full failed.
      ["wed.a", "I", "2026-11-04T06:00:00.000Z", "tue.c"],
      ["wed.b", "I", "2026-11-04T12:00:00.000Z", "wed.a"],
      ["thu", "F", "2026-11-05T01:00:00.000Z", null],
      ["dec03", "F", "2026-12-03T01:00:00.000Z", null],
    ],
    // Tuesday's full is 30 days + 2 h old: gone as a daily, kept for Wednesday's daily.
    now: "2026-12-03T03:00:00.000Z",
    keep: ["mon", "tue", "tue.a", "tue.b", "tue.c", "wed.a", "thu", "dec03"],
    remove: ["wed.b"],
    tiers: { mon: "weekly", tue: "daily", "tue.c": "incremental", "wed.a": "daily", "wed.b": "incremental", thu: "daily" },
    reasons: {
      "wed.a": ["daily of 2026-11-04 (no full point that day: its first restorable point), kept until 2026-12-04 (30 days)"],
      tue: ["needed by {wed.a}", "on its own: daily of 2026-11-03 older than 30 days"],
      "tue.a": ["needed by {wed.a}"],
    },
    expires: { tue: "2026-12-04T06:00:00.000Z", "tue.c": "2026-12-04T06:00:00.000Z", "wed.a": "2026-12-04T06:00:00.000Z" },
  },
  {
    name: "boundary: an incremental exactly 7 days old is kept",
    rows: [
      ["f", "F", "2026-11-23T00:00:00.000Z", null],
      ["i", "I", "2026-11-23T12:00:00.000Z", "f"],
      ["newest", "F", "2026-11-30T01:00:00.000Z", null],
    ],
    now: "2026-11-30T12:00:00.000Z",
    keep: ["f", "i", "newest"],
    remove: [],
    expires: { i: "2026-12-01T12:00:00.000Z" }, // a day beyond the tier: immutability
  },
  {
    name: "boundary: an incremental 7 days + 1 ms old is removed (deletable a day later)",
    rows: [
      ["f", "F", "2026-11-23T00:00:00.000Z", null],
      ["i", "I", "2026-11-23T12:00:00.000Z", "f"],
      ["newest", "F", "2026-11-30T01:00:00.000Z", null],
    ],
    now: "2026-11-30T12:00:00.001Z",
    keep: ["f", "newest"],
    remove: ["i"],
    reasons: { i: ["incremental older than 7 days"] },
    expires: { i: "2026-12-01T12:00:00.000Z" },
  },
  {
    name: "boundary: a daily exactly 30 days old is kept",
    rows: [
      ["mon", "F", "2026-11-02T01:00:00.000Z", null],
      ["d", "F", "2026-11-03T12:00:00.000Z", null],
      ["newest", "F", "2026-12-03T01:00:00.000Z", null],
    ],
    now: "2026-12-03T12:00:00.000Z",
    keep: ["mon", "d", "newest"],
    remove: [],
    expires: { d: "2026-12-03T12:00:00.000Z" },
  },
  {
    name: "boundary: a daily 30 days + 1 ms old is removed",
    rows: [
      ["mon", "F", "2026-11-02T01:00:00.000Z", null],
      ["d", "F", "2026-11-03T12:00:00.000Z", null],
      ["newest", "F", "2026-12-03T01:00:00.000Z", null],
    ],
    now: "2026-12-03T12:00:00.001Z",
    keep: ["mon", "newest"],
    remove: ["d"],
  },
  {
    name: "boundary: a weekly exactly 182 days (26 weeks) old is kept",
    rows: [
      ["w", "F", "2026-06-01T12:00:00.000Z", null], // Mon, 2026-W23
      ["newest", "F", "2026-11-30T01:00:00.000Z", null],
    ],
    now: "2026-11-30T12:00:00.000Z",
    keep: ["w", "newest"],
    remove: [],
    tiers: { w: "weekly" },
    expires: { w: "2026-11-30T12:00:00.000Z" },
  },
  {
    name: "boundary: a weekly 182 days + 1 ms old is removed",
    rows: [
      ["w", "F", "2026-06-01T12:00:00.000Z", null],
      ["newest", "F", "2026-11-30T01:00:00.000Z", null],
    ],
    now: "2026-11-30T12:00:00.001Z",
    keep: ["newest"],
    remove: ["w"],
    reasons: { w: ["weekly of 2026-W23 older than 26 weeks"] },
  },
  {
    name: "the newest full point is kept though older than every tier",
    rows: [
      ["sun", "F", "2025-01-05T01:00:00.000Z", null], // 2025-W01
      ["old", "F", "2025-01-06T01:00:00.000Z", null], // 2025-W02
      ["old.i", "I", "2025-01-06T02:00:00.000Z", "old"],
    ],
    now: "2026-11-30T12:00:00.000Z",
    keep: ["old"],
    remove: ["sun", "old.i"],
    reasons: { old: ["newest full point, kept whatever its age (weekly of 2025-W02 older than 26 weeks)"] },
    expires: { old: null },
  },
  {
    name: "dependencies of a kept incremental are kept, whatever their own tier",
    rows: [
      ["fri", "F", "2026-11-20T01:00:00.000Z", null],
      ["fri.i", "I", "2026-11-20T02:00:00.000Z", "fri"], // needed by no one
      ["fri2", "F", "2026-11-20T13:00:00.000Z", null], // a second full: incremental tier
      ["fri2.i", "I", "2026-11-20T14:00:00.000Z", "fri2"],
      ["fri27", "F", "2026-11-27T01:00:00.000Z", null],
      ["late", "I", "2026-11-27T13:30:00.000Z", "fri2.i"],
    ],
    now: "2026-11-28T12:00:00.000Z",
    keep: ["fri", "fri2", "fri2.i", "fri27", "late"],
    remove: ["fri.i"],
    tiers: { fri2: "incremental", "fri2.i": "incremental", late: "incremental" },
    reasons: {
      fri2: ["needed by {late}", "on its own: full point, not the first full of 2026-11-20 older than 7 days"],
      "fri2.i": ["needed by {late}"],
    },
    expires: { fri2: "2026-12-05T13:30:00.000Z", "fri2.i": "2026-12-05T13:30:00.000Z", late: "2026-12-05T13:30:00.000Z" },
  },
  {
    name: "a broken chain: no daily candidate, kept or removed as an incremental, noted in the reason",
    rows: [
      ["old", "I", "2026-11-01T06:00:00.000Z", "missing:2026-11-01T05:45:00.000Z"],
      ["wed", "F", "2026-11-25T01:00:00.000Z", null],
      // Thursday: no full, and the first point's parent is gone.
      ["orphan", "I", "2026-11-26T06:00:00.000Z", "missing:2026-11-26T05:45:00.000Z"],
      ["next", "I", "2026-11-26T07:00:00.000Z", "orphan"],
      ["noparent", "I", "2026-11-26T08:00:00.000Z", null],
    ],
    now: "2026-11-27T00:00:00.000Z",
    keep: ["wed", "orphan", "next", "noparent"],
    remove: ["old"],
    tiers: { orphan: "incremental", next: "incremental", noparent: "incremental" },
    reasons: {
      old: ["incremental older than 7 days", "chain is broken", `parent ${idAt("incremental", "2026-11-01T05:45:00.000Z")} of {old} is missing`],
      orphan: ["chain is broken", `parent ${idAt("incremental", "2026-11-26T05:45:00.000Z")} of {orphan} is missing`],
      next: ["chain is broken", "of {orphan} is missing"],
      noparent: ["chain is broken", "no parent"],
    },
  },
];

describe("planRetention: cases", () => {
  it.each(cases)("$name", (c) => {
    const { points, id } = listing(c.rows);
    const policy = c.policy ?? DEFAULT_RETENTION;
    const now = new Date(c.now);
    const plan = okPlan(planRetention({ points }, policy, now));
    // The case states every point.
    expect([...c.keep, ...c.remove].sort()).toEqual(c.rows.map((r) => r[0]).sort());
    const decision = (label: string): Decision => plan.points.find((d) => d.id === id(label))!;
    const got = Object.fromEntries(c.rows.map(([label]) => [label, decision(label).keep ? "keep" : "remove"]));
    const want = Object.fromEntries([...c.keep.map((l) => [l, "keep"]), ...c.remove.map((l) => [l, "remove"])]);
    expect(got).toEqual(want);
    for (const [label, tier] of Object.entries(c.tiers ?? {})) expect(decision(label).tier, label).toBe(tier);
    for (const [label, parts] of Object.entries(c.reasons ?? {})) {
      for (const part of parts) expect(decision(label).reason, label).toContain(part.replace(/\{([^}]+)\}/g, (_, l: string) => id(l)));
    }
    for (const [label, at] of Object.entries(c.expires ?? {})) expect(decision(label).expiresAt?.toISOString() ?? null, label).toBe(at);
    checkInvariants(points, plan.points, policy, now);
    expect(plan.exports).toEqual([]);
  });

  it("ids generated for the cases are real point ids", () => {
    for (const c of cases) for (const p of listing(c.rows).points) expect(isPointId(p.id), p.id).toBe(true);
  });

  it("the order of the listing does not matter; decisions come sorted by time", () => {
    const { points } = listing(busy);
    const now = new Date("2026-11-10T12:00:00.000Z");
    const a = okPlan(planRetention({ points }, DEFAULT_RETENTION, now));
    const b = okPlan(planRetention({ points: [...points].reverse() }, DEFAULT_RETENTION, now));
    expect(b).toEqual(a);
    const times = a.points.map((d) => points.find((p) => p.id === d.id)!.time.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it("a full later in the day is the daily, not an earlier incremental of that day", () => {
    const { points, id } = listing([
      ["sun", "F", "2026-11-29T01:00:00.000Z", null],
      ["sun.i", "I", "2026-11-29T23:45:00.000Z", "sun"],
      ["mon.i", "I", "2026-11-30T00:00:00.000Z", "sun.i"],
      ["mon", "F", "2026-11-30T02:00:00.000Z", null],
    ]);
    const plan = okPlan(planRetention({ points }, DEFAULT_RETENTION, new Date("2026-11-30T03:00:00.000Z")));
    expect(plan.points.find((d) => d.id === id("mon"))?.tier).toBe("weekly");
    expect(plan.points.find((d) => d.id === id("mon.i"))?.tier).toBe("incremental");
  });

  it("with weeklies kept for fewer days than dailies, a weekly is still kept as long as a daily", () => {
    const { points, id } = listing([
      ["w", "F", "2026-11-02T01:00:00.000Z", null],
      ["now", "F", "2026-11-25T01:00:00.000Z", null],
    ]);
    const policy = { incrementalDays: 7, dailyDays: 30, weeklyWeeks: 2 };
    const plan = okPlan(planRetention({ points }, policy, new Date("2026-11-25T12:00:00.000Z")));
    const w = plan.points.find((d) => d.id === id("w"))!;
    expect(w).toMatchObject({ keep: true, tier: "weekly" });
    expect(w.reason).toContain("kept until 2026-12-02 (30 days)");
    expect(w.expiresAt?.toISOString()).toBe("2026-12-02T01:00:00.000Z");
  });
});

describe("planRetention: a half year of points", () => {
  it("183 days of 97 points, every sixth full failed: one daily a day, one weekly a week, quickly", () => {
    const rows = busyDays("2026-06-01T00:00:00.000Z", 183, "2026-11-30T12:00:00.000Z", (d) => d % 6 === 5);
    const { points } = listing(rows);
    const now = new Date("2026-11-30T12:00:00.000Z");
    const started = performance.now();
    const plan = okPlan(planRetention({ points }, DEFAULT_RETENTION, now));
    expect(performance.now() - started).toBeLessThan(2000); // about 100 ms here
    checkInvariants(points, plan.points, DEFAULT_RETENTION, now);
    const time = new Map(points.map((p) => [p.id, p.time]));
    const dailies = plan.points.filter((d) => d.tier !== "incremental");
    expect(new Set(dailies.map((d) => time.get(d.id)!.toISOString().slice(0, 10))).size).toBe(183);
    expect(dailies).toHaveLength(183);
    const weeklies = plan.points.filter((d) => d.tier === "weekly").map((d) => isoWeek(time.get(d.id)!));
    expect(weeklies).toEqual([...new Set(weeklies)]);
    expect(weeklies).toHaveLength(27); // 2026-W23 … 2026-W49
    // Day 179 (2026-11-27) lost its full: its daily is its first incremental, on the day before.
    const failed = plan.points.find((d) => d.id === idAt("incremental", "2026-11-27T00:07:30.000Z"))!;
    expect(failed).toMatchObject({ keep: true, tier: "daily" });
    expect(failed.reason).toContain("no full point that day");
  });
});

describe("planRetention: refusals remove nothing and name the offender", () => {
  const now = new Date("2026-11-30T12:00:00.000Z");
  const good = listing([
    ["f", "F", "2026-11-29T01:00:00.000Z", null],
    ["i", "I", "2026-11-29T02:00:00.000Z", "f"],
  ]);

  const refused = (plan: RetentionPlan): string => {
    expect(plan.ok).toBe(false);
    if (plan.ok) throw new Error("planned");
    return plan.reason;
  };

  it("no points at all (even with exports)", () => {
    expect(refused(planRetention({ points: [] }, DEFAULT_RETENTION, now))).toMatch(/no restore points/);
    expect(refused(planRetention({ points: [], exports: [{ id: "x", time: new Date("2026-11-01T00:00:00Z") }] }, DEFAULT_RETENTION, now))).toMatch(/no restore points/);
  });

  it("a manifest that could not be read", () => {
    const points = good.points.map((p) => (p.id === good.id("i") ? { ...p, readable: false } : p));
    const reason = refused(planRetention({ points }, DEFAULT_RETENTION, now));
    expect(reason).toContain(good.id("i"));
    expect(reason).toMatch(/could not be read/);
  });

  it("a point after now (clock trouble), but not one exactly at now", () => {
    const future = { id: idAt("incremental", "2026-11-30T12:00:00.001Z"), kind: "incremental" as const, time: new Date("2026-11-30T12:00:00.001Z"), parent: good.id("i"), readable: true };
    const reason = refused(planRetention({ points: [...good.points, future] }, DEFAULT_RETENTION, now));
    expect(reason).toContain(future.id);
    expect(reason).toMatch(/after now/);
    const atNow = { ...future, id: idAt("incremental", now.toISOString()), time: now };
    expect(planRetention({ points: [...good.points, atNow] }, DEFAULT_RETENTION, now).ok).toBe(true);
  });

  it("an export after now", () => {
    const reason = refused(planRetention({ points: good.points, exports: [{ id: "config-20261201", time: new Date("2026-12-01T02:00:00Z") }] }, DEFAULT_RETENTION, now));
    expect(reason).toContain("config-20261201");
  });

  it("two points with the same id", () => {
    const dup = { ...good.points[1]!, time: new Date("2026-11-29T03:00:00.000Z") };
    const reason = refused(planRetention({ points: [...good.points, dup] }, DEFAULT_RETENTION, now));
    expect(reason).toContain(good.id("i"));
    expect(reason).toMatch(/listed twice/);
  });

  it("an invalid time, clock or policy", () => {
    const bad = { ...good.points[0]!, time: new Date("nope") };
    expect(refused(planRetention({ points: [bad] }, DEFAULT_RETENTION, now))).toContain(bad.id);
    expect(refused(planRetention(good, DEFAULT_RETENTION, new Date("nope")))).toMatch(/clock/);
    expect(refused(planRetention(good, { ...DEFAULT_RETENTION, dailyDays: -1 }, now))).toMatch(/dailyDays/);
    expect(refused(planRetention(good, { ...DEFAULT_RETENTION, weeklyWeeks: Number.NaN }, now))).toMatch(/weeklyWeeks/);
  });

  it("several problems: the first is named and the rest counted", () => {
    const points = good.points.map((p) => ({ ...p, readable: false }));
    expect(refused(planRetention({ points }, DEFAULT_RETENTION, now))).toMatch(/\(and 1 more problem\)$/);
  });
});

describe("planRetention: exports", () => {
  const points = listing([["f", "F", "2026-12-03T01:00:00.000Z", null]]).points;
  const ex = (label: string, iso: string): ExportInfo => ({ id: `config-${label}`, time: new Date(iso) });

  it("first of a day is its daily, first daily of a week its weekly, the rest kept as incrementals", () => {
    const exports = [
      ex("nov02", "2026-11-02T02:00:00.000Z"), // Mon, weekly of 2026-W45
      ex("nov02-manual", "2026-11-02T15:00:00.000Z"),
      ex("nov03", "2026-11-03T02:00:00.000Z"), // daily, 30 d 10 h old
      ex("nov20", "2026-11-20T02:00:00.000Z"), // Fri, first of 2026-W47
      ex("nov29", "2026-11-29T02:00:00.000Z"), // Sun, first of 2026-W48
      ex("nov29-manual", "2026-11-29T10:00:00.000Z"), // 4 days old
      ex("dec01", "2026-12-01T02:00:00.000Z"), // Tue, first of 2026-W49
    ];
    const now = new Date("2026-12-03T12:00:00.000Z");
    const plan = okPlan(planRetention({ points, exports: [...exports].reverse() }, DEFAULT_RETENTION, now));
    const got = Object.fromEntries(plan.exports.map((d) => [d.id.slice(7), [d.keep ? "keep" : "remove", d.tier]]));
    expect(got).toEqual({
      nov02: ["keep", "weekly"],
      "nov02-manual": ["remove", "incremental"],
      nov03: ["remove", "daily"],
      nov20: ["keep", "weekly"],
      nov29: ["keep", "weekly"],
      "nov29-manual": ["keep", "incremental"],
      dec01: ["keep", "weekly"],
    });
    const byId = (id: string): Decision => plan.exports.find((d) => d.id === `config-${id}`)!;
    expect(byId("nov02").reason).toBe("weekly export of 2026-W45, kept until 2027-05-03 (26 weeks)");
    expect(byId("nov03").reason).toBe("daily export of 2026-11-03 older than 30 days");
    expect(byId("nov29-manual").reason).toContain("extra export of 2026-11-29");
    expect(byId("dec01").reason).toContain("newest export");
    expect(byId("nov29-manual").expiresAt?.toISOString()).toBe("2026-12-07T10:00:00.000Z");
    expect(plan.exports.map((d) => d.id)).toEqual(exports.map((e) => e.id));
  });

  it("the newest export is kept whatever its age", () => {
    const plan = okPlan(planRetention({ points, exports: [ex("a", "2025-01-01T02:00:00Z"), ex("b", "2025-01-01T03:00:00Z")] }, DEFAULT_RETENTION, new Date("2026-12-03T12:00:00Z")));
    expect(plan.exports.map((d) => [d.id, d.keep, d.expiresAt])).toEqual([
      ["config-a", false, new Date("2025-07-02T02:00:00Z")],
      ["config-b", true, null],
    ]);
    expect(plan.exports[1]!.reason).toMatch(/^newest export, kept whatever its age/);
  });
});

describe("isoWeek", () => {
  // Checked against GNU `date -u -d <day> +%G-W%V`.
  it.each([
    ["2026-01-01T00:00:00.000Z", "2026-W01"], // Thursday: 2026 has 53 weeks
    ["2026-11-26T13:45:00.000Z", "2026-W48"],
    ["2026-11-29T23:59:59.999Z", "2026-W48"], // Sunday, last instant
    ["2026-11-30T00:00:00.000Z", "2026-W49"], // Monday, first instant
    ["2026-12-27T12:00:00.000Z", "2026-W52"],
    ["2026-12-28T00:00:00.000Z", "2026-W53"],
    ["2026-12-31T23:59:59.999Z", "2026-W53"],
    ["2027-01-01T00:00:00.000Z", "2026-W53"],
    ["2027-01-03T23:59:59.999Z", "2026-W53"],
    ["2027-01-04T00:00:00.000Z", "2027-W01"],
    ["2021-01-01T00:00:00.000Z", "2020-W53"],
    ["2024-12-29T12:00:00.000Z", "2024-W52"],
    ["2024-12-30T00:00:00.000Z", "2025-W01"], // Monday: ISO year ahead of the calendar year
    ["2025-12-29T00:00:00.000Z", "2026-W01"],
  ])("%s is %s", (iso, week) => {
    expect(isoWeek(new Date(iso))).toBe(week);
  });

  it("throws a RangeError on an invalid date", () => {
    expect(() => isoWeek(new Date("nope"))).toThrow(RangeError);
  });
});

describe("tierExpiry", () => {
  const t = new Date("2026-11-26T13:45:00.123Z");
  it("is time + the tier's window, a day more for incrementals", () => {
    expect(DEFAULT_RETENTION).toEqual({ incrementalDays: 7, dailyDays: 30, weeklyWeeks: 26 });
    expect(tierExpiry("incremental", t, DEFAULT_RETENTION).toISOString()).toBe("2026-12-04T13:45:00.123Z");
    expect(tierExpiry("daily", t, DEFAULT_RETENTION).toISOString()).toBe("2026-12-26T13:45:00.123Z");
    expect(tierExpiry("weekly", t, DEFAULT_RETENTION).toISOString()).toBe("2027-05-27T13:45:00.123Z");
  });

  it("throws a RangeError on an invalid time or policy", () => {
    expect(() => tierExpiry("daily", new Date("nope"), DEFAULT_RETENTION)).toThrow(RangeError);
    expect(() => tierExpiry("daily", t, { ...DEFAULT_RETENTION, incrementalDays: -1 })).toThrow(RangeError);
  });
});
