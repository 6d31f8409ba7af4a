import { randomBytes } from "node:crypto";
import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import type { TableStore } from "../ports/TableStore";
import { commitManifest, listPoints, loadManifest } from "../repo/catalog";
import { createdTables } from "../repo/created-tables";
import { selectTables } from "../../core/policy/table-selection";
import type { RetentionPolicy } from "../../core/policy/retention";
import { retentionAtWrite } from "../retention/at-write";
import { backupTable } from "./backup-table";
import { fanOutKeyScan, fanOutScan, fansOut, fullSegment, type FanoutPorts, type FanoutScan } from "./fanout";
import { tableRanges } from "../tables/table-ranges";
import { noProgress, type ProgressSink } from "../progress";
import { LifeboatError, NotFoundError } from "../../core/errors";
import { backupContainer } from "../containers/backup-container";
import type { BlobSource } from "../ports/BlobSource";
import { settingsChanges, type SettingChange, type SettingsSummary } from "../../core/settings-changes";
import { FORMAT_NAME, FORMAT_VERSION, newPointId, type ContainerSegment, type Manifest, type TableSegment } from "../../format/manifest";
import { TOOL } from "../../version";

export interface BackupDeps {
  source: TableStore;
  /** The source account's blob containers; needed only when the request names containers. */
  blobs?: BlobSource;
  repo: BackupStore;
  keys: KeyProvider;
  now?: () => Date;
  progress?: ProgressSink;
  /** Fans the scans of tables past LIFEBOAT_FANOUT_ENTITIES out as range tasks on the jobs queue; absent: every scan runs here. */
  fanout?: FanoutPorts;
}

export interface BackupRequest {
  /** Table names, or "*" for every table in the source account. */
  tables: string[] | "*";
  /**
   * With "*": tables never to back up (Lifeboat's own audit table when it shares the
   * account). Tables Lifeboat created (restore targets) are left out too, from the
   * repository's registry.
   */
  exclude?: readonly string[];
  /** With "*": LIFEBOAT_EXCLUDE_TABLES, names or prefixes ending in "*". */
  excludePatterns?: readonly string[];
  /** Blob containers of the source account to include in the point (LIFEBOAT_CONTAINERS). */
  containers?: readonly string[];
  /** The retention tiers: every file of the point is written with its tier's expiry (WORM) and tag. */
  retention?: RetentionPolicy;
  /** Force a full backup; otherwise incremental when a previous point exists. */
  full?: boolean;
  overlapSeconds: number;
  chunkEntities: number;
  /** How long to wait for another backup of the same repository to finish. */
  waitForLockSeconds?: number;
  /** The non-secret settings summary to record in the manifest (compared with the previous point's). */
  settings?: SettingsSummary;
  /** Full segments also get a typed-CSV copy (LIFEBOAT_CSV_BACKUPS=full). */
  csvBackups?: boolean;
  /** PartitionKey ranges each table's scans read at once (LIFEBOAT_SCAN_CONCURRENCY; default 1). */
  scanConcurrency?: number;
}

export type BackupResult =
  | {
      status: "committed";
      pointId: string;
      kind: "full" | "incremental";
      parent: string | null;
      tables: { table: string; mode: "full" | "incremental"; entities: number; tombstones: number }[];
      containers: { container: string; files: number; read: number; readBytes: number; removed: number; skipped: { path: string; reason: string }[] }[];
      entities: number;
      tombstones: number;
      bytes: number;
      durationMs: number;
      /** Settings that differ from those the previous point recorded (empty when equal or unknown). */
      settingsChanged: SettingChange[];
      /** Things the operator should know that did not stop the backup (a local clock far off the service's). */
      warnings: string[];
    }
  | { status: "skipped"; reason: string };

/**
 * Takes one restore point of the configured tables. Holds the repository's backup lock
 * throughout; when another backup holds it past waitForLockSeconds, returns "skipped".
 * Data files are written first and the manifest last, so a crash leaves no point and
 * the next run covers the same window again.
 * Throws NotFoundError (TABLE.NOT_FOUND) for a configured table that does not exist.
 */
export async function runBackup(deps: BackupDeps, req: BackupRequest): Promise<BackupResult> {
  const now = deps.now ?? (() => new Date());
  const progress = deps.progress ?? noProgress;
  await deps.repo.ensure();
  const lock = await deps.repo.tryLock("backup", req.waitForLockSeconds ?? 0);
  if (!lock) {
    return { status: "skipped", reason: `another backup of ${deps.repo.description} is running (it holds the backup lock)` };
  }
  try {
    const started = now();
    const tables =
      req.tables === "*"
        ? selectTables(
            await deps.source.listTables(),
            [...(req.exclude ?? []).map((table) => ({ table, reason: "excluded" })), ...(await createdTables(deps.repo)).map((c) => ({ table: c.table, reason: "created by Lifeboat" }))],
            req.excludePatterns ?? [],
          ).included
        : [...req.tables];
    const containers = [...(req.containers ?? [])];
    if (tables.length === 0 && containers.length === 0) throw new LifeboatError("BACKUP.NO_TABLES", "there are no tables to back up");
    if (containers.length > 0 && !deps.blobs) throw new LifeboatError("CONFIG.MISSING", "containers are configured but no blob endpoint for the source account (LIFEBOAT_SOURCE__blobServiceUri)");
    for (const c of containers) {
      if (!(await deps.blobs!.containerExists(c))) throw new NotFoundError("CONTAINER.NOT_FOUND", `configured container ${c} does not exist in the source account`);
    }
    for (const t of tables) {
      if (!(await deps.source.tableExists(t))) {
        throw new LifeboatError("TABLE.NOT_FOUND", `configured table ${t} does not exist in the source account`);
      }
    }

    const points = await listPoints(deps.repo);
    const latest = points.at(-1);
    const latestManifest = latest ? await loadManifest(deps.repo, deps.keys, latest.id) : undefined;
    const previous: Manifest | undefined = req.full ? undefined : latestManifest;
    const kind = previous ? "incremental" : "full";
    const kek = await deps.keys.active();
    const pointId = newPointId(kind, started, randomBytes(4).toString("hex"));
    const retention = req.retention ? retentionAtWrite({ points, exports: [] }, { point: { id: pointId, kind, time: started, parent: previous?.pointId ?? null } }, req.retention) : undefined;

    const segments: Record<string, TableSegment> = {};
    let clockOffsetMs = 0;
    for (const table of tables) {
      lock.assertHeld();
      // Split where the latest point's key files for the table begin (a forced full too).
      const latestSegment = latestManifest?.tables[table];
      const previousSegment = previous?.tables[table];
      const fanout = fansOut(deps.fanout, latestSegment) ? deps.fanout : undefined;
      const target = { source: deps.source, repo: deps.repo, keys: deps.keys, kek, pointId, table };
      const fanned = (mode: FanoutScan["mode"], since: string | null): FanoutScan => ({
        ...target,
        mode,
        since,
        overlapSeconds: req.overlapSeconds,
        chunkEntities: req.chunkEntities,
        csv: req.csvBackups === true,
        ...(retention ? { retention } : {}),
        latestKeys: latestSegment!.keys,
        lock,
        progress,
        concurrency: req.scanConcurrency ?? 1,
      });
      if (fanout && !previousSegment) {
        // A big table's full: every range is read by a task on the jobs queue.
        segments[table] = fullSegment((await fanOutScan(fanout, fanned("full", null))).map((p) => p.result));
        continue;
      }
      const { ranges, source: rangeSource } = await tableRanges(deps.source, table, latestSegment?.keys, req.scanConcurrency ?? 1);
      segments[table] = await backupTable({
        ...target,
        previous: previousSegment,
        scanStart: now(),
        onClock: (ms) => {
          if (Math.abs(ms) > Math.abs(clockOffsetMs)) clockOffsetMs = ms;
        },
        overlapSeconds: req.overlapSeconds,
        chunkEntities: req.chunkEntities,
        progress,
        ...(retention ? { retention } : {}),
        ...(req.csvBackups ? { csv: true } : {}),
        ranges,
        ...(rangeSource !== "none" ? { rangeSource: rangeSource === "key files" ? "the last point's key files" : "keys found by probing" } : {}),
        scanConcurrency: req.scanConcurrency ?? 1,
        ...(latestSegment ? { expectedEntities: latestSegment.keyCount } : {}),
        // A big table's key scan: every range's keys are read by a task on the jobs queue.
        ...(fanout ? { keyScan: (since: string | null) => fanOutKeyScan(fanout, fanned("keys", since)) } : {}),
      });
    }

    const containerSegments: Record<string, ContainerSegment> = {};
    let objectBytes = 0;
    for (const container of containers) {
      lock.assertHeld();
      const r = await backupContainer({
        blobs: deps.blobs!,
        repo: deps.repo,
        keys: deps.keys,
        kek,
        pointId,
        container,
        previous: previous?.containers?.[container],
        chunkEntries: req.chunkEntities,
        progress,
        ...(retention ? { retention } : {}),
      });
      containerSegments[container] = r.segment;
      objectBytes += r.written;
    }
    const csegs = Object.values(containerSegments);

    const segs = Object.values(segments);
    const manifest: Manifest = {
      format: FORMAT_NAME,
      formatVersion: FORMAT_VERSION,
      tool: TOOL,
      pointId,
      kind,
      parent: previous?.pointId ?? null,
      startedAt: started.toISOString(),
      completedAt: now().toISOString(),
      kekId: kek.id,
      tables: segments,
      ...(containers.length > 0 ? { containers: containerSegments } : {}),
      ...(req.settings ? { settings: req.settings } : {}),
      totals: {
        entities: segs.reduce((n, s) => n + s.entities, 0),
        tombstones: segs.reduce((n, s) => n + s.tombstones, 0),
        // Data, key and index files, and the content objects this point wrote (not those it reuses).
        bytes: segs.reduce((n, s) => n + [...s.data, ...s.keys].reduce((b, f) => b + f.bytes, 0), 0) + csegs.reduce((n, c) => n + c.index.reduce((b, f) => b + f.bytes, 0), 0) + objectBytes,
        files: segs.reduce((n, s) => n + s.data.length + s.keys.length, 0) + csegs.reduce((n, c) => n + c.index.length, 0),
      },
    };
    lock.assertHeld();
    await commitManifest(deps.repo, kek, manifest, retention);
    return {
      status: "committed",
      pointId,
      kind,
      parent: manifest.parent,
      tables: Object.entries(segments).map(([table, s]) => ({ table, mode: s.mode, entities: s.entities, tombstones: s.tombstones })),
      containers: Object.entries(containerSegments).map(([container, c]) => ({ container, files: c.files, read: c.read, readBytes: c.readBytes, removed: c.removed, skipped: c.skipped })),
      entities: manifest.totals.entities,
      tombstones: manifest.totals.tombstones,
      bytes: manifest.totals.bytes,
      durationMs: now().getTime() - started.getTime(),
      settingsChanged: req.settings && latestManifest?.settings ? settingsChanges(latestManifest.settings, req.settings) : [],
      warnings: [
        ...clockWarning(clockOffsetMs, req.overlapSeconds),
        ...csegs.flatMap((c, i) => c.skipped.map((x) => `${Object.keys(containerSegments)[i]}/${x.path} is not in this point: ${x.reason}`)),
      ],
    };
  } finally {
    await lock.release();
  }
}

/**
 * A warning when the local clock is off the storage service's by more than a tenth of
 * the overlap: watermarks use the service's clock, but the schedule, point ids and ages
 * use the local one. None otherwise.
 */
export function clockWarning(localAheadMs: number, overlapSeconds: number): string[] {
  if (Math.abs(localAheadMs) <= Math.max(overlapSeconds * 100, 1000)) return [];
  const s = (Math.abs(localAheadMs) / 1000).toFixed(1);
  return [
    `the local clock is ${s} s ${localAheadMs > 0 ? "ahead of" : "behind"} the storage service's (more than a tenth of LIFEBOAT_OVERLAP_SECONDS): ` +
      `watermarks use the service's clock, so no change is missed, but point times and RPO ages are off by as much; fix the host's time sync`,
  ];
}
