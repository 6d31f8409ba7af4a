/*
 * Calendar keys for retention, always in UTC: the day ("2026-11-26") and the ISO-8601
 * week ("2026-W48") an instant falls in.
 */

const DAY_MS = 86_400_000;

/**
 * The ISO-8601 week an instant falls in, computed in UTC, as "2026-W48". Weeks start on
 * Monday; week 1 is the week holding the year's first Thursday, and the year shown is the
 * ISO week-year (the year of that week's Thursday), so 2027-01-01 is "2026-W53" and
 * 2024-12-30 is "2025-W01". Years with 53 weeks give "W53".
 * Throws a RangeError when `d` is not a valid date.
 */
export function isoWeek(d: Date): string {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new RangeError("isoWeek: not a valid date");
  const midnight = t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(midnight + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1); // not Date.UTC: it maps years 0–99 to 1900–1999
  const week = 1 + Math.floor((thursday.getTime() - jan1.getTime()) / (7 * DAY_MS));
  return `${String(year).padStart(4, "0")}-W${String(week).padStart(2, "0")}`;
}

/**
 * The UTC calendar day an instant falls in, as "2026-11-26"; an instant exactly at
 * midnight belongs to the day it starts.
 * Throws a RangeError when `d` is not a valid date.
 */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
