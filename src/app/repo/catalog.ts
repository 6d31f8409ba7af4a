import type { BackupStore, Retention } from "../ports/BackupStore";
import type { Kek, KeyProvider } from "../ports/KeyProvider";
import { openJson, sealJson } from "../../format/chunk";
import { isPointId, manifestSchema, paths, pointIdTime, type Manifest, type PointKind } from "../../format/manifest";
import { firstIssue, IntegrityError, NotFoundError } from "../../core/errors";
import { readChecked } from "./files";

/**
 * A restore point as listed from the repository index (blob metadata on the manifest).
 * The index is for listing only: restores always read the encrypted, authenticated manifest.
 */
export interface PointSummary {
  id: string;
  kind: PointKind;
  time: Date;
  parent: string | null;
  entities: number;
  bytes: number;
  tables: string[];
  /** The blob containers the point holds (LIFEBOAT_CONTAINERS at the time). */
  containers: string[];
}

function summaryFrom(path: string, metadata: Record<string, string>): PointSummary | null {
  const id = path.slice(paths.manifestPrefix.length).replace(/\.manifest\.lbe$/, "");
  if (!isPointId(id)) return null;
  return {
    id,
    kind: id.includes("-f") ? "full" : "incremental",
    time: pointIdTime(id),
    parent: metadata.parent && metadata.parent !== "none" ? metadata.parent : null,
    entities: Number(metadata.entities ?? "0"),
    bytes: Number(metadata.bytes ?? "0"),
    tables: (metadata.tables ?? "").split(",").filter((t) => t.length > 0),
    containers: (metadata.containers ?? "").split(",").filter((c) => c.length > 0),
  };
}

/** Every committed restore point, oldest first. A point without a manifest does not exist. */
export async function listPoints(repo: BackupStore): Promise<PointSummary[]> {
  const points: PointSummary[] = [];
  for await (const o of repo.list(paths.manifestPrefix)) {
    const s = summaryFrom(o.path, o.metadata);
    if (s) points.push(s);
  }
  return points.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Reads, decrypts and validates one manifest.
 * Throws NotFoundError (RESTORE.POINT_NOT_FOUND) when missing, IntegrityError when it fails authentication.
 */
export async function loadManifest(repo: BackupStore, keys: KeyProvider, id: string): Promise<Manifest> {
  try {
    return await readChecked(repo, paths.manifest(id), async (bytes) => {
      const json = await openJson(bytes, (kekId) => keys.byId(kekId));
      const parsed = manifestSchema.safeParse(json);
      if (!parsed.success) throw new IntegrityError(`manifest of ${id}: ${firstIssue(parsed.error)}`);
      if (parsed.data.pointId !== id) throw new IntegrityError(`manifest stored as ${id} names point ${parsed.data.pointId}`);
      return parsed.data;
    });
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new NotFoundError("RESTORE.POINT_NOT_FOUND", `restore point ${id} does not exist in ${repo.description}`, { cause: err });
    }
    throw err;
  }
}

/** Commits a restore point: the manifest is written last and never overwritten (invariant 1). */
export async function commitManifest(repo: BackupStore, kek: Kek, manifest: Manifest, retention?: Retention): Promise<void> {
  const sealed = await sealJson(manifest, kek);
  await repo.put(paths.manifest(manifest.pointId), sealed, {
    ifNoneMatch: true,
    ...(retention ? { retention } : {}),
    metadata: {
      kind: manifest.kind,
      parent: manifest.parent ?? "none",
      entities: String(manifest.totals.entities),
      bytes: String(manifest.totals.bytes),
      tables: Object.keys(manifest.tables).join(","),
      ...(manifest.containers ? { containers: Object.keys(manifest.containers).join(",") } : {}),
      ...(retention ? { tier: retention.tier, retainUntil: retention.until.toISOString() } : {}),
    },
  });
}

/**
 * The manifests needed to rebuild `table` at point `head`: from head back to the
 * nearest point whose segment for that table is a full one, newest first.
 * Throws IntegrityError when a parent is missing (a broken chain).
 */
export async function chainFor(
  head: Manifest,
  table: string,
  load: (id: string) => Promise<Manifest>,
): Promise<Manifest[]> {
  const chain: Manifest[] = [];
  let m: Manifest | undefined = head;
  while (m) {
    const seg = m.tables[table];
    if (!seg) throw new IntegrityError(`point ${m.pointId} has no segment for table ${table}, but ${head.pointId} builds on it`);
    chain.push(m);
    if (seg.mode === "full") return chain;
    if (!m.parent) throw new IntegrityError(`incremental point ${m.pointId} has no parent`);
    try {
      m = await load(m.parent);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new IntegrityError(`restore chain of ${head.pointId} is broken: parent ${m.parent} is missing`);
      }
      throw err;
    }
  }
  return chain;
}
