import type { StorageConnection } from "./storage";

/** The public service endpoints of an account: what an application is told to use. Never holds a key or SAS. */
export interface PublicEndpoints {
  tableServiceUri?: string;
  blobServiceUri?: string;
}

/** A URL without its query (a SAS) or credentials; undefined when it does not parse. */
function bare(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, "")}`;
  } catch {
    return undefined;
  }
}

/**
 * The table and blob endpoints of a connection: the identity form's URIs as they are;
 * for a connection string, its TableEndpoint / BlobEndpoint (without any SAS), else
 * `<protocol>://<AccountName>.table.<EndpointSuffix>`, or Azurite's for
 * UseDevelopmentStorage=true. Only the account's name and endpoints are read: the key
 * never leaves the connection string. Never throws.
 */
export function publicEndpoints(c: StorageConnection): PublicEndpoints {
  if (c.kind === "identity") {
    return { ...(c.tableServiceUri ? { tableServiceUri: bare(c.tableServiceUri) ?? c.tableServiceUri } : {}), ...(c.blobServiceUri ? { blobServiceUri: bare(c.blobServiceUri) ?? c.blobServiceUri } : {}) };
  }
  const parts = new Map<string, string>();
  for (const p of c.connectionString.reveal().split(";")) {
    const i = p.indexOf("=");
    if (i > 0) parts.set(p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim());
  }
  if (/^true$/i.test(parts.get("usedevelopmentstorage") ?? "")) {
    return { tableServiceUri: "http://127.0.0.1:10002/devstoreaccount1", blobServiceUri: "http://127.0.0.1:10000/devstoreaccount1" };
  }
  const account = parts.get("accountname");
  const protocol = parts.get("defaultendpointsprotocol") ?? "https";
  const suffix = parts.get("endpointsuffix") ?? "core.windows.net";
  const derived = (service: string): string | undefined => (account ? `${protocol}://${account}.${service}.${suffix}` : undefined);
  const table = parts.get("tableendpoint") ? bare(parts.get("tableendpoint")!) : derived("table");
  const blob = parts.get("blobendpoint") ? bare(parts.get("blobendpoint")!) : derived("blob");
  return { ...(table ? { tableServiceUri: table } : {}), ...(blob ? { blobServiceUri: blob } : {}) };
}
