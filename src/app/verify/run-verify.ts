import { openCsvCopy } from "../csv/csv-backup-writer";
import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";
import { listPoints, loadManifest } from "../repo/catalog";
import { ProgressMeter, noProgress, type ProgressSink } from "../progress";
import { ensureErrorType, NotFoundError } from "../../core/errors";
import { sha256Hex } from "../../core/hash";
import { openLines } from "../../format/chunk";
import { paths, type FileRef } from "../../format/manifest";
import { decodeIndexLine } from "../../format/container-index";
import { readContent } from "../containers/content-store";

export interface VerifyProblem {
  pointId: string;
  path: string;
  problem: string;
}

export interface VerifyResult {
  points: number;
  files: number;
  bytes: number;
  problems: VerifyProblem[];
}

/**
 * Decrypts and checks every file of the given points (default: all): size, SHA-256,
 * authentication tag, record count, and that each incremental's parent exists.
 * Collects every problem instead of stopping at the first. Throws only when the
 * repository itself cannot be read, or NotFoundError for an unknown point id.
 */
export async function runVerify(
  deps: { repo: BackupStore; keys: KeyProvider; progress?: ProgressSink },
  req: { pointId?: string },
): Promise<VerifyResult> {
  const all = await listPoints(deps.repo);
  const ids = new Set(all.map((p) => p.id));
  let targets = all.map((p) => p.id);
  if (req.pointId) {
    if (!ids.has(req.pointId)) throw new NotFoundError("RESTORE.POINT_NOT_FOUND", `restore point ${req.pointId} does not exist (see: lifeboat points)`);
    targets = [req.pointId];
  }
  const result: VerifyResult = { points: 0, files: 0, bytes: 0, problems: [] };
  // Progress in bytes checked, against the sizes the listing index gives.
  const total = all.filter((p) => targets.includes(p.id)).reduce((n, p) => n + p.bytes, 0);
  const meter = new ProgressMeter(deps.progress ?? noProgress, "verify", undefined, { total });
  // Content objects are shared by points and paths: each is checked once per run.
  const objectsChecked = new Set<string>();
  for (const id of targets) {
    result.points++;
    let files: FileRef[];
    let indexes: FileRef[] = [];
    let csvCopies: FileRef[] = [];
    try {
      const m = await loadManifest(deps.repo, deps.keys, id);
      if (m.parent && !ids.has(m.parent)) {
        result.problems.push({ pointId: id, path: m.parent, problem: "parent restore point is missing (broken chain)" });
      }
      indexes = Object.values(m.containers ?? {}).flatMap((c) => c.index);
      csvCopies = Object.values(m.tables).flatMap((s) => s.csv ?? []);
      files = [...Object.values(m.tables).flatMap((s) => [...s.data, ...s.keys]), ...indexes, ...csvCopies];
    } catch (err) {
      result.problems.push({ pointId: id, path: `points/${id}`, problem: `manifest: ${ensureErrorType(err).message}` });
      continue;
    }
    for (const f of files) {
      result.files++;
      try {
        const bytes = await deps.repo.get(f.path);
        result.bytes += bytes.length;
        if (bytes.length !== f.bytes) throw new Error(`size ${bytes.length}, manifest says ${f.bytes}`);
        if (sha256Hex(bytes) !== f.sha256) throw new Error("SHA-256 does not match the manifest");
        if (csvCopies.includes(f)) {
          await openCsvCopy(bytes, deps.keys, f);
          meter.add(f.records, bytes.length, bytes.length);
          continue;
        }
        const lines = await openLines(bytes, (k) => deps.keys.byId(k));
        if (lines.length !== f.records) throw new Error(`${lines.length} records, manifest says ${f.records}`);
        meter.add(lines.length, bytes.length, bytes.length);
        if (indexes.includes(f)) await checkObjects(deps, lines, objectsChecked, (path, problem) => result.problems.push({ pointId: id, path, problem }), (n) => {
          result.files++;
          result.bytes += n;
        });
      } catch (err) {
        result.problems.push({ pointId: id, path: f.path, problem: ensureErrorType(err).message });
      }
    }
  }
  meter.done();
  return result;
}

/**
 * Checks every content object a container index names (once per run): present, decrypts,
 * authenticates, and matches its keyed id and size. Reports each problem; throws only for
 * an index line that does not parse.
 */
async function checkObjects(
  deps: { repo: BackupStore; keys: KeyProvider },
  lines: string[],
  checked: Set<string>,
  problem: (path: string, what: string) => void,
  counted: (bytes: number) => void,
): Promise<void> {
  for (const line of lines) {
    const e = decodeIndexLine(line);
    for (const block of e.blocks) {
      if (checked.has(block[0])) continue;
      checked.add(block[0]);
      try {
        let n = 0;
        for await (const data of readContent(deps.repo, deps.keys, [block])) n += data.length;
        counted(n);
      } catch (err) {
        problem(paths.object(block[0]), `${e.path}: ${ensureErrorType(err).message}`);
      }
    }
  }
}
