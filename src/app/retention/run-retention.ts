import type { AppContext } from "../context";
import { AuditWriteError } from "../audit";
import { ensureErrorType } from "../../core/errors";
import { applyRetention, type RetentionResult } from "./apply-retention";

/**
 * Applies the retention tiers as of now (or plans them as of `asOf`, dry run) and records
 * every removal (`retention.delete`, with its tier and reason), every failed removal, and
 * a refusal of the planner in the audit log; a digest follows when anything was removed.
 * Throws what reading the repository throws, or AuditWriteError when an entry could not
 * be written (the run stops there).
 */
export async function runRetention(ctx: AppContext, req: { operator: string; dryRun?: boolean; asOf?: Date; trigger?: string }): Promise<RetentionResult & { secondary?: RetentionResult | { error: string } }> {
  const r = await retainIn(ctx, ctx.repo, "primary", req);
  if (!ctx.secondary || req.dryRun) return r;
  // The secondary holds the same points under the same tiers; when it cannot be reached,
  // the next run does its part (the primary's is done).
  try {
    return { ...r, secondary: await retainIn(ctx, ctx.secondaryCopy ?? ctx.secondary, "secondary", req) };
  } catch (err) {
    if (err instanceof AuditWriteError) throw err;
    return { ...r, secondary: { error: ensureErrorType(err).message } };
  }
}

async function retainIn(ctx: AppContext, repo: AppContext["repo"], store: "primary" | "secondary", req: { operator: string; dryRun?: boolean; asOf?: Date; trigger?: string }): Promise<RetentionResult> {
  const policy = ctx.config.retention;
  const r = await applyRetention(
    { repo, keys: ctx.keys },
    {
      policy,
      ...(req.dryRun ? { dryRun: true } : {}),
      ...(req.asOf ? { asOf: req.asOf } : {}),
      onExtended: async (d) => {
        await ctx.audit.record({
          operator: req.operator,
          action: "retention.tier",
          target: { point: d.id },
          outcome: "succeeded",
          details: { store, tier: d.tier, until: d.expiresAt?.toISOString() ?? null, reason: d.reason },
        });
      },
      onRemoved: async (kind, d, error) => {
        await ctx.audit
          .record({
            operator: req.operator,
            action: "retention.delete",
            target: { [kind]: d.id },
            outcome: error ? "failed" : "succeeded",
            ...(error ? { error } : {}),
            details: { store, tier: d.tier, reason: d.reason, ...(req.trigger ? { trigger: req.trigger } : {}) },
          })
          .catch((err: unknown) => {
            throw new AuditWriteError("retention.delete", error ? "failed" : "succeeded", "entry", err);
          });
      },
    },
  );
  if (r.refused && !req.dryRun) {
    await ctx.audit.record({ operator: req.operator, action: "retention.delete", target: { repository: repo.description }, outcome: "refused", error: r.refused, details: { store, asOf: r.asOf } });
  }
  if (r.removed.length > 0 || r.orphansRemoved > 0 || r.objectsRemoved > 0) await ctx.audit.writeDigest();
  return r;
}
