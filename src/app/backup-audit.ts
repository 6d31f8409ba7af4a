import type { BackupResult } from "./backup";

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
