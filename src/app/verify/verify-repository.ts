import { audited } from "../audit";
import type { AppContext } from "../context";
import type { ProgressSink } from "../progress";
import { runVerify, type VerifyResult } from "./run-verify";

/**
 * Decrypts and checks every file of one point (or all) as one audited `verify` action;
 * problems found make the entry `failed` but are returned, not thrown. Throws
 * RESTORE.POINT_NOT_FOUND for an unknown point, what reading the repository throws, or
 * AuditWriteError.
 */
export function verifyRepository(ctx: AppContext, req: { operator: string; pointId?: string; progress?: ProgressSink }): Promise<VerifyResult> {
  return audited(
    ctx.audit,
    { operator: req.operator, action: "verify", target: { point: req.pointId ?? "all" } },
    () => runVerify({ repo: ctx.repo, keys: ctx.keys, ...(req.progress ? { progress: req.progress } : {}) }, req.pointId ? { pointId: req.pointId } : {}),
    {
      detailsOf: (v) => ({ points: v.points, files: v.files, bytes: v.bytes, problems: v.problems.length, first: v.problems.slice(0, 5) }),
      failureOf: (v) => (v.problems.length > 0 ? `${v.problems.length} problem(s), first: ${v.problems[0]?.path}: ${v.problems[0]?.problem}` : undefined),
    },
  );
}
