import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import type { TokenCredential } from "@azure/core-auth";
import type { EndpointPublisher, Publication, PublishedEndpoint } from "../../app/ports/EndpointState";
import { statusOf } from "../azure/clients";

/** The content type of the active-endpoint secret Lifeboat writes (the deployment seeds it with a bare URI). */
export const ACTIVE_ENDPOINT_CONTENT_TYPE = "application/json";

/**
 * The active endpoint as a Key Vault secret (LIFEBOAT_ACTIVE_ENDPOINT_SECRET) in each
 * vault: the primary (LIFEBOAT_KEY_VAULT_URI) and, when set, the second region's
 * (LIFEBOAT_KEY_VAULT_URI_SECONDARY), so that applications in either region read it.
 * The value is JSON `{ tableServiceUri, blobServiceUri?, since, reason, failoverId }`:
 * endpoints only, never a key. A vault that fails is reported in `failed`, not thrown.
 */
export class KeyVaultEndpointPublisher implements EndpointPublisher {
  readonly description: string;
  readonly #vaults: { url: string; client: SecretClient }[];

  constructor(
    vaultUrls: string[],
    private readonly secretName: string,
    credential: TokenCredential,
    clientOptions?: SecretClientOptions,
  ) {
    this.#vaults = vaultUrls.map((url) => ({ url: url.replace(/\/+$/, ""), client: new SecretClient(url, credential, clientOptions) }));
    this.description = `Key Vault secret ${secretName} in ${this.#vaults.map((v) => v.url).join(" and ")}`;
  }

  async publish(record: PublishedEndpoint): Promise<Publication> {
    const value = JSON.stringify({
      tableServiceUri: record.tableServiceUri,
      ...(record.blobServiceUri ? { blobServiceUri: record.blobServiceUri } : {}),
      since: record.since,
      reason: record.reason,
      failoverId: record.failoverId,
    });
    const out: Publication = { written: [], failed: [] };
    for (const v of this.#vaults) {
      const where = `${v.url} (secret ${this.secretName})`;
      try {
        await v.client.setSecret(this.secretName, value, { contentType: ACTIVE_ENDPOINT_CONTENT_TYPE, tags: { "lifeboat-failover-id": record.failoverId } });
        out.written.push(where);
      } catch (err) {
        out.failed.push({ where, error: `kv: cannot write secret ${this.secretName}: ${failureReason(err)}` });
      }
    }
    return out;
  }

  /** The newest record any vault holds (by `since`); vaults that cannot be read or hold no Lifeboat record are passed over. */
  async latest(): Promise<PublishedEndpoint | null> {
    let newest: PublishedEndpoint | null = null;
    for (const v of this.#vaults) {
      try {
        const s = await v.client.getSecret(this.secretName);
        const parsed = JSON.parse(s.value ?? "") as Partial<PublishedEndpoint>;
        if (typeof parsed.tableServiceUri !== "string" || typeof parsed.since !== "string" || typeof parsed.failoverId !== "string") continue;
        const rec: PublishedEndpoint = { tableServiceUri: parsed.tableServiceUri, ...(typeof parsed.blobServiceUri === "string" ? { blobServiceUri: parsed.blobServiceUri } : {}), since: parsed.since, reason: String(parsed.reason ?? ""), failoverId: parsed.failoverId };
        if (!newest || rec.since > newest.since) newest = rec;
      } catch {
        continue; // unreachable, missing, or the deployment's seed (a bare URI, not JSON)
      }
    }
    return newest;
  }
}

/** Development without a Key Vault (LIFEBOAT_KEK): the endpoint is recorded in the state table only, and the publication says so. */
export class StateTableOnlyPublisher implements EndpointPublisher {
  readonly description = "the state table only (no Key Vault is configured: LIFEBOAT_KEK)";

  publish(_record: PublishedEndpoint): Promise<Publication> {
    return Promise.resolve({ written: [], failed: [], note: "no Key Vault is configured (LIFEBOAT_KEK): the active endpoint is recorded in the state table only; applications poll GET /api/endpoint" });
  }

  latest(): Promise<PublishedEndpoint | null> {
    return Promise.resolve(null);
  }
}

/** Status and code of a failed write, or the error's name: never its message (it may echo the request). */
function failureReason(err: unknown): string {
  const e = (typeof err === "object" && err !== null ? err : {}) as { code?: unknown; name?: unknown };
  const status = statusOf(err);
  const code = typeof e.code === "string" ? e.code : undefined;
  const reason = [status, code].filter((x) => x !== undefined).join(" ");
  return reason || (typeof e.name === "string" ? e.name : "error");
}
