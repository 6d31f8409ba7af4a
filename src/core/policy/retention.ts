/**
 * Retention planning: which restore points and config exports to keep, and why.
 *
 * Modelled on restic's `ApplyPolicy`: a pure function of the listing, the policy and the
 * clock that returns one decision per item, each with a reason fit for an audit log. It
 * deletes nothing; the caller deletes the `keep: false` items of an `ok` plan, and nothing
 * at all from a refusal. Days and ISO weeks are UTC calendar ones; windows count 24-hour days.
 *
 * The rules, as implemented:
 * 1. Dailies. The daily of a UTC day is its first full point (by time, then id). A day
 *    without a full (the full failed) has as its daily its first point whose chain is
 *    restorable: following `parent` links reaches a full, and every point on the way
 *    exists and is readable (no loop). A day with neither has no daily.
 * 2. Weeklies. The weekly of an ISO-8601 week (Monday first, ISO week-year, UTC) is its
 *    first daily. A point's tier is the highest it holds: weekly, else daily, else
 *    incremental (every other point, a second full of a day included).
 * 3. A point is kept while `now - time` is at most its tier's keep window (the boundary
 *    instant is kept): incremental `incrementalDays`, daily `dailyDays`, weekly
 *    `weeklyWeeks × 7` days. A higher tier holds the lower ones, so its window is the
 *    longest of them (the same with the default policy; it matters only when, say, weeklies
 *    are kept for fewer days than dailies). `expiresAt` is when the point may first be
 *    deleted, `tierExpiry`: time + the window, but for the incremental tier one day more,
 *    because storage immutability on incrementals is set a day beyond that tier. So an
 *    incremental leaves the plan after `incrementalDays` and is deletable a day later.
 * 4. The newest full point (by time, then id) is always kept, whatever its age, and its
 *    reason says so; kept past its tier, its `expiresAt` is null (no date can be named
 *    while it is the newest full).
 * 5. Dependencies. Every kept point's parent chain (up to its full) is kept with it, whatever
 *    its own tier says: reason "needed by <id>", naming the kept point that needs it longest
 *    (latest `expiresAt`, then newest), and `expiresAt` moves out to that point's
 *    `expiresAt` when later. A removed point is never on a kept point's chain.
 * 6. A point whose chain is broken (a missing parent, an incremental without a parent, a
 *    loop) is no daily candidate: it is kept or removed by the incremental tier, and its
 *    reason says the chain is broken. The points of its chain that do exist are still kept
 *    while it is (rule 5), since a removal must never be what breaks a restore.
 * 7. Refusals: `{ ok: false, reason }`, nothing removed, when the listing looks wrong: no
 *    points; a point whose manifest was unreadable; a point or export dated after `now`
 *    (clock trouble) or with an invalid time; an id listed twice (points or exports); also
 *    an invalid `now` or policy. The reason names the first offending id.
 * 8. Exports are self-contained: the first export of a UTC day is its daily export, the
 *    first daily export of an ISO week its weekly; others (manual ones) are incremental
 *    tier. The windows and `expiresAt` are those of rule 3; the newest export is always kept.
 * 9. Every decision has a reason such as "daily of 2026-11-02, kept until 2026-12-02
 *    (30 days)", "incremental older than 7 days", "needed by 20261130T…-i…".
 * Decisions come sorted by time (then id).
 */
import { isoWeek, utcDay } from "./iso-week";

/** The ISO-8601 week of an instant in UTC, "2026-W48" (see iso-week.ts); throws a RangeError on an invalid date. */
export { isoWeek } from "./iso-week";

/** A retention tier: the tier an item holds now ("weekly" beats "daily" beats "incremental"). */
export type Tier = "incremental" | "daily" | "weekly";

/** How long each tier is kept: incrementals and dailies in days, weeklies in weeks. */
export interface RetentionPolicy {
  incrementalDays: number;
  dailyDays: number;
  weeklyWeeks: number;
}

/** The default policy: incrementals 7 days, dailies 30 days, weeklies 26 weeks. */
export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({ incrementalDays: 7, dailyDays: 30, weeklyWeeks: 26 });

/** A restore point as retention sees it; `readable` false means its manifest could not be read or authenticated. */
export interface PointInfo {
  id: string;
  kind: "full" | "incremental";
  time: Date;
  parent: string | null;
  readable: boolean;
}

/** A nightly config export: self-contained, no parents. */
export interface ExportInfo {
  id: string;
  time: Date;
}

/** The listing to plan for: every restore point, and the config exports if any. */
export interface RetentionInput {
  points: readonly PointInfo[];
  exports?: readonly ExportInfo[];
}

/** What to do with one item: keep or remove, its tier now, why, and when it may first be deleted (null: not while the rule keeping it holds). */
export interface Decision {
  id: string;
  keep: boolean;
  tier: Tier;
  reason: string;
  expiresAt: Date | null;
}

/** A plan with one decision per point and per export, or a refusal that removes nothing. */
export type RetentionPlan = { ok: true; points: Decision[]; exports: Decision[] } | { ok: false; reason: string };

const DAY_MS = 86_400_000;

interface Window {
  keepMs: number;
  keepText: string;
  expiryMs: number;
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** The keep window and deletable offset of a tier: the longest of it and the tiers below it. */
function windowOf(tier: Tier, policy: RetentionPolicy): Window {
  const rungs = [{ keepDays: policy.incrementalDays, expiryDays: policy.incrementalDays + 1, text: plural(policy.incrementalDays, "day") }];
  if (tier !== "incremental") rungs.push({ keepDays: policy.dailyDays, expiryDays: policy.dailyDays, text: plural(policy.dailyDays, "day") });
  if (tier === "weekly") rungs.push({ keepDays: policy.weeklyWeeks * 7, expiryDays: policy.weeklyWeeks * 7, text: plural(policy.weeklyWeeks, "week") });
  let keep = rungs[0]!;
  for (const r of rungs) if (r.keepDays >= keep.keepDays) keep = r; // ties: the tier's own text
  const expiryDays = Math.max(...rungs.map((r) => r.expiryDays));
  return { keepMs: Math.round(keep.keepDays * DAY_MS), keepText: keep.text, expiryMs: Math.round(expiryDays * DAY_MS) };
}

function policyProblem(policy: RetentionPolicy): string | null {
  for (const key of ["incrementalDays", "dailyDays", "weeklyWeeks"] as const) {
    const v = policy[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return `retention policy ${key} must be a number of 0 or more, not ${String(v)}`;
  }
  return null;
}

/**
 * When an item of `tier` taken at `time` may first be deleted: time + the tier's window
 * (the longest of it and the tiers below it), plus one day for the incremental tier's
 * window, as storage immutability on incrementals runs a day past that tier. The writer
 * sets immutability expiries with it; `planRetention` reports the same instants.
 * Throws a RangeError when `time` is not a valid date or the policy has a negative or
 * non-finite value.
 */
export function tierExpiry(tier: Tier, time: Date, policy: RetentionPolicy): Date {
  if (!Number.isFinite(time.getTime())) throw new RangeError("tierExpiry: time is not a valid date");
  const bad = policyProblem(policy);
  if (bad) throw new RangeError(`tierExpiry: ${bad}`);
  return new Date(time.getTime() + windowOf(tier, policy).expiryMs);
}

const byTime = (a: { id: string; time: Date }, b: { id: string; time: Date }): number =>
  a.time.getTime() - b.time.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Plans retention (see the module comment for the rules): one decision per point and per
 * export, or `{ ok: false, reason }` when the listing looks wrong, in which case nothing
 * may be removed. Inputs need not be sorted. Throws nothing.
 */
export function planRetention(input: RetentionInput, policy: RetentionPolicy, now: Date): RetentionPlan {
  const refusal = refusalOf(input, policy, now);
  if (refusal !== null) return { ok: false, reason: `refusing to plan retention, nothing removed: ${refusal}` };
  return { ok: true, points: planPoints(input.points, policy, now), exports: planExports(input.exports ?? [], policy, now) };
}

function refusalOf(input: RetentionInput, policy: RetentionPolicy, now: Date): string | null {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) return "the clock reads an invalid date";
  const badPolicy = policyProblem(policy);
  if (badPolicy) return badPolicy;
  if (input.points.length === 0) return "the listing has no restore points at all (an empty or failed listing)";
  const problems: string[] = [];
  const check = (what: string, items: readonly { id: string; time: Date }[]): void => {
    const seen = new Set<string>();
    for (const it of items) {
      if (seen.has(it.id)) problems.push(`${what} ${it.id} is listed twice`);
      seen.add(it.id);
      const t = it.time.getTime();
      if (!Number.isFinite(t)) problems.push(`${what} ${it.id} has an invalid time`);
      else if (t > nowMs) problems.push(`${what} ${it.id} is dated ${it.time.toISOString()}, after now (${now.toISOString()}): is a clock wrong?`);
    }
  };
  for (const p of input.points) if (!p.readable) problems.push(`the manifest of restore point ${p.id} could not be read or authenticated`);
  check("restore point", input.points);
  check("export", input.exports ?? []);
  if (problems.length === 0) return null;
  return problems.length === 1 ? problems[0]! : `${problems[0]!} (and ${plural(problems.length - 1, "more problem")})`;
}

/** A function telling why a point's chain cannot be restored, or null when it can (memoized). */
function chainChecker(byId: ReadonlyMap<string, PointInfo>): (p: PointInfo) => string | null {
  const memo = new Map<string, string | null>();
  return (start) => {
    const path: string[] = [];
    const onPath = new Set<string>();
    let cur = start;
    let result: string | null;
    for (;;) {
      const known = memo.get(cur.id);
      if (known !== undefined) { result = known; break; }
      if (cur.kind === "full") { result = null; break; }
      path.push(cur.id);
      onPath.add(cur.id);
      if (cur.parent === null) { result = `${cur.id} is incremental but has no parent`; break; }
      const parent = byId.get(cur.parent);
      if (!parent) { result = `parent ${cur.parent} of ${cur.id} is missing`; break; }
      if (!parent.readable) { result = `parent ${cur.parent} of ${cur.id} cannot be read`; break; }
      if (onPath.has(parent.id)) { result = `the parent links through ${parent.id} form a loop`; break; }
      cur = parent;
    }
    for (const id of path) memo.set(id, result);
    return result;
  };
}

interface Verdict {
  kept: boolean;
  /** The instant it may first be deleted by its own rule; Infinity when kept as the newest. */
  until: number;
  reason: string;
}

/** An item's decision by its own tier and the newest-item rule, before dependencies. */
function verdict(desc: string, time: Date, tier: Tier, policy: RetentionPolicy, now: Date, newest: string | null, note = ""): Verdict {
  const w = windowOf(tier, policy);
  const t = time.getTime();
  const inTier = now.getTime() - t <= w.keepMs;
  const kept = `${desc}, kept until ${utcDay(new Date(t + w.keepMs))} (${w.keepText})`;
  const old = `${desc} older than ${w.keepText}`;
  if (inTier) return { kept: true, until: t + w.expiryMs, reason: (newest ? `${newest}; ${kept}` : kept) + note };
  if (newest) return { kept: true, until: Infinity, reason: `${newest}, kept whatever its age (${old})${note}` };
  return { kept: false, until: t + w.expiryMs, reason: old + note };
}

const dateOrNull = (ms: number): Date | null => (Number.isFinite(ms) ? new Date(ms) : null);

/** The tier of each item: the first daily of an ISO week is weekly, other dailies daily, the rest incremental. */
function tiersOf<T extends { id: string; time: Date }>(sorted: readonly T[], dailies: ReadonlySet<string>): Map<string, Tier> {
  const tiers = new Map<string, Tier>();
  const weeks = new Set<string>();
  for (const p of sorted) {
    if (!dailies.has(p.id)) { tiers.set(p.id, "incremental"); continue; }
    const week = isoWeek(p.time);
    tiers.set(p.id, weeks.has(week) ? "daily" : "weekly");
    weeks.add(week);
  }
  return tiers;
}

function planPoints(points: readonly PointInfo[], policy: RetentionPolicy, now: Date): Decision[] {
  const sorted = [...points].sort(byTime);
  const byId = new Map(sorted.map((p) => [p.id, p]));
  const brokenWhy = chainChecker(byId);

  // Rule 1: the first full of each day; failing that, the first restorable point.
  const dailyOfDay = new Map<string, PointInfo>();
  for (const p of sorted) if (p.kind === "full" && !dailyOfDay.has(utcDay(p.time))) dailyOfDay.set(utcDay(p.time), p);
  const fallback = new Set<string>();
  for (const p of sorted) {
    const day = utcDay(p.time);
    if (!dailyOfDay.has(day) && brokenWhy(p) === null) { dailyOfDay.set(day, p); fallback.add(p.id); }
  }
  const tiers = tiersOf(sorted, new Set([...dailyOfDay.values()].map((p) => p.id)));
  const newestFull = sorted.filter((p) => p.kind === "full").at(-1);

  const own = new Map<string, Verdict>();
  for (const p of sorted) {
    const tier = tiers.get(p.id)!;
    const day = utcDay(p.time);
    let desc: string;
    if (tier === "incremental") desc = p.kind === "full" ? `full point, not the first full of ${day}` : "incremental";
    else desc = tier === "weekly" ? `weekly of ${isoWeek(p.time)}` : `daily of ${day}`;
    if (fallback.has(p.id)) desc += ` (no full point that day: its first restorable point)`;
    const broken = brokenWhy(p);
    const note = broken === null ? "" : `; its chain is broken (${broken}), so it cannot be restored and is no daily candidate`;
    own.set(p.id, verdict(desc, p.time, tier, policy, now, p === newestFull ? "newest full point" : null, note));
  }

  // Rule 5: walk up from each kept point, the one kept longest first; a walk stops at a
  // point already held, whose chain an earlier (longer or equal) walk has held already.
  const held = new Map<string, { by: string; until: number }>();
  const roots = sorted.filter((p) => own.get(p.id)!.kept);
  roots.sort((a, b) => {
    const ua = own.get(a.id)!.until;
    const ub = own.get(b.id)!.until;
    return ua === ub ? -byTime(a, b) : ua > ub ? -1 : 1;
  });
  for (const r of roots) {
    const until = own.get(r.id)!.until;
    let cur: PointInfo | undefined = r;
    while (cur && !held.has(cur.id)) {
      held.set(cur.id, { by: r.id, until });
      cur = cur.kind === "full" || cur.parent === null ? undefined : byId.get(cur.parent);
    }
  }

  return sorted.map((p): Decision => {
    const v = own.get(p.id)!;
    const tier = tiers.get(p.id)!;
    const h = held.get(p.id);
    if (!h) return { id: p.id, keep: false, tier, reason: v.reason, expiresAt: dateOrNull(v.until) };
    if (v.kept && (h.by === p.id || h.until <= v.until)) return { id: p.id, keep: true, tier, reason: v.reason, expiresAt: dateOrNull(v.until) };
    const reason = v.kept ? `${v.reason}; needed by ${h.by}` : `needed by ${h.by}; on its own: ${v.reason}`;
    return { id: p.id, keep: true, tier, reason, expiresAt: dateOrNull(h.until) };
  });
}

function planExports(exports: readonly ExportInfo[], policy: RetentionPolicy, now: Date): Decision[] {
  const sorted = [...exports].sort(byTime);
  const days = new Set<string>();
  const dailies = new Set<string>();
  for (const e of sorted) {
    const day = utcDay(e.time);
    if (!days.has(day)) dailies.add(e.id);
    days.add(day);
  }
  const tiers = tiersOf(sorted, dailies);
  const newest = sorted.at(-1);
  return sorted.map((e): Decision => {
    const tier = tiers.get(e.id)!;
    const day = utcDay(e.time);
    const desc = tier === "weekly" ? `weekly export of ${isoWeek(e.time)}` : tier === "daily" ? `daily export of ${day}` : `extra export of ${day} (not the day's first)`;
    const v = verdict(desc, e.time, tier, policy, now, e === newest ? "newest export" : null);
    return { id: e.id, keep: v.kept, tier, reason: v.reason, expiresAt: dateOrNull(v.until) };
  });
}
