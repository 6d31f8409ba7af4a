import { AlreadyExistsError, IntegrityError } from "../../core/errors";
import { sha256Hex } from "../../core/hash";
import { exportPaths } from "../../format/config-export";
import { decodeIndexLine } from "../../format/container-index";
import { paths, type FileRef } from "../../format/manifest";
import type { BackupStore, Retention } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import { noProgress, ProgressMeter, type ProgressSink } from "../progress";
import { listExports, loadExport } from "../config-export/exports";
import { listPoints, loadManifest } from "../repo/catalog";
import { readLines } from "../repo/files";

/** What one replication did: the points and exports it copied, and the bytes. */
export interface ReplicationResult {
  from: string;
  to: string;
  points: string[];
  exports: string[];
  files: number;
  bytes: number;
}

/**
 * Writes `bytes` to `to` at `path` unless an identical copy is there, then reads it back
 * and checks its size and SHA-256 (`expect`, else the bytes' own). Throws IntegrityError
 * when the copy there differs.
 */
async function copyVerified(to: BackupStore, path: string, bytes: Buffer, expect: { sha256: string; bytes: number }, metadata?: Record<string, string>, retention?: Retention): Promise<boolean> {
  let wrote = true;
  try {
    await to.put(path, bytes, { ifNoneMatch: true, ...(metadata ? { metadata } : {}), ...(retention ? { retention } : {}) });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    wrote = false; // copied before (an interrupted run, a shared object): checked below like a new copy
    if (retention) await to.extendRetention?.(path, retention);
  }
  const back = await to.get(path);
  if (back.length !== expect.bytes || sha256Hex(back) !== expect.sha256) {
    throw new IntegrityError(`${to.description}: ${path} does not match the source after copying (${back.length} bytes)`, { path });
  }
  return wrote;
}

/**
 * Copies every restore point and config export that `from` has and `to` lacks, oldest
 * first, as they are (encrypted: the copy never sees plaintext). Each file is checked
 * against the source's manifest (size and SHA-256) in `from` before and in `to` after it
 * is written, content objects against their source bytes; the manifest goes last, so a
 * point exists in `to` only once all its files do. An interrupted run leaves files
 * without a manifest, which the next run completes. With `newerOnly` (a back-fill), only
 * points and exports newer than the target's newest are copied. Throws IntegrityError when a source
 * file fails its check (that point is not copied), what the stores throw otherwise.
 */
export async function replicate(from: BackupStore, to: BackupStore, keys: KeyProvider, progress: ProgressSink = noProgress, options: { newerOnly?: boolean } = {}): Promise<ReplicationResult> {
  const result: ReplicationResult = { from: from.description, to: to.description, points: [], exports: [], files: 0, bytes: 0 };
  await to.ensure();
  const meter = new ProgressMeter(progress, "secondary copy", undefined, { unit: "files" });
  const copy = async (path: string, expect?: { sha256: string; bytes: number }, metadata?: Record<string, string>, retention?: Retention): Promise<void> => {
    const bytes = await from.get(path);
    const want = expect ?? { sha256: sha256Hex(bytes), bytes: bytes.length };
    if (bytes.length !== want.bytes || sha256Hex(bytes) !== want.sha256) throw new IntegrityError(`${from.description}: ${path} does not match its manifest; not copied`, { path });
    if (await copyVerified(to, path, bytes, want, metadata, retention)) {
      result.files++;
      result.bytes += bytes.length;
      meter.add(1, bytes.length);
    }
  };
  const objects = async (ids: Iterable<string>, retention?: Retention): Promise<void> => {
    for (const id of ids) {
      if (!(await to.exists(paths.object(id)))) await copy(paths.object(id), undefined, undefined, retention);
      else if (retention) await to.extendRetention?.(paths.object(id), retention);
    }
  };
  /** The tier and expiry the source recorded for a point or export (its manifest's metadata), to give the copy the same. */
  const retentionOf = (meta: Record<string, string> | undefined): Retention | undefined =>
    meta?.tier && meta.retainUntil ? { tier: meta.tier, until: new Date(meta.retainUntil) } : undefined;

  const targetPoints = (await listPoints(to)).map((p) => p.id);
  const there = new Set(targetPoints);
  // A back-fill copies only what is newer than the target's newest point: older points
  // the target lacks were removed there by retention, and must not come back.
  const newest = options.newerOnly ? (targetPoints.at(-1) ?? "") : "";
  const manifests = new Map<string, Record<string, string>>();
  for await (const o of from.list(paths.manifestPrefix)) manifests.set(o.path, o.metadata);
  for (const p of await listPoints(from)) {
    if (there.has(p.id) || p.id <= newest) continue;
    const m = await loadManifest(from, keys, p.id);
    const retention = retentionOf(manifests.get(paths.manifest(p.id)));
    const refs: FileRef[] = [...Object.values(m.tables).flatMap((s) => [...s.data, ...s.keys, ...(s.csv ?? [])]), ...Object.values(m.containers ?? {}).flatMap((c) => c.index)];
    for (const f of refs) await copy(f.path, { sha256: f.sha256, bytes: f.bytes }, undefined, retention);
    for (const c of Object.values(m.containers ?? {})) {
      const ids = new Set<string>();
      for (const f of c.index) for (const line of await readLines(from, keys, f)) for (const [id] of decodeIndexLine(line).blocks) ids.add(id);
      await objects(ids, retention);
    }
    await copy(paths.manifest(p.id), undefined, manifests.get(paths.manifest(p.id)), retention);
    result.points.push(p.id);
  }

  const targetExports = (await listExports(to)).map((e) => e.id);
  const exportsThere = new Set(targetExports);
  const newestExport = options.newerOnly ? (targetExports.at(-1) ?? "") : "";
  const exportMeta = new Map<string, Record<string, string>>();
  for await (const o of from.list(exportPaths.prefix)) exportMeta.set(o.path, o.metadata);
  for (const e of await listExports(from)) {
    if (exportsThere.has(e.id) || e.id <= newestExport) continue;
    const m = await loadExport(from, keys, e.id);
    const retention = retentionOf(exportMeta.get(exportPaths.manifest(e.id)));
    await objects(new Set(Object.values(m.containers).flatMap((c) => c.files.flatMap((f) => f.blocks.map(([id]) => id)))), retention);
    await copy(exportPaths.manifest(e.id), undefined, exportMeta.get(exportPaths.manifest(e.id)), retention);
    result.exports.push(e.id);
  }
  // The registry of tables Lifeboat created travels too (small, written once).
  for await (const o of from.list("registry/")) if (!(await to.exists(o.path))) await copy(o.path, undefined, o.metadata);
  meter.done();
  return result;
}
