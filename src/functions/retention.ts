import { app, type InvocationContext } from "@azure/functions";
import { triggerOperator } from "../app/audit";
import type { RetentionResult } from "../app/retention/apply-retention";
import { runRetention } from "../app/retention/run-retention";
import { ensureErrorType } from "../core/errors";
import { services } from "./shared/runtime";

/**
 * Blob trigger (Event Grid source, as the Flex Consumption plan requires): each newly
 * committed restore point's manifest (points/<id>.manifest.lbe) applies the retention
 * tiers. Logs `lifeboat.event=retention` with what was removed, a warning per removal
 * that failed, `lifeboat.event=retention_refused` (error level) when the planner refused.
 */
export async function retention(_blob: unknown, context: InvocationContext): Promise<RetentionResult> {
  const name = String(context.triggerMetadata?.name ?? "?");
  try {
    const r = await runRetention(services(), { operator: triggerOperator(context.functionName), trigger: `points/${name}` });
    if (r.skipped) context.warn(`lifeboat.event=retention_skipped ${r.skipped}`);
    if (r.refused) context.error(`lifeboat.event=retention_refused ${r.refused}`);
    for (const f of r.failed) context.warn(`lifeboat.event=retention_delete_failed id=${f.id} ${f.error}`);
    if (r.secondary && "error" in r.secondary) context.warn(`lifeboat.event=retention_secondary_failed ${r.secondary.error}`);
    context.log(
      `lifeboat.event=retention removed=${r.removed.length} waiting=${r.waiting} extended=${r.extended.length} orphans=${r.orphansRemoved} objects=${r.objectsRemoved} kept=${r.points.filter((p) => p.keep).length}`,
    );
    return r;
  } catch (err) {
    context.error(`lifeboat.event=retention_failed ${ensureErrorType(err).message}`);
    throw err;
  }
}

app.storageBlob("retention", { path: "%LIFEBOAT_BACKUP_CONTAINER%/points/{name}", connection: "LIFEBOAT_BACKUP", source: "EventGrid", handler: retention });
