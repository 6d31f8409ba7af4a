import { randomBytes } from "node:crypto";
import type { AppContext } from "../context";
import { listExports } from "../config-export/exports";
import { runConfigRestore } from "../config-export/restore-config";
import { failover } from "../failover/failover";
import { listPoints } from "../repo/catalog";
import { runRestore, type RestoreResult } from "../restore/run-restore";
import { dropScratch, scratchPrefix } from "../failover/switch-endpoint";
import { ensureErrorType, LifeboatError } from "../../core/errors";
import { errorText } from "../audit/audited";
import { exportCsv } from "../csv/export-csv";
import { importCsv } from "../csv/import-csv";
import { ContentDigest } from "../../core/entity/content-digest";
import type { DrillDeps, StepResult } from "./deps";

const notAvailable = (detail: string): StepResult => ({ outcome: "not available", detail });

/** Removes a drill's scratch tables and containers (each failure returned, none thrown). */
export async function removeScratch(deps: DrillDeps, prefix: string, containers: readonly string[]): Promise<string[]> {
  const failures = await dropScratch(deps.scratch.tables, prefix);
  for (const c of containers) {
    try {
      await deps.scratch.blobs?.deleteContainer(c);
    } catch (err) {
      failures.push(`${c}: ${ensureErrorType(err).message}`);
    }
  }
  return failures;
}

/** The restore throughput a result shows, over its whole time (writes and the verifying scan). */
function rates(r: RestoreResult): { entities: number; bytes: number; entitiesPerSecond: number; containerBytesPerSecond?: number } {
  const seconds = Math.max(r.durationMs / 1000, 0.001);
  const entities = r.tables.reduce((n, t) => n + t.entities, 0);
  const bytes = r.containers.reduce((n, c) => n + c.bytes, 0);
  return { entities, bytes, entitiesPerSecond: entities / seconds, ...(bytes > 0 ? { containerBytesPerSecond: bytes / seconds } : {}) };
}

/**
 * Restores `pointId` (the newest point without one) into scratch tables and containers
 * of the drill account, verified against the backup as every restore is. The scratch
 * copies are the caller's to remove (`scratchContainers` names them).
 */
export async function scratchRestore(deps: DrillDeps, prefix: string, pointId?: string): Promise<{ result: RestoreResult; scratchContainers: string[] }> {
  const scratchContainers: string[] = [];
  const result = await runRestore(
    { source: deps.scratch.tables, ...(deps.scratch.blobs ? { blobs: deps.scratch.blobs } : {}), repo: deps.repo, keys: deps.keys },
    { ...(pointId ? { pointId } : {}), target: { kind: "prefix", prefix }, concurrency: deps.config.restoreConcurrency },
  );
  for (const c of result.containers) scratchContainers.push(c.target);
  return { result, scratchContainers };
}

/** restore-test: the newest point restored into scratch copies and verified; the rates measured. */
export async function restoreTest(
  deps: DrillDeps,
  prefix: string,
  cleanup: string[],
): Promise<StepResult & { measured?: ReturnType<typeof rates> & { pointId: string; pointTime: string }; restored?: { pointId: string; tables: { table: string; target: string; entities: number }[] } }> {
  if ((await listPoints(deps.repo)).length === 0) return { outcome: "failed", detail: "the repository holds no restore point" };
  const containersBefore = deps.config.containers.map((c) => `${prefix.toLowerCase()}-${c}`);
  cleanup.push(...containersBefore);
  try {
    const { result, scratchContainers } = await scratchRestore(deps, prefix);
    cleanup.push(...scratchContainers.filter((c) => !cleanup.includes(c)));
    const r = rates(result);
    return {
      outcome: "passed",
      detail: `point ${result.plan.pointId} (${result.plan.pointTime}): ${result.tables.length} table(s), ${r.entities} entities, ${result.containers.length} container(s) restored into ${prefix}… and verified${result.plan.note ? `; ${result.plan.note}` : ""}`,
      figures: { point: result.plan.pointId, entities: r.entities, bytes: r.bytes, seconds: result.durationMs / 1000, entitiesPerSecond: Math.round(r.entitiesPerSecond) },
      measured: { ...r, pointId: result.plan.pointId, pointTime: result.plan.pointTime },
      restored: { pointId: result.plan.pointId, tables: result.tables.map((t) => ({ table: t.table, target: t.target, entities: t.entities })) },
    };
  } catch (err) {
    return { outcome: "failed", detail: errorText(err) ?? "failed" };
  }
}

/** config-restore-test: the newest config export restored into scratch containers, each file read back and compared. */
export async function configRestoreTest(deps: AppContext & Pick<DrillDeps, "scratch">, prefix: string, cleanup: string[]): Promise<StepResult> {
  if (deps.config.configContainers.length === 0) return notAvailable("no config container is configured (LIFEBOAT_CONFIG_CONTAINERS)");
  if (!deps.scratch.blobs) return notAvailable("the drill account has no blob endpoint");
  const exports = await listExports(deps.repo);
  const latest = exports.at(-1);
  if (!latest) return { outcome: "failed", detail: "no config export exists (the nightly configExport has not run, or every export expired)" };
  const started = Date.now();
  let files = 0;
  let bytes = 0;
  try {
    for (const container of latest.containers) {
      const target = `${prefix.toLowerCase()}-${container}`.slice(0, 63);
      cleanup.push(target);
      const r = await runConfigRestore({ blobs: deps.scratch.blobs, repo: deps.repo, keys: deps.keys }, { exportId: latest.id, container, target: { kind: "container", name: target } });
      for (const c of r.containers) {
        files += c.files;
        bytes += c.bytes;
      }
    }
  } catch (err) {
    return { outcome: "failed", detail: `config export ${latest.id}: ${errorText(err) ?? "failed"}` };
  }
  const seconds = (Date.now() - started) / 1000;
  return { outcome: "passed", detail: `config export ${latest.id} (${latest.time}): ${files} file(s) of ${latest.containers.join(", ")} restored and read back`, figures: { export: latest.id, files, bytes, seconds } };
}

/**
 * failover-simulation: a failover dry run with the primary backup store treated as
 * unreachable (the secondary serves the backups); measures the time to a verified
 * standby and the data-loss window.
 */
export async function failoverSimulation(deps: DrillDeps, operator: string): Promise<StepResult & { timeToStandbyMinutes?: number; dataLossMinutes?: number }> {
  if (!deps.failover.site) return notAvailable("no failover account is configured (LIFEBOAT_FAILOVER)");
  if (!deps.secondary) return notAvailable("no secondary store is configured (LIFEBOAT_SECONDARY or LIFEBOAT_SECONDARY_PATH): an outage of the primary backup store cannot be simulated");
  try {
    const r = await failover(deps.readingFrom("secondary"), { operator, reason: "drill: failover simulation (primary backup store treated as unreachable)", dryRun: true, ...(deps.now ? { now: deps.now } : {}) });
    const minutes = r.timeToVerifiedStandbyMs / 60_000;
    return {
      outcome: "passed",
      detail: `dry run from the secondary store: point ${r.pointId} restored into the failover account and verified (${r.tables.length} table(s)); nothing switched`,
      figures: { point: r.pointId, timeToStandbySeconds: Math.round(r.timeToVerifiedStandbyMs / 100) / 10, dataLossSeconds: r.dataLossWindowSeconds },
      timeToStandbyMinutes: minutes,
      dataLossMinutes: r.dataLossWindowSeconds / 60,
    };
  } catch (err) {
    if (err instanceof LifeboatError && err.code === "CONFIG.MISSING") return notAvailable(err.message);
    return { outcome: "failed", detail: errorText(err) ?? "failed" };
  }
}

/**
 * Point-in-time restores at `count` random instants across the retention window: each
 * restored into scratch tables and verified against what the backup says the tables held
 * then (the restore's own verification). Passed when every one verifies.
 */
export async function pointInTimeRestores(deps: DrillDeps, count: number, cleanup: string[]): Promise<StepResult> {
  const points = await listPoints(deps.repo);
  if (points.length < 2) return notAvailable(`the repository holds ${points.length} point(s): nothing to choose instants between`);
  const picks = new Set<string>();
  for (let i = 0; i < count * 4 && picks.size < Math.min(count, points.length); i++) picks.add(points[randomBytes(2).readUInt16BE(0) % points.length]!.id);
  const done: string[] = [];
  for (const id of picks) {
    const prefix = scratchPrefix();
    try {
      const { result, scratchContainers } = await scratchRestore(deps, prefix, id);
      done.push(`${id}: ${result.tables.reduce((n, t) => n + t.entities, 0)} entities verified`);
      cleanup.push(...scratchContainers);
    } catch (err) {
      return { outcome: "failed", detail: `point ${id}: ${errorText(err) ?? "failed"}` };
    } finally {
      await dropScratch(deps.scratch.tables, prefix);
    }
  }
  return { outcome: "passed", detail: `${done.length} point(s) restored and verified: ${done.join("; ")}`, figures: { points: done.length } };
}

/** A table's content digest, read by one scan. */
async function tableDigest(store: DrillDeps["scratch"]["tables"], table: string): Promise<ContentDigest> {
  const d = new ContentDigest();
  for await (const page of store.scan(table)) for (const r of page) d.add(r);
  return d;
}

/**
 * The CSV round trip of a full drill: the smallest table of the point the restore test
 * restored, exported as typed CSV, imported (validate, then apply) into a scratch table,
 * and compared exactly with the restore test's copy of the same table.
 */
export async function csvRoundTrip(deps: DrillDeps, prefix: string, restored: { pointId: string; tables: { table: string; target: string; entities: number }[] } | null, operator: string): Promise<StepResult> {
  if (!restored || restored.tables.length === 0) return { outcome: "failed", detail: "the restore test restored no table to compare with" };
  const t = [...restored.tables].sort((a, b) => a.entities - b.entities)[0]!;
  const chunks: string[] = [];
  const exported = await exportCsv(deps, {
    pointId: restored.pointId,
    tables: [t.table],
    operator,
    open: async () => ({ write: async (text) => void chunks.push(text), close: async () => undefined }),
  });
  const target = `${prefix}Csv${t.table}`.slice(0, 63);
  const bytes = Buffer.from(chunks.join(""), "utf8");
  const source = async function* (): AsyncGenerator<Buffer> {
    yield bytes;
  };
  const ctx = { ...deps, source: deps.scratch.tables };
  const report = await importCsv(ctx, { table: target, mode: "apply", create: true, inferTypes: false, source, totalBytes: bytes.length, operator });
  const [imported, expected] = await Promise.all([tableDigest(deps.scratch.tables, target), tableDigest(deps.scratch.tables, t.target)]);
  const rows = exported.tables[0]?.rows ?? 0;
  if (!imported.equals(expected)) {
    return { outcome: "failed", detail: `table ${t.table}: ${rows} rows exported and ${report.written} imported, but the imported table (${imported.count} entities) differs from the restored one (${expected.count})` };
  }
  return { outcome: "passed", detail: `table ${t.table}: ${rows} rows exported as typed CSV (${bytes.length} bytes), imported into ${target}, identical to the restored table`, figures: { table: t.table, rows, bytes: bytes.length } };
}
