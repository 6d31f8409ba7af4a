import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import type { TableStore } from "../ports/TableStore";
import { chainFor, listPoints, loadManifest } from "../repo/catalog";
import { recordCreatedTable } from "../repo/created-tables";
import { noProgress, type ProgressSink } from "../progress";
import { restoreTable, type TableRestoreResult } from "./restore-table";
import { IntegrityError, LifeboatError, NotFoundError, ValidationError } from "../../core/errors";
import { choosePointAt } from "../../core/policy/pitr";
import { describeRejected } from "../../core/entity/rejected";
import type { Manifest } from "../../format/manifest";
import { CONTAINER_NAME, CONTAINER_NAME_RULE, TABLE_NAME, TABLE_NAME_RULE } from "../../core/names";
import type { BlobSource } from "../ports/BlobSource";
import { readIndex } from "../containers/backup-container";
import { restoreContainer, strayBlobs, type ContainerRestoreResult } from "../containers/restore-container";

export interface RestoreDeps {
  source: TableStore;
  /** The source account's blob containers: needed to restore containers. */
  blobs?: BlobSource;
  repo: BackupStore;
  keys: KeyProvider;
  progress?: ProgressSink;
  /**
   * Takes the safety backup of the live tables and containers before an in-place restore;
   * returns its point id, or null for a target that explicitly needs none (a standby
   * account that a failover overwrites: see app/failover).
   */
  safetyBackup?: (what: { tables: string[]; containers: string[] }) => Promise<string | null>;
}

export type RestoreTarget = { kind: "prefix"; prefix: string } | { kind: "inPlace" };

export interface RestoreRequest {
  /** Latest point at or before this instant. Neither at nor pointId: the latest point. */
  at?: Date;
  pointId?: string;
  /** Tables to restore. Neither tables nor containers: everything the point holds. Containers only: no table. */
  tables?: string[];
  /** Blob containers to restore (into <prefix>-<container>, or in place). */
  containers?: string[];
  target: RestoreTarget;
  dryRun?: boolean;
  concurrency: number;
  /** PartitionKey ranges each table's verification reads at once (default 1). */
  scanConcurrency?: number;
}

export interface RestorePlan {
  pointId: string;
  pointTime: string;
  inPlace: boolean;
  tables: { table: string; target: string; chain: string[]; maxEntities: number }[];
  containers: { container: string; target: string; files: number; bytes: number; deletes?: number }[];
  /** Why the point is not the newest one, when a newer one was passed over as damaged. */
  note?: string;
}

export interface RestoreResult {
  plan: RestorePlan;
  dryRun: boolean;
  safetyPointId: string | null;
  tables: TableRestoreResult[];
  containers: ContainerRestoreResult[];
  durationMs: number;
}

/**
 * Checks what can be checked of a restore request without reading anything: one of
 * time and point, the target prefix, the table names and the names they make. Callers
 * run it before connecting, so bad input is refused even when storage is down.
 * Throws ValidationError naming the field and the rule.
 */
export function checkRestoreRequest(req: Pick<RestoreRequest, "at" | "pointId" | "tables" | "containers" | "target">): void {
  if (req.at && req.pointId) throw new ValidationError("--at/--point", "give a time or a point id, not both");
  if (req.target.kind === "prefix" && !/^[A-Za-z][A-Za-z0-9]*$/.test(req.target.prefix)) {
    throw new ValidationError("target-prefix", "must start with a letter and hold only letters and digits (table name rules)");
  }
  for (const t of req.tables ?? []) {
    if (!TABLE_NAME.test(t)) throw new ValidationError("tables", `${JSON.stringify(t)} is not a table name (${TABLE_NAME_RULE})`);
    const target = req.target.kind === "inPlace" ? t : `${req.target.prefix}${t}`;
    if (!TABLE_NAME.test(target)) throw new ValidationError("target-prefix", `makes ${target}, not a valid table name (${TABLE_NAME_RULE})`);
  }
  for (const c of req.containers ?? []) {
    if (!CONTAINER_NAME.test(c)) throw new ValidationError("containers", `${JSON.stringify(c)} is not a container name (${CONTAINER_NAME_RULE})`);
    const target = containerTarget(req.target, c);
    if (!CONTAINER_NAME.test(target)) throw new ValidationError("target-prefix", `makes container ${target}, not a valid container name (${CONTAINER_NAME_RULE})`);
  }
}

/** Where a container is restored to: itself in place, else `<prefix, lowercase>-<container>`. */
export function containerTarget(target: RestoreTarget, container: string): string {
  return target.kind === "inPlace" ? container : `${target.prefix.toLowerCase()}-${container}`;
}

/**
 * Plans a restore without writing anything: validates the request, picks the point,
 * resolves each table's chain. Throws ValidationError (bad input), NotFoundError
 * (no such point), IntegrityError (a broken chain).
 */
export async function planRestore(deps: RestoreDeps, req: RestoreRequest): Promise<{ plan: RestorePlan; head: Manifest; chains: Map<string, Manifest[]> }> {
  checkRestoreRequest(req);
  const points = await listPoints(deps.repo);
  let pointId: string;
  if (req.pointId) {
    if (!points.some((p) => p.id === req.pointId)) {
      throw new NotFoundError("RESTORE.POINT_NOT_FOUND", `restore point ${req.pointId} does not exist (see: lifeboat points)`);
    }
    pointId = req.pointId;
  } else {
    const choice = choosePointAt(points, req.at ?? new Date(8.64e15));
    if (!choice.ok) throw new NotFoundError("RESTORE.POINT_NOT_FOUND", choice.reason);
    pointId = choice.id;
  }
  const cache = new Map<string, Manifest>();
  const load = async (id: string): Promise<Manifest> => {
    let m = cache.get(id);
    if (!m) {
      m = await loadManifest(deps.repo, deps.keys, id);
      // The overlap de-duplication list (up to 50k pairs per table) only serves the next
      // backup; a day's chain of 96 incrementals would otherwise keep hundreds of MB of it.
      for (const seg of Object.values(m.tables)) seg.recent = [];
      cache.set(id, m);
    }
    return m;
  };
  // "Identify the latest valid backup": with no point named, the newest whose manifest and
  // chain open (authenticated, on either store); passing over a damaged one is said, never silent.
  let choiceNote: string | undefined;
  if (!req.pointId && !req.at) {
    const damaged: string[] = [];
    for (const p of [...points].reverse()) {
      try {
        const m = await load(p.id);
        for (const t of Object.keys(m.tables)) await chainFor(m, t, load);
        pointId = p.id;
        break;
      } catch (err) {
        if (!(err instanceof IntegrityError)) throw err;
        damaged.push(`${p.id} (${err.message})`);
      }
    }
    if (damaged.length === points.length) throw new IntegrityError(`no restore point is usable: ${damaged.slice(0, 3).join("; ")}${damaged.length > 3 ? `; and ${damaged.length - 3} more` : ""}`);
    if (damaged.length > 0) choiceNote = `the newest point${damaged.length > 1 ? `s are` : " is"} damaged on every store: ${damaged.join("; ")}; restoring ${pointId}, the newest that opens`;
  }
  const head = await load(pointId);
  const available = Object.keys(head.tables).sort();
  const availableContainers = Object.keys(head.containers ?? {}).sort();
  const askedTables = req.tables !== undefined && req.tables.length > 0;
  const askedContainers = req.containers !== undefined && req.containers.length > 0;
  const tables = askedTables ? req.tables! : askedContainers ? [] : available;
  const containers = askedContainers ? req.containers! : askedTables ? [] : availableContainers;
  const missingContainers = containers.filter((c) => !head.containers?.[c]);
  if (missingContainers.length > 0) {
    throw new ValidationError("containers", `${missingContainers.join(", ")} not in restore point ${pointId} (it holds ${availableContainers.join(", ") || "no container"})`);
  }
  if (containers.length > 0 && !deps.blobs) throw new LifeboatError("CONFIG.MISSING", "restoring containers needs the source account's blob endpoint (LIFEBOAT_SOURCE__blobServiceUri)");
  const missing = tables.filter((t) => !head.tables[t]);
  if (missing.length > 0) {
    throw new ValidationError("tables", `${missing.join(", ")} not in restore point ${pointId} (it holds ${available.join(", ")})`);
  }
  const chains = new Map<string, Manifest[]>();
  const planned: RestorePlan["tables"] = [];
  for (const table of tables) {
    const target = req.target.kind === "inPlace" ? table : `${req.target.prefix}${table}`;
    if (!TABLE_NAME.test(target)) throw new ValidationError("target-prefix", `makes ${target}, not a valid table name (${TABLE_NAME_RULE})`);
    const chain = await chainFor(head, table, load);
    chains.set(table, chain);
    planned.push({ table, target, chain: chain.map((m) => m.pointId), maxEntities: chain.reduce((n, m) => n + (m.tables[table]?.entities ?? 0), 0) });
  }
  const plannedContainers: RestorePlan["containers"] = [];
  for (const container of containers) {
    const seg = head.containers![container]!;
    const target = containerTarget(req.target, container);
    // A dry run says what would be deleted too: the target's blobs the point does not hold.
    const deletes = req.dryRun ? (await strayBlobs(deps.blobs!, target, await readIndex(deps.repo, deps.keys, seg))).length : undefined;
    plannedContainers.push({ container, target, files: seg.files, bytes: seg.bytes, ...(deletes !== undefined ? { deletes } : {}) });
  }
  return {
    plan: { pointId, pointTime: head.startedAt, inPlace: req.target.kind === "inPlace", tables: planned, containers: plannedContainers, ...(choiceNote ? { note: choiceNote } : {}) },
    head,
    chains,
  };
}

/**
 * Restores tables to a point: each entity written once (newest version wins, deletions
 * applied), entities not in the point removed from the target, and the target verified
 * against the backup's content digest. An in-place restore first takes a safety backup.
 * Re-running after a crash finishes the job (writes are idempotent upserts).
 * Restores every table even when the service refuses some entities, then throws
 * RestoreIncompleteError naming them. Throws IntegrityError when a verification fails.
 */
export async function runRestore(deps: RestoreDeps, req: RestoreRequest): Promise<RestoreResult> {
  const started = Date.now();
  const { plan, chains, head } = await planRestore(deps, req);
  if (req.dryRun) return { plan, dryRun: true, safetyPointId: null, tables: [], containers: [], durationMs: Date.now() - started };

  let safetyPointId: string | null = null;
  if (plan.inPlace) {
    if (!deps.safetyBackup) throw new IntegrityError("an in-place restore needs a safety backup, and none is configured");
    safetyPointId = await deps.safetyBackup({ tables: plan.tables.map((t) => t.table), containers: plan.containers.map((c) => c.container) });
  }
  const results: TableRestoreResult[] = [];
  for (const t of plan.tables) {
    const chain = chains.get(t.table);
    if (!chain) throw new IntegrityError(`no chain planned for ${t.table}`);
    results.push(
      await restoreTable({
        store: deps.source,
        repo: deps.repo,
        keys: deps.keys,
        table: t.table,
        target: t.target,
        chain,
        concurrency: req.concurrency,
        ...(req.scanConcurrency ? { scanConcurrency: req.scanConcurrency } : {}),
        progress: deps.progress ?? noProgress,
        // A table the restore creates is Lifeboat's: recorded first, so "*" backups leave it out.
        ...(plan.inPlace ? {} : { onCreate: (target: string) => recordCreatedTable(deps.repo, deps.keys, { table: target, by: "restore", point: plan.pointId }) }),
      }),
    );
  }
  const containerResults: ContainerRestoreResult[] = [];
  for (const c of plan.containers) {
    containerResults.push(
      await restoreContainer({
        blobs: deps.blobs!,
        repo: deps.repo,
        keys: deps.keys,
        container: c.container,
        target: c.target,
        entries: () => readIndex(deps.repo, deps.keys, head.containers![c.container]!),
        bytes: c.bytes,
        progress: deps.progress ?? noProgress,
      }),
    );
  }
  const result: RestoreResult = { plan, dryRun: false, safetyPointId, tables: results, containers: containerResults, durationMs: Date.now() - started };
  if (results.some((t) => t.rejected.length > 0)) throw new RestoreIncompleteError(result);
  return result;
}

/** How many refused entities an error message (and so the audit entry) names; the result has them all. */
export const MAX_NAMED_REJECTED = 20;

/**
 * A restore that wrote and verified everything except entities the table service
 * refused (each named with its table, keys and the service's message, never its values).
 * `result` is the whole result, every refused entity included. Code RESTORE.INCOMPLETE.
 */
export class RestoreIncompleteError extends LifeboatError {
  override readonly name = "RestoreIncompleteError";
  constructor(readonly result: RestoreResult) {
    const all = result.tables.flatMap((t) => t.rejected);
    const named = all.slice(0, MAX_NAMED_REJECTED).map(describeRejected);
    const more = all.length > named.length ? `; and ${all.length - named.length} more (see --json)` : "";
    super(
      "RESTORE.INCOMPLETE",
      `restore of point ${result.plan.pointId} is incomplete: the table service refused ${all.length} entit${all.length === 1 ? "y" : "ies"}, ` +
        `not written; everything else is restored and verified: ${named.join("; ")}${more}`,
    );
  }
}
