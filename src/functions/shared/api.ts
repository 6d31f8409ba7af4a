import type { HttpRequest } from "@azure/functions";
import { z } from "zod";
import { AUDIT_ACTIONS } from "../../core/audit/chain";
import { InvalidInputError } from "../../core/errors";
import { parseInstant } from "../../core/policy/pitr";
import { isJobId } from "../../core/jobs/job";
import { DRILL_KINDS } from "../../core/drills/drill";
import { isDrillId } from "../../app/drills/reports";
import { isPointId } from "../../format/manifest";

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

const pointId = z.string().refine(isPointId, "must be a restore point id such as 20261126T134500123Z-f1a2b3c (see GET /api/points)");
const names = (what: string) => z.array(z.string().max(255)).min(1, `must name at least one ${what}`).max(1000);

/** POST /api/restores: a restore job (or, with dryRun, its plan). */
export const restoreBody = z
  .strictObject({
    at: instant.optional().meta({ description: "Restore the latest point at or before this instant (neither at nor pointId: the latest valid point)" }),
    pointId: pointId.optional().meta({ description: "Restore exactly this point" }),
    tables: names("table").optional().meta({ description: "Only these tables (default: everything in the point)" }),
    containers: names("container").optional().meta({ description: "Only these blob containers" }),
    target: z
      .union([z.strictObject({ prefix: z.string().min(1).max(40) }), z.strictObject({ inPlace: z.literal(true) })], {
        error: 'must be { "prefix": "<letters and digits>" } (new tables <prefix><Table>) or { "inPlace": true } (replace the live tables; a safety backup is taken first)',
      })
      .meta({ description: "Where to restore: new tables named <prefix><Table>, or in place" }),
    from: z.enum(["primary", "secondary", "auto"]).default("auto").meta({ description: "Which copy of the backups: the primary, the secondary, or auto (the primary, falling back to the secondary)" }),
    dryRun: z.boolean().default(false).meta({ description: "Plan only: answer 200 with the plan, write nothing" }),
    operator,
  })
  .refine((b) => !(b.at && b.pointId), { message: "give at or pointId, not both", path: ["at"] });

const tableName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, "must be a table name: a letter, then 2-62 letters or digits");

/** POST /api/imports: a typed CSV (the body) checked, or checked and written, into a table. */
export const importsQuery = z.strictObject({
  table: tableName.meta({ description: "The table to import into (in the source account)" }),
  mode: z.enum(["validate", "apply"]).default("validate").meta({ description: "validate: check every row, write nothing; apply: write a valid file after a safety backup of the table" }),
  create: z.enum(["true", "false"]).default("false").meta({ description: "apply: create the table when it does not exist" }),
  inferTypes: z.enum(["true", "false"]).default("false").meta({ description: "Infer the types of untyped values (Storage Explorer's untyped CSV)" }),
  operator,
});

/** GET /api/exports: one table of a restore point as typed CSV. */
export const exportsQuery = z.strictObject({
  table: tableName.meta({ description: "The table to export" }),
  pointId: pointId.meta({ description: "The restore point (see GET /api/points)" }),
  operator,
});

export const jobsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50).meta({ description: "At most this many jobs, newest first" }) });

export const jobIdParam = z.string().refine(isJobId, "must be a restore job id such as r20261130t191800-a1b2c3");

/** An endpoint without query parameters (the function key `code` aside). */
export const noParameters = z.strictObject({});

export const drillKindParam = z.enum(DRILL_KINDS, { error: `must be one of ${DRILL_KINDS.join(", ")}` });
export const drillReportParam = z.string().refine(isDrillId, "must be a drill report id such as 20261201T030000123Z-restore-test-a1b2c3 (see GET /api/drills)");
export const drillRunQuery = z.strictObject({ operator });
export const drillReportQuery = z.strictObject({ format: z.enum(["json", "html"]).default("json").meta({ description: "The report as JSON, or as the self-contained HTML page" }) });

/** The body of POST /api/failover and POST /api/failback. */
export const switchBody = z.strictObject({
  reason: z.string().trim().min(1, "is required: why (an incident number, a drill)").max(500).meta({ description: "Why: kept in the audit log, the endpoint record and the secret", example: "INC-4711: primary storage account unreachable" }),
  dryRun: z.boolean().optional().meta({ description: "Everything but the switch, into scratch tables that are deleted afterwards" }),
  operator,
});

/** Zod issues as the fields and rules of an InvalidInputError; `where` names the whole input ("query", "body"). */
function invalid(issues: readonly z.core.$ZodIssue[], where: string, unknownRule: string): InvalidInputError {
  return new InvalidInputError(
    issues.map((i) => ({
      field: i.path.length > 0 ? i.path.map(String).join(".") : i.code === "unrecognized_keys" ? (i as { keys?: string[] }).keys?.join(", ") ?? where : where,
      rule: i.code === "unrecognized_keys" ? unknownRule : i.message,
    })),
  );
}

/** The query of a request, validated: throws InvalidInputError naming every bad field (a 400). */
export function parseQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.infer<S> {
  const raw: Record<string, string> = {};
  // `code` is the function key when a caller passes it in the URL (a browser, the status page): the host's, not ours.
  for (const [k, v] of request.query.entries()) if (k !== "code") raw[k] = v;
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw invalid(r.error.issues, "query", "is not a parameter of this endpoint");
}

/** The JSON body of a request as an object (an empty body is `{}`): throws InvalidInputError (field "body") for anything else. */
export async function readJsonBody(request: HttpRequest): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    const text = await request.text();
    parsed = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new InvalidInputError([{ field: "body", rule: "must be a JSON object" }]);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new InvalidInputError([{ field: "body", rule: "must be a JSON object" }]);
  return parsed as Record<string, unknown>;
}

/** A request body, validated: throws InvalidInputError naming every bad field (a 400). */
export function parseBody<S extends z.ZodType>(raw: Record<string, unknown>, schema: S): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw invalid(r.error.issues, "body", "is not a field of this request");
}

/** A route parameter, validated: throws InvalidInputError naming it (a 400). */
export function parseParam<S extends z.ZodType>(request: HttpRequest, name: string, schema: S): z.infer<S> {
  const r = schema.safeParse(request.params[name]);
  if (r.success) return r.data;
  throw new InvalidInputError(r.error.issues.map((i) => ({ field: name, rule: i.message })));
}

/** An ISO-8601 query value as a Date (after parseQuery checked it). */
export function instantOf(s: string | undefined): Date | undefined {
  return s === undefined ? undefined : (parseInstant(s) ?? undefined);
}
