/** A restore point as the planner sees it. */
export interface PointRef {
  id: string;
  time: Date;
}

export type PointChoice = { ok: true; id: string } | { ok: false; reason: string };

/**
 * Chooses the restore point for a point-in-time restore: the latest point taken at or
 * before `at`. Points need not be sorted.
 */
export function choosePointAt(points: readonly PointRef[], at: Date): PointChoice {
  let best: PointRef | undefined;
  for (const p of points) {
    if (p.time.getTime() <= at.getTime() && (!best || p.time.getTime() > best.time.getTime() || (p.time.getTime() === best.time.getTime() && p.id > best.id))) {
      best = p;
    }
  }
  if (best) return { ok: true, id: best.id };
  if (points.length === 0) return { ok: false, reason: "the repository has no restore points yet" };
  const earliest = points.reduce((a, b) => (a.time.getTime() <= b.time.getTime() ? a : b));
  return {
    ok: false,
    reason: `no restore point at or before ${at.toISOString()}; the earliest is ${earliest.id} (${earliest.time.toISOString()})`,
  };
}

/**
 * Parses a user-given instant. Accepts ISO-8601 with a time zone (Z or ±hh:mm);
 * returns null for anything else, so a caller can name the field and the rule.
 */
export function parseInstant(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/.exec(text.trim());
  if (!m) return null;
  // Date would roll 2026-02-30 over to March 2; a person who typed it meant something else.
  const [y, mo, day, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[7] ?? "0"].map(Number) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(y, mo - 1, day, h, mi, sec));
  if (calendar.getUTCFullYear() !== y || calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== day || calendar.getUTCHours() !== h || calendar.getUTCMinutes() !== mi || calendar.getUTCSeconds() !== sec) {
    return null;
  }
  if (m[10] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return null;
  // JavaScript Date keeps milliseconds; finer digits cannot change which point is chosen.
  const normalized = text.trim().replace(/(\.\d{3})\d+/, "$1");
  const d = new Date(normalized);
  return Number.isNaN(d.getTime()) ? null : d;
}
