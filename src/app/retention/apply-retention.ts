import { ensureErrorType } from "../../core/errors";
import { planRetention, type Decision, type RetentionPlan, type RetentionPolicy } from "../../core/policy/retention";
import { decodeIndexLine } from "../../format/container-index";
import { exportPaths } from "../../format/config-export";
import { paths, type Manifest } from "../../format/manifest";
import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import { listExports, loadExport } from "../config-export/exports";
import { listPoints, loadManifest } from "../repo/catalog";
import { readLines } from "../repo/files";

/** Objects and files younger than this are never collected: a config export may be writing them (it takes no lock). */
export const GRACE_MS = 60 * 60 * 1000;

export interface RetentionDeps {
  repo: BackupStore;
  keys: KeyProvider;
  now?: () => Date;
}

/** What one run did, or would do (dry run). */
export interface RetentionResult {
  /** As of when the plan was made. */
  asOf: string;
  dryRun: boolean;
  /** The planner refused (the listing looked wrong): nothing was removed. */
  refused: string | null;
  points: Decision[];
  exports: Decision[];
  /** Points and exports removed, with why; and those whose removal failed (e.g. still immutable), with why. */
  removed: { id: string; reason: string }[];
  /** Expired points and exports whose immutability runs a little longer (an incremental's day): removed by a later run. */
  waiting: number;
  /** Kept points whose tier now asks for a later expiry than they were written with: their files were kept longer (WORM) and retagged. */
  extended: { id: string; tier: string; until: string }[];
  failed: { id: string; error: string }[];
  /** Files of points without a manifest (a crashed backup, an interrupted removal), and content objects no kept point or export references. */
  orphansRemoved: number;
  objectsRemoved: number;
  /** The backup lock was held by a running backup past the wait: nothing was done. */
  skipped?: string;
}

/** Every path under `prefix` whose first segment below it (the point id) satisfies `orphan`. */
async function orphanFiles(repo: BackupStore, prefix: string, orphan: (id: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for await (const o of repo.list(prefix)) {
    const id = o.path.slice(prefix.length).split("/")[0] ?? "";
    if (orphan(id)) out.push(o.path);
  }
  return out;
}

/**
 * Applies the retention tiers to the repository (core/policy/retention: which points and
 * config exports to keep, with why). Holds the backup lock, so no backup is writing. Each
 * removal is crash-safe: the manifest goes first (the point is gone at once), then its
 * files; then files of points that have no manifest (orphans of a crash) and content
 * objects that no kept point or export references, older than GRACE_MS. Nothing is removed
 * when the planner refuses. A removal the store refuses (an immutability policy that has
 * not expired) is reported and retried next run. `onRemoved` hears each removal and how
 * it went (for the audit log); what it throws stops the run.
 * Throws what reading the repository throws.
 */
export async function applyRetention(
  deps: RetentionDeps,
  req: {
    policy: RetentionPolicy;
    dryRun?: boolean;
    asOf?: Date;
    waitForLockSeconds?: number;
    graceMs?: number;
    onRemoved?: (kind: "point" | "export", d: Decision, error?: string) => Promise<void>;
    onExtended?: (d: Decision) => Promise<void>;
  },
): Promise<RetentionResult> {
  const now = req.asOf ?? (deps.now ?? (() => new Date()))();
  const base: RetentionResult = { asOf: now.toISOString(), dryRun: req.dryRun === true, refused: null, points: [], exports: [], removed: [], waiting: 0, extended: [], failed: [], orphansRemoved: 0, objectsRemoved: 0 };
  const lock = req.dryRun ? null : await deps.repo.tryLock("backup", req.waitForLockSeconds ?? 60);
  if (!req.dryRun && !lock) return { ...base, skipped: `a backup of ${deps.repo.description} holds the lock` };
  try {
    const listed = await listPoints(deps.repo);
    const manifests = new Map<string, Manifest>();
    const points = [];
    for (const p of listed) {
      let readable = true;
      try {
        manifests.set(p.id, await loadManifest(deps.repo, deps.keys, p.id));
      } catch {
        readable = false;
      }
      points.push({ id: p.id, kind: p.kind, time: p.time, parent: manifests.get(p.id)?.parent ?? p.parent, readable });
    }
    const exportList = await listExports(deps.repo);
    const plan: RetentionPlan = planRetention({ points, exports: exportList.map((e) => ({ id: e.id, time: new Date(e.time) })) }, req.policy, now);
    if (!plan.ok) return { ...base, refused: plan.reason };
    const result: RetentionResult = { ...base, points: plan.points, exports: plan.exports };
    if (req.dryRun) return result;

    const remove = async (kind: "point" | "export", d: Decision, manifestPath: string, filePrefixes: string[]): Promise<void> => {
      let error: string | undefined;
      try {
        await deps.repo.delete(manifestPath);
        for (const prefix of filePrefixes) for await (const o of deps.repo.list(prefix)) await deps.repo.delete(o.path);
        result.removed.push({ id: d.id, reason: d.reason });
      } catch (err) {
        error = ensureErrorType(err).message;
        result.failed.push({ id: d.id, error });
      }
      await req.onRemoved?.(kind, d, error);
    };
    // A point out of its tier may still be immutable for a while (the incremental tier's
    // extra day): it waits for a later run instead of failing every one until then.
    const due = (d: Decision): boolean => {
      if (d.expiresAt && d.expiresAt.getTime() > now.getTime()) {
        result.waiting++;
        return false;
      }
      return true;
    };
    for (const d of plan.points.filter((x) => !x.keep && due(x))) await remove("point", d, paths.manifest(d.id), [paths.dataPrefix(d.id), `containers/${d.id}/`]);

    // A kept point whose tier now needs a later expiry than it was written with (a point
    // that became a weekly, a longer tier setting): its files are kept longer and retagged.
    const recorded = new Map<string, string>();
    for await (const o of deps.repo.list(paths.manifestPrefix)) {
      const until = o.retainUntil ?? o.metadata.retainUntil;
      if (until) recorded.set(o.path, until);
    }
    for (const d of plan.points.filter((x) => x.keep && x.expiresAt)) {
      const was = recorded.get(paths.manifest(d.id));
      if (!was || new Date(was).getTime() >= d.expiresAt!.getTime() || !deps.repo.extendRetention) continue;
      const retention = { tier: d.tier, until: d.expiresAt! };
      const files: string[] = [paths.manifest(d.id)];
      for (const prefix of [paths.dataPrefix(d.id), `containers/${d.id}/`]) for await (const o of deps.repo.list(prefix)) files.push(o.path);
      for (const seg of Object.values(manifests.get(d.id)?.containers ?? {})) {
        for (const f of seg.index) for (const line of await readLines(deps.repo, deps.keys, f)) for (const [id] of decodeIndexLine(line).blocks) files.push(paths.object(id));
      }
      for (const path of new Set(files)) await deps.repo.extendRetention(path, retention);
      result.extended.push({ id: d.id, tier: d.tier, until: d.expiresAt!.toISOString() });
      await req.onExtended?.(d);
    }
    for (const d of plan.exports.filter((x) => !x.keep && due(x))) await remove("export", d, exportPaths.manifest(d.id), []);

    // Orphans: files of points that have no manifest (we hold the lock: no backup is writing them).
    const live = new Set((await listPoints(deps.repo)).map((p) => p.id));
    const orphans = [...(await orphanFiles(deps.repo, "data/", (id) => !live.has(id))), ...(await orphanFiles(deps.repo, "containers/", (id) => !live.has(id)))];
    for (const path of orphans) await deps.repo.delete(path);
    result.orphansRemoved = orphans.length;

    // Content objects no kept point or export references, older than the grace period by
    // the real clock (the plan's instant may be another).
    const grace = req.graceMs ?? GRACE_MS;
    const oldEnough = (modified?: string): boolean => modified === undefined || Date.now() - new Date(modified).getTime() > grace;
    const referenced = new Set<string>();
    for (const p of plan.points.filter((x) => x.keep)) {
      for (const seg of Object.values(manifests.get(p.id)?.containers ?? {})) {
        for (const f of seg.index) for (const line of await readLines(deps.repo, deps.keys, f)) for (const [id] of decodeIndexLine(line).blocks) referenced.add(id);
      }
    }
    for (const e of plan.exports.filter((x) => x.keep)) {
      const m = await loadExport(deps.repo, deps.keys, e.id);
      for (const c of Object.values(m.containers)) for (const f of c.files) for (const [id] of f.blocks) referenced.add(id);
    }
    let objectsRemoved = 0;
    for await (const o of deps.repo.list("objects/")) {
      const id = o.path.slice(o.path.lastIndexOf("/") + 1).replace(/\.lbe$/, "");
      if (!referenced.has(id) && oldEnough(o.modified)) {
        await deps.repo.delete(o.path);
        objectsRemoved++;
      }
    }
    result.objectsRemoved = objectsRemoved;
    return result;
  } finally {
    await lock?.release();
  }
}
