import { ValidationError } from "../../core/errors";
import type { IndexEntry } from "../../format/container-index";
import type { ExportFile } from "../../format/config-export";
import type { BackupStore } from "../ports/BackupStore";
import type { BlobSource } from "../ports/BlobSource";
import type { KeyProvider } from "../ports/KeyProvider";
import { noProgress, type ProgressSink } from "../progress";
import { restoreContainer, strayBlobs } from "../containers/restore-container";
import { loadExport } from "./exports";

export interface RestoreConfigDeps {
  blobs: BlobSource;
  repo: BackupStore;
  keys: KeyProvider;
  progress?: ProgressSink;
  /** Exports the live containers first, before an in-place restore; returns the export's id. */
  safetyExport?: (containers: string[]) => Promise<string>;
}

export interface RestoreConfigRequest {
  exportId: string;
  /** Which container of the export (needed with a target container when the export holds several). */
  container?: string;
  target: { kind: "container"; name: string } | { kind: "inPlace" };
  dryRun?: boolean;
}

export interface RestoreConfigResult {
  exportId: string;
  dryRun: boolean;
  safetyExportId: string | null;
  containers: { container: string; target: string; files: number; bytes: number; deleted?: number; deletes?: number }[];
}

/** An export's files as a restore writes them (without their parse status). */
function entriesOf(files: readonly ExportFile[]): Map<string, IndexEntry> {
  return new Map(
    files.map((f) => {
      const { parse: _p, envKeys: _k, ...entry } = f;
      void _p;
      void _k;
      return [entry.path, entry];
    }),
  );
}

/**
 * Restores one config export: its containers (or the one named) into a target container
 * or in place (after a safety export of the live ones), every file written with its
 * properties and read back to compare its SHA-256; files the target holds that the export
 * does not are deleted. A dry run says what would be written and deleted. Throws
 * ValidationError for a container the export lacks or an ambiguous target, NotFoundError
 * for an unknown export, IntegrityError when a verification fails.
 */
export async function runConfigRestore(deps: RestoreConfigDeps, req: RestoreConfigRequest): Promise<RestoreConfigResult> {
  const m = await loadExport(deps.repo, deps.keys, req.exportId);
  const held = Object.keys(m.containers).sort();
  if (req.container !== undefined && !m.containers[req.container]) {
    throw new ValidationError("--container", `${req.container} is not in config export ${req.exportId} (it holds ${held.join(", ") || "nothing"})`);
  }
  const containers = req.container !== undefined ? [req.container] : held;
  if (req.target.kind === "container" && containers.length > 1) {
    throw new ValidationError("--container", `config export ${req.exportId} holds ${held.join(", ")}: name the one to restore into ${req.target.name}`);
  }
  const targetOf = (c: string): string => (req.target.kind === "container" ? req.target.name : c);
  if (req.dryRun) {
    const planned: RestoreConfigResult["containers"] = [];
    for (const c of containers) {
      const entries = entriesOf(m.containers[c]!.files);
      planned.push({ container: c, target: targetOf(c), files: entries.size, bytes: m.containers[c]!.bytes, deletes: (await strayBlobs(deps.blobs, targetOf(c), entries)).length });
    }
    return { exportId: req.exportId, dryRun: true, safetyExportId: null, containers: planned };
  }
  let safetyExportId: string | null = null;
  if (req.target.kind === "inPlace") {
    if (!deps.safetyExport) throw new ValidationError("--in-place", "needs a safety export, and none is configured");
    safetyExportId = await deps.safetyExport(containers);
  }
  const results: RestoreConfigResult["containers"] = [];
  for (const c of containers) {
    const r = await restoreContainer({
      blobs: deps.blobs,
      repo: deps.repo,
      keys: deps.keys,
      container: c,
      target: targetOf(c),
      entries: async () => entriesOf(m.containers[c]!.files),
      bytes: m.containers[c]!.bytes,
      progress: deps.progress ?? noProgress,
    });
    results.push({ container: c, target: r.target, files: r.files, bytes: r.bytes, deleted: r.deleted });
  }
  return { exportId: req.exportId, dryRun: false, safetyExportId, containers: results };
}
