/** Which tables a "*" backup covers, and why each other one is left out. */
export interface TableSelection {
  included: string[];
  excluded: { table: string; reason: string }[];
}

/** A table left out by name (Lifeboat's own tables), with why. */
export interface NamedExclusion {
  table: string;
  reason: string;
}

/** True when `pattern` (a name, or a prefix ending in "*") matches `table`, ignoring case as Azure does. */
export function matchesPattern(table: string, pattern: string): boolean {
  const t = table.toLowerCase();
  const p = pattern.toLowerCase();
  return p.endsWith("*") ? t.startsWith(p.slice(0, -1)) : t === p;
}

/**
 * Splits every table of the account into the ones a "*" backup covers and the ones it
 * leaves out: Lifeboat's own (`named`, each with its reason) and those matching a
 * LIFEBOAT_EXCLUDE_TABLES pattern. Names compare without case. Sorted by name. Never throws.
 */
export function selectTables(all: readonly string[], named: readonly NamedExclusion[], patterns: readonly string[]): TableSelection {
  const byName = new Map(named.map((n) => [n.table.toLowerCase(), n.reason]));
  const out: TableSelection = { included: [], excluded: [] };
  for (const table of [...all].sort()) {
    const reason = byName.get(table.toLowerCase()) ?? patterns.filter((p) => matchesPattern(table, p)).map((p) => `LIFEBOAT_EXCLUDE_TABLES ${p}`)[0];
    if (reason) out.excluded.push({ table, reason });
    else out.included.push(table);
  }
  return out;
}
