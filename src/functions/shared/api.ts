import type { HttpRequest } from "@azure/functions";
import { z } from "zod";
import { AUDIT_ACTIONS } from "../../core/audit/chain";
import { InvalidInputError } from "../../core/errors";
import { parseInstant } from "../../core/policy/pitr";

/**
 * The request schemas of the HTTP API: they validate every request and are the source
 * of the OpenAPI document (GET /api/openapi.json), so the two cannot drift apart.
 */

const instant = z
  .string()
  .refine((s) => parseInstant(s) !== null, "must be an ISO-8601 instant with a zone, e.g. 2026-11-26T03:00:00Z")
  .meta({ description: "ISO-8601 instant with a zone", example: "2026-11-26T03:00:00Z" });

const operator = z.string().min(1).max(128).optional().meta({ description: "Who is asking, when App Service Authentication does not say (recorded as asserted:<name>)" });

export const pointsQuery = z.strictObject({
  from: instant.optional().meta({ description: "Points taken at or after this instant" }),
  to: instant.optional().meta({ description: "Points taken at or before this instant" }),
});

export const auditQuery = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  action: z
    .string()
    .refine((a) => AUDIT_ACTIONS.some((x) => x === a || x.startsWith(`${a}.`)), `must be an action or a group of them: ${AUDIT_ACTIONS.join(", ")}`)
    .optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500).meta({ description: "At most this many entries (the newest are cut)" }),
});

export const auditVerifyQuery = z.strictObject({ from: instant.optional(), to: instant.optional(), operator });

/** The query of a request, validated: throws InvalidInputError naming every bad field (a 400). */
export function parseQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.infer<S> {
  const raw: Record<string, string> = {};
  for (const [k, v] of request.query.entries()) raw[k] = v;
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw new InvalidInputError(
    r.error.issues.map((i) => ({
      field: i.path.length > 0 ? i.path.map(String).join(".") : i.code === "unrecognized_keys" ? (i as { keys?: string[] }).keys?.join(", ") ?? "query" : "query",
      rule: i.code === "unrecognized_keys" ? "is not a parameter of this endpoint" : i.message,
    })),
  );
}

/** An ISO-8601 query value as a Date (after parseQuery checked it). */
export function instantOf(s: string | undefined): Date | undefined {
  return s === undefined ? undefined : (parseInstant(s) ?? undefined);
}
