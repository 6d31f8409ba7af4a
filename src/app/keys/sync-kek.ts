import { ValidationError } from "../../core/errors";
import type { AppContext } from "../context";
import { audited } from "../audit/audited";

/** What `syncKek` did: the primary's active KEK id, and whether the copy had to be written. */
export interface KekSyncResult {
  kekId: string;
  copied: boolean;
  replica: string;
}

/**
 * Copies the primary vault's active KEK into the secondary vault (once per version;
 * ids compared, never values), as one audited `key.sync` action. Reads the primary
 * only, never its copy: a sync while the primary is unreachable fails. Throws
 * ValidationError when no secondary vault is configured (nothing audited: nothing was
 * asked of a vault), KEY.* errors from either vault.
 */
export async function syncKek(ctx: Pick<AppContext, "kekReplication" | "audit">, operator: string): Promise<KekSyncResult> {
  const replication = ctx.kekReplication;
  if (!replication) throw new ValidationError("LIFEBOAT_KEY_VAULT_URI_SECONDARY", "is not set: there is no second vault to copy the KEK to");
  return audited(
    ctx.audit,
    { operator, action: "key.sync", target: { vault: replication.replica.description } },
    async () => {
      const kek = await replication.primary.active();
      const already = (await replication.replica.has(kek.id)) && (await replication.replica.activeId()) === kek.id;
      if (!already) await replication.replica.write(kek);
      return { kekId: kek.id, copied: !already, replica: replication.replica.description };
    },
    { detailsOf: (r) => ({ kekId: r.kekId, copied: r.copied }) },
  );
}
