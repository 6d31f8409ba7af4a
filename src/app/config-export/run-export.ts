import { randomBytes } from "node:crypto";
import { configFileKind, envKeys, parseStatus } from "../../core/config-files/parse-status";
import { redactSettings } from "../../core/config-files/redact-settings";
import { NotFoundError } from "../../core/errors";
import { sealJson } from "../../format/chunk";
import { EXPORT_FORMAT_NAME, EXPORT_FORMAT_VERSION, exportPaths, newExportId, type ExportFile, type ExportManifest } from "../../format/config-export";
import { TOOL } from "../../version";
import type { BackupStore } from "../ports/BackupStore";
import type { BlobSource } from "../ports/BlobSource";
import type { KeyProvider } from "../ports/KeyProvider";
import { noProgress, ProgressMeter, type ProgressSink } from "../progress";
import { copyBlob } from "../containers/copy-blob";
import { listPoints } from "../repo/catalog";
import { listExports } from "./exports";
import type { RetentionPolicy } from "../../core/policy/retention";
import { retentionAtWrite } from "../retention/at-write";

/** Configuration files up to this size are parsed to check their syntax; larger ones are stored, not parsed. */
export const MAX_PARSED_BYTES = 10 * 1024 * 1024;

export interface ExportDeps {
  blobs: BlobSource;
  repo: BackupStore;
  keys: KeyProvider;
  now?: () => Date;
  progress?: ProgressSink;
}

/** A configuration file that does not parse, where and why (never its content). */
export interface ExportProblem {
  container: string;
  path: string;
  message: string;
}

export interface ExportResult {
  exportId: string;
  files: number;
  bytes: number;
  problems: ExportProblem[];
  skipped: { container: string; path: string; reason: string }[];
  durationMs: number;
}

/**
 * Writes one self-contained config export: every file of `containers` (content stored as
 * encrypted, deduplicated blocks; properties, metadata, tags and tier kept), each YAML,
 * JSON and .env file's parse status (a .env's variable names, never its values), and
 * Lifeboat's effective settings with secret values redacted; the sealed export manifest is
 * written last, so a crash leaves no export. Restorable on its own, without any restore
 * point. Throws NotFoundError (CONTAINER.NOT_FOUND) for a missing container, what the
 * stores throw otherwise.
 */
export async function runConfigExport(deps: ExportDeps, req: { containers: readonly string[]; settings: Record<string, string | undefined>; retention?: RetentionPolicy }): Promise<ExportResult> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  for (const c of req.containers) {
    if (!(await deps.blobs.containerExists(c))) throw new NotFoundError("CONTAINER.NOT_FOUND", `config container ${c} does not exist in the source account`);
  }
  await deps.repo.ensure();
  const kek = await deps.keys.active();
  const exportId = newExportId(started, randomBytes(4).toString("hex"));
  const retention = req.retention
    ? retentionAtWrite(
        { points: await listPoints(deps.repo), exports: (await listExports(deps.repo)).map((e) => ({ id: e.id, time: new Date(e.time) })) },
        { export: { id: exportId, time: started } },
        req.retention,
      )
    : undefined;
  const containers: ExportManifest["containers"] = {};
  const skipped: ExportResult["skipped"] = [];
  const problems: ExportProblem[] = [];
  for (const container of req.containers) {
    const files: ExportFile[] = [];
    let bytes = 0;
    const meter = new ProgressMeter(deps.progress ?? noProgress, "config export", container, { unit: "files" });
    for await (const listed of deps.blobs.list(container)) {
      const parsed = configFileKind(listed.path) !== null;
      const r = await copyBlob(deps.blobs, deps.repo, kek, container, listed, (b) => parsed && b.size <= MAX_PARSED_BYTES, retention);
      if (r.kind === "skipped") skipped.push({ container, path: listed.path, reason: r.reason });
      if (r.kind !== "stored") continue;
      const status = r.content ? parseStatus(listed.path, r.content) : parsed ? { kind: configFileKind(listed.path)!, ok: false as const, message: `not parsed: larger than ${MAX_PARSED_BYTES} bytes` } : null;
      if (status && !status.ok) problems.push({ container, path: listed.path, message: status.message });
      const keys = status?.kind === "env" && status.ok && r.content ? envKeys(r.content) : undefined;
      files.push({ ...r.entry, parse: status, ...(keys ? { envKeys: keys } : {}) });
      bytes += r.entry.size;
      meter.add(1, r.entry.size);
    }
    meter.done();
    containers[container] = { files, bytes };
  }
  const all = Object.values(containers);
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT_NAME,
    formatVersion: EXPORT_FORMAT_VERSION,
    tool: TOOL,
    exportId,
    startedAt: started.toISOString(),
    completedAt: now().toISOString(),
    kekId: kek.id,
    settings: redactSettings(req.settings),
    containers,
    skipped,
    totals: { files: all.reduce((n, c) => n + c.files.length, 0), bytes: all.reduce((n, c) => n + c.bytes, 0), problems: problems.length },
  };
  await deps.repo.put(exportPaths.manifest(exportId), await sealJson(manifest, kek), {
    ifNoneMatch: true,
    ...(retention ? { retention } : {}),
    metadata: {
      files: String(manifest.totals.files),
      bytes: String(manifest.totals.bytes),
      problems: String(problems.length),
      containers: req.containers.join(","),
      ...(retention ? { tier: retention.tier, retainUntil: retention.until.toISOString() } : {}),
    },
  });
  return { exportId, files: manifest.totals.files, bytes: manifest.totals.bytes, problems, skipped, durationMs: now().getTime() - started.getTime() };
}
