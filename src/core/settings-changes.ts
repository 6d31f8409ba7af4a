/** The non-secret facts of the settings that change what Lifeboat does, as each manifest records them. Values are strings. */
export type SettingsSummary = Record<string, string>;

/** One setting that differs between two summaries. */
export interface SettingChange {
  setting: string;
  before: string | null;
  after: string | null;
}

/** The settings that differ between two summaries, with before and after, sorted by name. Empty when equal. */
export function settingsChanges(before: SettingsSummary, after: SettingsSummary): SettingChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names
    .filter((n) => before[n] !== after[n])
    .map((n) => ({ setting: n, before: before[n] ?? null, after: after[n] ?? null }));
}
