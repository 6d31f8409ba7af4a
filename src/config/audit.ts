import { containerSetting, tableSetting, type Issue } from "./fields";
import { connection, connectionShape, tableUriFromBlobUri, text, type ConnectionValues, type StorageConnection } from "./storage";

export const AUDIT_DEFAULTS = { LIFEBOAT_AUDIT_TABLE: "LifeboatAudit", LIFEBOAT_AUDIT_CONTAINER: "lifeboat-audit" } as const;

/** Where the audit log lives. */
export const auditShape = {
  ...connectionShape("LIFEBOAT_AUDIT"),
  LIFEBOAT_AUDIT_TABLE: tableSetting(AUDIT_DEFAULTS.LIFEBOAT_AUDIT_TABLE),
  LIFEBOAT_AUDIT_CONTAINER: containerSetting(AUDIT_DEFAULTS.LIFEBOAT_AUDIT_CONTAINER),
};

const isSas = (c: StorageConnection): boolean => c.kind === "connectionString" && /SharedAccessSignature=/i.test(c.connectionString.reveal());
const has = (c: StorageConnection, endpoint: "TableEndpoint" | "BlobEndpoint"): boolean =>
  c.kind === "connectionString" && new RegExp(`${endpoint}=`, "i").test(c.connectionString.reveal());

/**
 * The audit log's account: LIFEBOAT_AUDIT (connection string or __tableServiceUri +
 * __blobServiceUri) when any of it is set, else the backup account. In identity mode the
 * backup account's table URI is LIFEBOAT_BACKUP__tableServiceUri, or derived from its
 * standard blob URI; failing both, that setting is reported as required.
 */
export function auditConnection(p: ConnectionValues, backup: StorageConnection, issues: Issue[]): StorageConnection {
  if (text(p, "LIFEBOAT_AUDIT") || text(p, "LIFEBOAT_AUDIT__tableServiceUri") || text(p, "LIFEBOAT_AUDIT__blobServiceUri")) {
    const conn = connection("LIFEBOAT_AUDIT", p, "table", issues);
    if (isSas(conn) && !(has(conn, "TableEndpoint") && has(conn, "BlobEndpoint"))) {
      issues.push({ setting: "LIFEBOAT_AUDIT", message: "a SAS connection string needs both TableEndpoint (entries) and BlobEndpoint (digests)" });
    }
    if (conn.kind === "identity" && !conn.blobServiceUri) {
      issues.push({ setting: "LIFEBOAT_AUDIT__blobServiceUri", message: "is required with LIFEBOAT_AUDIT__tableServiceUri: the account's blob URI, for audit digests" });
    }
    return conn;
  }
  if (backup.kind === "connectionString") {
    if (isSas(backup) && !has(backup, "TableEndpoint")) {
      issues.push({ setting: "LIFEBOAT_BACKUP", message: "has no TableEndpoint, which the audit table needs: add one (and table permissions to the SAS), or set LIFEBOAT_AUDIT" });
    }
    return backup;
  }
  const tableServiceUri = backup.tableServiceUri ?? tableUriFromBlobUri(backup.blobServiceUri);
  // Without a blob URI LIFEBOAT_BACKUP itself is already reported missing.
  if (!tableServiceUri && backup.blobServiceUri) {
    issues.push({
      setting: "LIFEBOAT_BACKUP__tableServiceUri",
      message: "is required for the audit table (the backup account's table URI), or set LIFEBOAT_AUDIT__tableServiceUri and LIFEBOAT_AUDIT__blobServiceUri",
    });
  }
  return { ...backup, ...(tableServiceUri ? { tableServiceUri } : {}) };
}
