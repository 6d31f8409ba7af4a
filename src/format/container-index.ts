import { z } from "zod";
import { firstIssue, IntegrityError } from "../core/errors";

/**
 * One line of a container index (docs/format.md §5b): a blob at a point, its properties,
 * and the content objects it is made of, in order. `sha256` is of the whole content;
 * `blocks` are `[contentId, size]` pairs (objects/<id[0:2]>/<id>.lbe).
 */
export const indexEntry = z.object({
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  etag: z.string(),
  lastModified: z.string(),
  blocks: z.array(z.tuple([z.string().regex(/^[0-9a-f]{64}$/), z.number().int().positive()])),
  contentType: z.string().optional(),
  contentEncoding: z.string().optional(),
  contentLanguage: z.string().optional(),
  contentDisposition: z.string().optional(),
  cacheControl: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  tier: z.string().optional(),
});
export type IndexEntry = z.infer<typeof indexEntry>;

/** One index line. Never throws for a valid entry. */
export function encodeIndexLine(e: IndexEntry): string {
  return JSON.stringify(e);
}

/** Parses one index line. Throws IntegrityError naming the first bad field. */
export function decodeIndexLine(line: string): IndexEntry {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new IntegrityError("container index line is not JSON");
  }
  const r = indexEntry.safeParse(json);
  if (!r.success) throw new IntegrityError(`container index line: ${firstIssue(r.error)}`);
  return r.data;
}
