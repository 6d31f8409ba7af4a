import { LifeboatError } from "../../core/errors";
import { audited } from "../audit";
import type { AppContext } from "../context";
import type { ProgressSink } from "../progress";
import { runConfigRestore, type RestoreConfigRequest, type RestoreConfigResult } from "./restore-config";
import { runConfigExport, type ExportResult } from "./run-export";

/** The blob source, or CONFIG.MISSING saying which setting gives it. */
function blobsOf(ctx: AppContext): NonNullable<AppContext["blobs"]> {
  if (!ctx.blobs) throw new LifeboatError("CONFIG.MISSING", "the config export needs the source account's blob endpoint (LIFEBOAT_SOURCE__blobServiceUri)");
  return ctx.blobs;
}

/**
 * Takes one config export of the configured config containers (or `containers`) as one
 * audited `config.export` action; files that do not parse are listed in the result and
 * the entry's details (the export itself succeeded). Throws ValidationError when no
 * container is configured, what runConfigExport throws, or AuditWriteError.
 */
export function takeConfigExport(ctx: AppContext, req: { operator: string; containers?: string[]; reason?: string; progress?: ProgressSink }): Promise<ExportResult> {
  const containers = req.containers ?? ctx.config.configContainers;
  return audited(
    ctx.audit,
    { operator: req.operator, action: "config.export", target: { containers }, ...(req.reason ? { details: { reason: req.reason } } : {}) },
    async () => {
      if (containers.length === 0) throw new LifeboatError("CONFIG.MISSING", "no config container is configured: set LIFEBOAT_CONFIG_CONTAINERS (or LIFEBOAT_CONTAINERS)");
      return runConfigExport({ blobs: blobsOf(ctx), repo: ctx.repo, keys: ctx.keys, ...(req.progress ? { progress: req.progress } : {}) }, { containers, settings: ctx.redactedSettings, retention: ctx.config.retention });
    },
    {
      changesData: true,
      targetOf: (r) => ({ export: r.exportId }),
      detailsOf: (r) => ({ export: r.exportId, files: r.files, bytes: r.bytes, problems: r.problems.length, firstProblems: r.problems.slice(0, 10), skipped: r.skipped }),
    },
  );
}

/**
 * Restores one config export as one audited action (`restore`, or `restore.dryRun`);
 * in place, a safety export of the live containers is taken first (its id is in the
 * result). Throws what runConfigRestore throws, or AuditWriteError.
 */
export function restoreConfigExport(ctx: AppContext, req: RestoreConfigRequest & { operator: string; progress?: ProgressSink; say?: (line: string) => void }): Promise<RestoreConfigResult> {
  const { operator, progress, say, ...request } = req;
  return audited(
    ctx.audit,
    {
      operator,
      action: request.dryRun ? "restore.dryRun" : "restore",
      target: { export: request.exportId, ...(request.container ? { container: request.container } : {}), into: request.target.kind === "inPlace" ? "in place" : `container ${request.target.name}` },
    },
    () =>
      runConfigRestore(
        {
          blobs: blobsOf(ctx),
          repo: ctx.repo,
          keys: ctx.keys,
          ...(progress ? { progress } : {}),
          safetyExport: async (containers) => {
            say?.(`taking a safety export of ${containers.join(", ")} before restoring in place`);
            const r = await takeConfigExport(ctx, { operator, containers, reason: "safety export before an in-place config restore" });
            say?.(`safety export: ${r.exportId}`);
            return r.exportId;
          },
        },
        request,
      ),
    { changesData: !request.dryRun, preflight: !request.dryRun, detailsOf: (r) => ({ export: r.exportId, safetyExport: r.safetyExportId, containers: r.containers }) },
  );
}
