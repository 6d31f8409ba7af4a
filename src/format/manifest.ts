import { z } from "zod";

/** The archive format this build writes and reads. Bumped on incompatible change. */
export const FORMAT_NAME = "lifeboat-archive";
export const FORMAT_VERSION = 1;

/** Where things live inside the repository container. See docs/format.md. */
export const paths = {
  manifest: (pointId: string) => `points/${pointId}.manifest.lbe`,
  manifestPrefix: "points/",
  dataFile: (pointId: string, table: string, seq: number) =>
    `data/${pointId}/${table}/d-${String(seq).padStart(6, "0")}.ndjson.gz.lbe`,
  keyFile: (pointId: string, table: string, seq: number) =>
    `data/${pointId}/${table}/k-${String(seq).padStart(6, "0")}.ndjson.gz.lbe`,
  /** A typed-CSV copy of part of a table (full segments, LIFEBOAT_CSV_BACKUPS=full): Storage Explorer's layout, gzipped and sealed. */
  csvFile: (pointId: string, table: string, seq: number) =>
    `data/${pointId}/${table}/c-${String(seq).padStart(6, "0")}.csv.gz.lbe`,
  /**
   * A file a backup range task wrote (a big table's scan fanned out over instances): range
   * `range` (six digits, in key order), the task's `attempt`-th claim, the `seq`-th file of
   * its kind (d data, k keys, c typed CSV). Each attempt writes its own names: the repository is append-only.
   */
  rangeFile: (pointId: string, table: string, range: string, attempt: number, kind: "d" | "k" | "c", seq: number) =>
    `data/${pointId}/${table}/r${range}-a${attempt}/${kind}-${String(seq).padStart(6, "0")}.${kind === "c" ? "csv" : "ndjson"}.gz.lbe`,
  /** A range task's report to the backup that waits for it (files, counts, digest): sealed JSON, not part of the point. */
  rangeResult: (pointId: string, table: string, range: string, attempt: number) => `data/${pointId}/${table}/r${range}-a${attempt}/result.json.lbe`,
  dataPrefix: (pointId: string) => `data/${pointId}/`,
  /** A container's index at a point: every blob and the content objects it is made of. */
  indexFile: (pointId: string, container: string, seq: number) => `containers/${pointId}/${container}/i-${String(seq).padStart(6, "0")}.ndjson.gz.lbe`,
  /** A block of file content, by its keyed content id (shared by every point and path that holds it). */
  object: (id: string) => `objects/${id.slice(0, 2)}/${id}.lbe`,
};

const POINT_ID = /^\d{8}T\d{9}Z-[fi][0-9a-f]{6}$/;

/** A restore point id sorts by creation time: `20261126T134500123Z-f1a2b3c`. */
export function newPointId(kind: PointKind, at: Date, random: string): string {
  const iso = at.toISOString(); // 2026-11-26T13:45:00.123Z
  const compact = iso.replace(/[-:]/g, "").replace(".", "");
  return `${compact}-${kind === "full" ? "f" : "i"}${random.slice(0, 6)}`;
}

export function isPointId(s: string): boolean {
  return POINT_ID.test(s);
}

/** The instant a point id was created at. */
export function pointIdTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(id);
  if (!m) throw new Error(`not a restore point id: ${id}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
}

const fileRef = z.object({
  path: z.string(),
  /** SHA-256 (hex) of the stored (encrypted) bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Stored size in bytes. */
  bytes: z.number().int().nonnegative(),
  /** NDJSON lines inside. */
  records: z.number().int().nonnegative(),
  /** Key files and a full segment's data files: the PartitionKey of the first line (where later scans split the table into ranges). */
  firstPk: z.string().optional(),
});
export type FileRef = z.infer<typeof fileRef>;

const tableSegment = z.object({
  /** "full": data holds every entity; "incremental": changes since `since` plus tombstones. */
  mode: z.enum(["full", "incremental"]),
  /** Lower bound of the Timestamp query (watermark of the parent minus the overlap), or null for full. */
  since: z.string().nullable(),
  /** When this table's scan started (7 fractional digits); the next incremental reads from it, less the overlap. */
  watermark: z.string().nullable(),
  entities: z.number().int().nonnegative(),
  tombstones: z.number().int().nonnegative(),
  data: z.array(fileRef),
  /** The complete key set of the table at this point (for the next deletion diff). */
  keys: z.array(fileRef),
  keyCount: z.number().int().nonnegative(),
  /**
   * Entities near the watermark as [sha256(pk\0rk) hex prefix, etag]: the next incremental
   * re-reads the overlap window and skips these unchanged ones.
   */
  recent: z.array(z.tuple([z.string(), z.string()])),
  /** Order-independent digest of the table's full content at this point (see docs/format.md). */
  contentDigest: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /**
   * Typed-CSV copies of the table's entities (docs/format.md §11), written from the same scan
   * as `data`: full segments only, when CSV backups are on; absent otherwise and in points
   * taken before they existed. Each file is a complete CSV with its own header; `records` counts its rows.
   */
  csv: z.array(fileRef).optional(),
});
export type TableSegment = z.infer<typeof tableSegment>;

const containerSegment = z.object({
  /** "full": every blob's content was read; "incremental": blobs unchanged since the parent (ETag, Last-Modified) reuse its content objects. */
  mode: z.enum(["full", "incremental"]),
  /** Blobs in the index, and their content size in bytes. */
  files: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** Blobs whose content this point read from the source, and how many bytes. */
  read: z.number().int().nonnegative(),
  readBytes: z.number().int().nonnegative(),
  /** Paths in the parent's index that no longer exist (deletions; the index simply lacks them). */
  removed: z.number().int().nonnegative(),
  /** The complete index of the container at this point (format/container-index.ts lines). */
  index: z.array(fileRef),
  /** Blobs left out of this point, with why (one that kept changing while it was read). */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type ContainerSegment = z.infer<typeof containerSegment>;

export const manifestSchema = z.object({
  format: z.literal(FORMAT_NAME),
  formatVersion: z.literal(FORMAT_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  pointId: z.string().regex(POINT_ID),
  kind: z.enum(["full", "incremental"]),
  /** The point this one builds on (null for a full). */
  parent: z.string().nullable(),
  startedAt: z.string(),
  completedAt: z.string(),
  /** The KEK id every file of this point was encrypted under. */
  kekId: z.string(),
  tables: z.record(z.string(), tableSegment),
  /** Blob containers in this point (absent in points taken before containers were backed up). */
  containers: z.record(z.string(), containerSegment).optional(),
  /** The non-secret settings the point was taken with (config/summary.ts), for change detection. */
  settings: z.record(z.string(), z.string()).optional(),
  totals: z.object({
    entities: z.number().int().nonnegative(),
    tombstones: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
  }),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type PointKind = Manifest["kind"];
