import { z } from "zod";
import { indexEntry } from "./container-index";

/** The config export format (docs/format.md §10). */
export const EXPORT_FORMAT_NAME = "lifeboat-config-export";
export const EXPORT_FORMAT_VERSION = 1;

const EXPORT_ID = /^\d{8}T\d{9}Z-x[0-9a-f]{6}$/;

/** Where exports live in the repository: one sealed manifest each; content objects are shared with points (objects/). */
export const exportPaths = {
  manifest: (id: string) => `exports/${id}.export.lbe`,
  prefix: "exports/",
};

/** An export id sorts by creation time: `20261130T003000123Z-x1a2b3c`. */
export function newExportId(at: Date, random: string): string {
  return `${at.toISOString().replace(/[-:]/g, "").replace(".", "")}-x${random.slice(0, 6)}`;
}

export function isExportId(s: string): boolean {
  return EXPORT_ID.test(s);
}

const parseStatus = z.union([
  z.object({ kind: z.enum(["yaml", "json", "env"]), ok: z.literal(true) }),
  z.object({ kind: z.enum(["yaml", "json", "env"]), ok: z.literal(false), message: z.string(), line: z.number().int().optional(), column: z.number().int().optional() }),
]);

/** A file of an export: its index entry (§5b), whether it parses, and for a .env file its variable names (never values). */
const exportFile = indexEntry.extend({
  parse: parseStatus.nullable(),
  envKeys: z.array(z.string()).optional(),
});
export type ExportFile = z.infer<typeof exportFile>;

export const exportManifestSchema = z.object({
  format: z.literal(EXPORT_FORMAT_NAME),
  formatVersion: z.literal(EXPORT_FORMAT_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  exportId: z.string().regex(EXPORT_ID),
  startedAt: z.string(),
  completedAt: z.string(),
  kekId: z.string(),
  /** Lifeboat's effective settings, secret values replaced by "**redacted**". */
  settings: z.record(z.string(), z.string()),
  containers: z.record(z.string(), z.object({ files: z.array(exportFile), bytes: z.number().int().nonnegative() })),
  /** Files left out because they kept changing while read. */
  skipped: z.array(z.object({ container: z.string(), path: z.string(), reason: z.string() })),
  totals: z.object({ files: z.number().int().nonnegative(), bytes: z.number().int().nonnegative(), problems: z.number().int().nonnegative() }),
});
export type ExportManifest = z.infer<typeof exportManifestSchema>;
