import type { Auditor } from "../audit/index";
import type { BackupResult } from "./run-backup";

/** What the audit log keeps of a backup: the point, counts, bytes; a skipped run is a failure with its reason. */
export const backupAudit = {
  changesData: (r: BackupResult) => r.status === "committed",
  detailsOf: (r: BackupResult) =>
    r.status === "committed"
      ? { point: r.pointId, kind: r.kind, parent: r.parent, entities: r.entities, tombstones: r.tombstones, bytes: r.bytes }
      : { status: r.status },
  targetOf: (r: BackupResult) => (r.status === "committed" ? { point: r.pointId } : {}),
  failureOf: (r: BackupResult) => (r.status === "skipped" ? `skipped: ${r.reason}` : undefined),
};

/**
 * Records a `settings.change` entry when a committed backup found settings different
 * from those the previous point recorded (names, before and after; no secret is ever in
 * a summary). Throws what the audit write throws: a change must not go unrecorded.
 */
export async function recordSettingsChange(auditor: Auditor, operator: string, r: BackupResult): Promise<void> {
  if (r.status !== "committed" || r.settingsChanged.length === 0) return;
  await auditor.record({
    operator,
    action: "settings.change",
    target: { settings: r.settingsChanged.map((c) => c.setting) },
    outcome: "succeeded",
    durationMs: 0,
    details: { detectedBy: r.pointId, changes: r.settingsChanged },
  });
}
