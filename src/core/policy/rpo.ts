/** The facts the RPO check needs about a restore point. */
export interface PointFacts {
  id: string;
  time: Date;
  tables: string[];
}

export interface TableRpo {
  table: string;
  lastPointId: string | null;
  lastPointTime: string | null;
  ageMinutes: number | null;
  withinRpo: boolean;
}

/**
 * For each table, the newest point holding it and whether its age is within the RPO.
 * A table never backed up is outside the RPO. Ages are rounded down to 0.1 minute.
 */
export function rpoStatus(points: readonly PointFacts[], tables: readonly string[] | "*", rpoMinutes: number, now: Date): TableRpo[] {
  const newest = new Map<string, PointFacts>();
  for (const p of points) {
    for (const t of p.tables) {
      const cur = newest.get(t);
      if (!cur || p.time.getTime() > cur.time.getTime()) newest.set(t, p);
    }
  }
  const names = tables === "*" ? [...newest.keys()].sort() : [...tables];
  return names.map((table) => {
    const p = newest.get(table);
    if (!p) return { table, lastPointId: null, lastPointTime: null, ageMinutes: null, withinRpo: false };
    const ageMs = now.getTime() - p.time.getTime();
    const age = Math.floor((ageMs / 60000) * 10) / 10;
    // Decide on the exact age: the rounded one shown must not hide a breach.
    return { table, lastPointId: p.id, lastPointTime: p.time.toISOString(), ageMinutes: age, withinRpo: ageMs <= rpoMinutes * 60000 };
  });
}
