import { firstIssue, IntegrityError, NotFoundError } from "../../core/errors";
import { openJson } from "../../format/chunk";
import { exportManifestSchema, exportPaths, isExportId, type ExportManifest } from "../../format/config-export";
import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";

/** A config export as listed (from the listing index; loadExport reads the authenticated manifest). */
export interface ExportSummary {
  id: string;
  time: string;
  files: number;
  bytes: number;
  problems: number;
  containers: string[];
}

/** Every config export, oldest first. Throws what listing throws. */
export async function listExports(repo: BackupStore): Promise<ExportSummary[]> {
  const out: ExportSummary[] = [];
  for await (const o of repo.list(exportPaths.prefix)) {
    const id = o.path.slice(exportPaths.prefix.length).replace(/\.export\.lbe$/, "");
    if (!isExportId(id)) continue;
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(id)!;
    out.push({
      id,
      time: `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`,
      files: Number(o.metadata.files ?? "0"),
      bytes: Number(o.metadata.bytes ?? "0"),
      problems: Number(o.metadata.problems ?? "0"),
      containers: (o.metadata.containers ?? "").split(",").filter((c) => c.length > 0),
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * Reads, decrypts and validates one export's manifest. Throws NotFoundError
 * (RESTORE.POINT_NOT_FOUND) when missing, IntegrityError when it fails authentication.
 */
export async function loadExport(repo: BackupStore, keys: KeyProvider, id: string): Promise<ExportManifest> {
  let bytes: Buffer;
  try {
    bytes = await repo.get(exportPaths.manifest(id));
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError("RESTORE.POINT_NOT_FOUND", `config export ${id} does not exist (see: lifeboat config-exports)`, { cause: err });
    throw err;
  }
  const parsed = exportManifestSchema.safeParse(await openJson(bytes, (k) => keys.byId(k)));
  if (!parsed.success) throw new IntegrityError(`config export ${id}: ${firstIssue(parsed.error)}`);
  if (parsed.data.exportId !== id) throw new IntegrityError(`config export stored as ${id} names ${parsed.data.exportId}`);
  return parsed.data;
}
