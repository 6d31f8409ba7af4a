import { z } from "zod";
import { Secret } from "../core/secret";
import { httpUrl, optionalString, type Issue } from "./fields";

/** A Storage account reference: a connection string (a secret), or service URIs used with Entra ID. */
export type StorageConnection =
  | { kind: "connectionString"; connectionString: Secret<string> }
  | { kind: "identity"; tableServiceUri?: string; blobServiceUri?: string; clientId?: string };

/** The connection settings names of one account, Functions style: NAME, or NAME__tableServiceUri etc. */
export type ConnectionName = "LIFEBOAT_SOURCE" | "LIFEBOAT_BACKUP" | "LIFEBOAT_AUDIT" | "LIFEBOAT_SECONDARY" | "LIFEBOAT_FAILOVER" | "LIFEBOAT_DRILL";

const uri = httpUrl("must be an http(s) URL");

/** The settings of one connection: `NAME` and its `__tableServiceUri`, `__blobServiceUri`, `__clientId`, `__credential`. */
export function connectionShape<N extends ConnectionName>(name: N) {
  return {
    [name]: optionalString,
    [`${name}__tableServiceUri`]: uri,
    [`${name}__blobServiceUri`]: uri,
    [`${name}__clientId`]: optionalString,
    [`${name}__credential`]: optionalString.pipe(z.enum(["managedidentity"], { error: "must be managedidentity when set" }).optional()),
  } as unknown as Record<N | `${N}__tableServiceUri` | `${N}__blobServiceUri` | `${N}__clientId` | `${N}__credential`, z.ZodType<string | undefined>>;
}

/** The parsed settings a connection is read from (other settings may be there too). */
export type ConnectionValues = Readonly<Record<string, unknown>>;

/** A parsed text setting, or undefined when unset (or not text). */
export const text = (p: ConnectionValues, name: string): string | undefined => {
  const v = p[name];
  return typeof v === "string" && v !== "" ? v : undefined;
};

/**
 * The connection `name` describes: its connection string, else its identity URIs.
 * Reports (into `issues`) a value that is not a connection string, or the URI that
 * `needs` when neither is set.
 */
export function connection(name: ConnectionName, p: ConnectionValues, needs: "table" | "blob", issues: Issue[]): StorageConnection {
  const cs = text(p, name);
  const tableUri = text(p, `${name}__tableServiceUri`);
  const blobUri = text(p, `${name}__blobServiceUri`);
  if (cs) {
    if (!/(^|;)\s*(AccountName|UseDevelopmentStorage|TableEndpoint|BlobEndpoint|SharedAccessSignature)=/i.test(cs)) {
      issues.push({ setting: name, message: "is not a Storage connection string (expected AccountName=…;AccountKey=… or endpoints)" });
    }
    return { kind: "connectionString", connectionString: new Secret(cs) };
  }
  const uriName = needs === "table" ? `${name}__tableServiceUri` : `${name}__blobServiceUri`;
  if ((needs === "table" && !tableUri) || (needs === "blob" && !blobUri)) {
    issues.push({ setting: name, message: `is required: a connection string, or ${uriName} with a managed identity` });
  }
  const clientId = text(p, `${name}__clientId`);
  return {
    kind: "identity",
    ...(tableUri ? { tableServiceUri: tableUri } : {}),
    ...(blobUri ? { blobServiceUri: blobUri } : {}),
    ...(clientId ? { clientId } : {}),
  };
}

/**
 * The table endpoint of the same account as a standard blob endpoint
 * (https://acct.blob.core.windows.net → https://acct.table.core.windows.net), or
 * undefined for other URLs (Azurite paths, custom domains).
 */
export function tableUriFromBlobUri(blobUri: string | undefined): string | undefined {
  if (!blobUri) return undefined;
  const u = new URL(blobUri);
  if (!/^[a-z0-9]+\.blob\./.test(u.hostname) || (u.pathname !== "/" && u.pathname !== "")) return undefined;
  u.hostname = u.hostname.replace(".blob.", ".table.");
  return u.toString().replace(/\/$/, "");
}
