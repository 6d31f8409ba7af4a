import { planRetention, tierExpiry, type RetentionPolicy } from "../../core/policy/retention";
import type { Retention } from "../ports/BackupStore";
import type { PointSummary } from "../repo/catalog";

/** What is being written: a new restore point, or a new config export. */
export type NewItem = { point: { id: string; kind: "full" | "incremental"; time: Date; parent: string | null } } | { export: { id: string; time: Date } };

/**
 * The tier a new point or config export has when it is written, by the same planner
 * retention applies (the first full of a UTC day, or its first export, is its daily; the
 * first daily of an ISO week its weekly; anything else incremental), and the expiry its
 * files get (WORM). When the listing cannot be planned (no point yet, a point dated in the
 * future), the longest tier: protecting too long is recoverable, too short is not.
 */
export function retentionAtWrite(listed: { points: readonly PointSummary[]; exports: readonly { id: string; time: Date }[] }, item: NewItem, policy: RetentionPolicy): Retention {
  const points = listed.points.map((p) => ({ id: p.id, kind: p.kind, time: p.time, parent: p.parent, readable: true }));
  const exports = [...listed.exports];
  if ("point" in item) points.push({ ...item.point, readable: true });
  else exports.push(item.export);
  const at = "point" in item ? item.point.time : item.export.time;
  const id = "point" in item ? item.point.id : item.export.id;
  const plan = points.length > 0 ? planRetention({ points, exports }, policy, at) : null;
  const d = plan?.ok ? [...plan.points, ...plan.exports].find((x) => x.id === id) : undefined;
  const tier = d?.tier ?? "weekly";
  return { tier, until: d?.expiresAt ?? tierExpiry(tier, at, policy) };
}
