import { openBytes, openJson, sealBytes, sealJson } from "../../format/chunk";
import { drillReportHtml } from "../../core/drills/report-html";
import { DRILL_KINDS, type DrillKind, type DrillOutcome, type DrillReport } from "../../core/drills/drill";
import { NotFoundError } from "../../core/errors";
import type { BackupStore } from "../ports/BackupStore";
import type { KeyProvider } from "../ports/KeyProvider";

/** Where drill reports live in the repository: sealed like every other file. */
const PREFIX = "drills/";
const jsonPath = (id: string): string => `${PREFIX}${id}.json.lbe`;
const htmlPath = (id: string): string => `${PREFIX}${id}.html.lbe`;
const DRILL_ID = /^\d{8}T\d{9}Z-(restore-test|config-restore-test|failover-simulation|full-drill)-[0-9a-f]{6}$/;

export function isDrillId(s: string): boolean {
  return DRILL_ID.test(s);
}

/** A drill id sorts by start time: `20261201T030000123Z-restore-test-a1b2c3`. */
export function newDrillId(kind: DrillKind, at: Date, random: string): string {
  return `${at.toISOString().replace(/[-:]/g, "").replace(".", "")}-${kind}-${random.slice(0, 6)}`;
}

/** A report as listed (from the listing index: no decryption). */
export interface DrillSummary {
  id: string;
  kind: DrillKind;
  outcome: DrillOutcome;
  startedAt: string;
  finishedAt: string;
  projectedRtoMinutes?: number;
  observedRpoMinutes?: number;
}

/** Writes a report (JSON and a self-contained HTML page), each sealed, never overwritten. Throws what the store throws. */
export async function saveReport(repo: BackupStore, keys: KeyProvider, r: DrillReport): Promise<void> {
  const kek = await keys.active();
  const metadata: Record<string, string> = {
    kind: r.kind,
    outcome: r.outcome.replace(" ", "_"),
    startedat: r.startedAt,
    finishedat: r.finishedAt,
    ...(r.figures.projectedRtoMinutes !== undefined ? { projectedrto: String(r.figures.projectedRtoMinutes) } : {}),
    ...(r.figures.observedRpoMinutes !== undefined ? { observedrpo: String(r.figures.observedRpoMinutes) } : {}),
  };
  await repo.put(htmlPath(r.id), await sealBytes(Buffer.from(drillReportHtml(r), "utf8"), kek), { ifNoneMatch: true });
  await repo.put(jsonPath(r.id), await sealJson(r, kek), { ifNoneMatch: true, metadata });
}

/** Every drill report, oldest first. Throws what listing throws. */
export async function listReports(repo: BackupStore): Promise<DrillSummary[]> {
  const out: DrillSummary[] = [];
  for await (const o of repo.list(PREFIX)) {
    if (!o.path.endsWith(".json.lbe")) continue;
    const id = o.path.slice(PREFIX.length, -".json.lbe".length);
    const kind = o.metadata.kind as DrillKind | undefined;
    if (!isDrillId(id) || !kind || !DRILL_KINDS.includes(kind)) continue;
    const num = (v: string | undefined): number | undefined => (v === undefined || !Number.isFinite(Number(v)) ? undefined : Number(v));
    const rto = num(o.metadata.projectedrto);
    const rpo = num(o.metadata.observedrpo);
    out.push({
      id,
      kind,
      outcome: (o.metadata.outcome ?? "failed").replace("_", " ") as DrillOutcome,
      startedAt: o.metadata.startedat ?? "",
      finishedAt: o.metadata.finishedat ?? "",
      ...(rto !== undefined ? { projectedRtoMinutes: rto } : {}),
      ...(rpo !== undefined ? { observedRpoMinutes: rpo } : {}),
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** One report: its JSON, or its HTML page. Throws NotFoundError for an unknown id, IntegrityError when it fails authentication. */
export async function loadReport(repo: BackupStore, keys: KeyProvider, id: string, as: "json" | "html"): Promise<DrillReport | string> {
  try {
    if (as === "html") return (await openBytes(await repo.get(htmlPath(id)), (k) => keys.byId(k))).data.toString("utf8");
    return (await openJson(await repo.get(jsonPath(id)), (k) => keys.byId(k))) as DrillReport;
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError("DRILL.NOT_FOUND", `drill report ${id} does not exist (see: lifeboat drills)`, { cause: err });
    throw err;
  }
}
