import { z } from "zod";

/**
 * One schema over the app settings. The Functions app, the CLI and `npm start` all
 * read the same names; Bicep sets them in Azure (test/infra checks the two agree).
 */

/** Every Lifeboat setting name the schema reads, for tooling (the infra check, docs). */
export const SETTING_NAMES = [
  "LIFEBOAT_SOURCE",
  "LIFEBOAT_SOURCE__tableServiceUri",
  "LIFEBOAT_SOURCE__blobServiceUri",
  "LIFEBOAT_SOURCE__credential",
  "LIFEBOAT_SOURCE__clientId",
  "LIFEBOAT_TABLES",
  "LIFEBOAT_BACKUP",
  "LIFEBOAT_BACKUP__blobServiceUri",
  "LIFEBOAT_BACKUP__tableServiceUri",
  "LIFEBOAT_BACKUP__credential",
  "LIFEBOAT_BACKUP__clientId",
  "LIFEBOAT_BACKUP_CONTAINER",
  "LIFEBOAT_KEK",
  "LIFEBOAT_KEY_VAULT_URI",
  "LIFEBOAT_KEK_SECRET",
  "RPO_MINUTES",
  "RTO_MINUTES",
  "LIFEBOAT_FULL_BACKUP_SCHEDULE",
  "LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE",
  "LIFEBOAT_OVERLAP_SECONDS",
  "LIFEBOAT_CHUNK_ENTITIES",
  "LIFEBOAT_RESTORE_CONCURRENCY",
  "LIFEBOAT_AUDIT",
  "LIFEBOAT_AUDIT__tableServiceUri",
  "LIFEBOAT_AUDIT__blobServiceUri",
  "LIFEBOAT_AUDIT__credential",
  "LIFEBOAT_AUDIT__clientId",
  "LIFEBOAT_AUDIT_TABLE",
  "LIFEBOAT_AUDIT_CONTAINER",
] as const;

/** A Storage account reference: a connection string, or service URIs used with Entra ID. */
export type StorageConnection =
  | { kind: "connectionString"; connectionString: string }
  | { kind: "identity"; tableServiceUri?: string; blobServiceUri?: string; clientId?: string };

export type KeySource =
  | { kind: "env"; keyBase64: string }
  | { kind: "keyVault"; vaultUri: string; secretName: string };

export interface Config {
  source: StorageConnection;
  /** Table names, or "*" for every table in the source account. */
  tables: string[] | "*";
  backup: StorageConnection;
  backupContainer: string;
  key: KeySource;
  rpoMinutes: number;
  rtoMinutes: number;
  fullBackupSchedule: string;
  incrementalBackupSchedule: string;
  /** How far before the watermark an incremental re-reads, for writes in flight at scan time. */
  overlapSeconds: number;
  /** Entities per data file. Memory is bounded by this, not by table size. */
  chunkEntities: number;
  /** Partitions written in parallel during a restore. */
  restoreConcurrency: number;
  /**
   * Where the audit log lives: LIFEBOAT_AUDIT when set, else the backup account. Has
   * both a table URI (entries) and a blob URI (digests) in identity mode.
   */
  audit: StorageConnection;
  /** The audit table (one partition per UTC day). */
  auditTable: string;
  /** The container of audit digests (under an immutability policy in Azure). */
  auditContainer: string;
}

export const DEFAULTS = {
  LIFEBOAT_BACKUP_CONTAINER: "lifeboat",
  RPO_MINUTES: 15,
  RTO_MINUTES: 120,
  LIFEBOAT_FULL_BACKUP_SCHEDULE: "0 0 1 * * *",
  LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: "0 */15 * * * *",
  LIFEBOAT_OVERLAP_SECONDS: 300,
  LIFEBOAT_CHUNK_ENTITIES: 5000,
  LIFEBOAT_RESTORE_CONCURRENCY: 16,
  LIFEBOAT_AUDIT_TABLE: "LifeboatAudit",
  LIFEBOAT_AUDIT_CONTAINER: "lifeboat-audit",
} as const;

/** A settings problem, naming every bad setting and why. Never echoes a value. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly issues: { setting: string; message: string }[]) {
    super(
      "invalid settings:\n" + issues.map((i) => `  ${i.setting}: ${i.message}`).join("\n"),
    );
  }
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
// Six fields (with seconds), as Azure Functions NCRONTAB expects.
const NCRONTAB = /^\s*\S+(\s+\S+){5}\s*$/;

const optionalString = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === "" ? undefined : s));

const intSetting = (def: number, min: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === "" ? def : Number(v)),
    z.number({ error: "must be a whole number" }).int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
  );

const uri = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const schema = z.object({
  LIFEBOAT_SOURCE: optionalString,
  LIFEBOAT_SOURCE__tableServiceUri: optionalString.pipe(uri.optional()),
  LIFEBOAT_SOURCE__blobServiceUri: optionalString.pipe(uri.optional()),
  LIFEBOAT_SOURCE__clientId: optionalString,
  LIFEBOAT_SOURCE__credential: optionalString.pipe(z.enum(["managedidentity"], { error: "must be managedidentity when set" }).optional()),
  LIFEBOAT_TABLES: z
    .string({ error: "is required: comma-separated table names, or * for every table" })
    .transform((s) => s.trim())
    .pipe(z.string().min(1, "is required: comma-separated table names, or * for every table")),
  LIFEBOAT_BACKUP: optionalString,
  LIFEBOAT_BACKUP__blobServiceUri: optionalString.pipe(uri.optional()),
  LIFEBOAT_BACKUP__tableServiceUri: optionalString.pipe(uri.optional()),
  LIFEBOAT_BACKUP__clientId: optionalString,
  LIFEBOAT_BACKUP__credential: optionalString.pipe(z.enum(["managedidentity"], { error: "must be managedidentity when set" }).optional()),
  LIFEBOAT_BACKUP_CONTAINER: optionalString
    .transform((s) => s ?? DEFAULTS.LIFEBOAT_BACKUP_CONTAINER)
    .pipe(z.string().regex(CONTAINER_NAME, "must be a valid container name (3-63 lowercase letters, digits, single hyphens)")),
  LIFEBOAT_KEK: optionalString,
  LIFEBOAT_KEY_VAULT_URI: optionalString.pipe(z.url({ protocol: /^https?$/, error: "must be the vault's https URL" }).optional()),
  LIFEBOAT_KEK_SECRET: optionalString,
  RPO_MINUTES: intSetting(DEFAULTS.RPO_MINUTES, 1, 1440),
  RTO_MINUTES: intSetting(DEFAULTS.RTO_MINUTES, 1, 10080),
  LIFEBOAT_FULL_BACKUP_SCHEDULE: optionalString
    .transform((s) => s ?? DEFAULTS.LIFEBOAT_FULL_BACKUP_SCHEDULE)
    .pipe(z.string().regex(NCRONTAB, "must be a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week})")),
  LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: optionalString
    .transform((s) => s ?? DEFAULTS.LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE)
    .pipe(z.string().regex(NCRONTAB, "must be a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week})")),
  LIFEBOAT_OVERLAP_SECONDS: intSetting(DEFAULTS.LIFEBOAT_OVERLAP_SECONDS, 0, 86400),
  LIFEBOAT_CHUNK_ENTITIES: intSetting(DEFAULTS.LIFEBOAT_CHUNK_ENTITIES, 100, 100000),
  LIFEBOAT_RESTORE_CONCURRENCY: intSetting(DEFAULTS.LIFEBOAT_RESTORE_CONCURRENCY, 1, 64),
  LIFEBOAT_AUDIT: optionalString,
  LIFEBOAT_AUDIT__tableServiceUri: optionalString.pipe(uri.optional()),
  LIFEBOAT_AUDIT__blobServiceUri: optionalString.pipe(uri.optional()),
  LIFEBOAT_AUDIT__clientId: optionalString,
  LIFEBOAT_AUDIT__credential: optionalString.pipe(z.enum(["managedidentity"], { error: "must be managedidentity when set" }).optional()),
  LIFEBOAT_AUDIT_TABLE: optionalString
    .transform((s) => s ?? DEFAULTS.LIFEBOAT_AUDIT_TABLE)
    .pipe(z.string().regex(TABLE_NAME, "must be a valid table name (a letter, then 2-62 letters or digits)")),
  LIFEBOAT_AUDIT_CONTAINER: optionalString
    .transform((s) => s ?? DEFAULTS.LIFEBOAT_AUDIT_CONTAINER)
    .pipe(z.string().regex(CONTAINER_NAME, "must be a valid container name (3-63 lowercase letters, digits, single hyphens)")),
});

type Parsed = z.infer<typeof schema>;
type Issue = { setting: string; message: string };

function connection(
  name: "LIFEBOAT_SOURCE" | "LIFEBOAT_BACKUP" | "LIFEBOAT_AUDIT",
  p: Parsed,
  needs: "table" | "blob",
  issues: Issue[],
): StorageConnection {
  const cs = p[name];
  const tableUri = p[`${name}__tableServiceUri`];
  const blobUri = p[`${name}__blobServiceUri`];
  if (cs) {
    if (!/(^|;)\s*(AccountName|UseDevelopmentStorage|TableEndpoint|BlobEndpoint|SharedAccessSignature)=/i.test(cs)) {
      issues.push({ setting: name, message: "is not a Storage connection string (expected AccountName=…;AccountKey=… or endpoints)" });
    }
    return { kind: "connectionString", connectionString: cs };
  }
  const uriName = needs === "table" ? `${name}__tableServiceUri` : `${name}__blobServiceUri`;
  if ((needs === "table" && !tableUri) || (needs === "blob" && !blobUri)) {
    issues.push({ setting: name, message: `is required: a connection string, or ${uriName} with a managed identity` });
  }
  const clientId = p[`${name}__clientId`];
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
function tableUriFromBlobUri(blobUri: string | undefined): string | undefined {
  if (!blobUri) return undefined;
  const u = new URL(blobUri);
  if (!/^[a-z0-9]+\.blob\./.test(u.hostname) || (u.pathname !== "/" && u.pathname !== "")) return undefined;
  u.hostname = u.hostname.replace(".blob.", ".table.");
  return u.toString().replace(/\/$/, "");
}

/**
 * The audit log's account: LIFEBOAT_AUDIT (connection string or __tableServiceUri +
 * __blobServiceUri) when any of it is set, else the backup account. In identity mode the
 * backup account's table URI is LIFEBOAT_BACKUP__tableServiceUri, or derived from its
 * standard blob URI; failing both, that setting is reported as required.
 */
function auditConnection(p: Parsed, backup: StorageConnection, issues: Issue[]): StorageConnection {
  if (p.LIFEBOAT_AUDIT || p.LIFEBOAT_AUDIT__tableServiceUri || p.LIFEBOAT_AUDIT__blobServiceUri) {
    const conn = connection("LIFEBOAT_AUDIT", p, "table", issues);
    if (conn.kind === "connectionString" && /SharedAccessSignature=/i.test(conn.connectionString) && !(/TableEndpoint=/i.test(conn.connectionString) && /BlobEndpoint=/i.test(conn.connectionString))) {
      issues.push({ setting: "LIFEBOAT_AUDIT", message: "a SAS connection string needs both TableEndpoint (entries) and BlobEndpoint (digests)" });
    }
    if (conn.kind === "identity" && !conn.blobServiceUri) {
      issues.push({ setting: "LIFEBOAT_AUDIT__blobServiceUri", message: "is required with LIFEBOAT_AUDIT__tableServiceUri: the account's blob URI, for audit digests" });
    }
    return conn;
  }
  if (backup.kind === "connectionString") {
    if (/SharedAccessSignature=/i.test(backup.connectionString) && !/TableEndpoint=/i.test(backup.connectionString)) {
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

/** Each field parsed on its own; a field that fails reads as unset ("" for the required table list). */
function lenient(env: Record<string, string | undefined>): Parsed {
  const out: Record<string, unknown> = {};
  for (const [k, field] of Object.entries(schema.shape)) {
    const r = (field as z.ZodType).safeParse(env[k]);
    out[k] = r.success ? r.data : undefined;
  }
  out.LIFEBOAT_TABLES ??= "";
  return out as Parsed;
}

/**
 * Parses settings from a plain object (process.env, or a local.settings.json `Values`).
 * Throws ConfigError naming every bad setting; never includes a setting's value.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  // On a schema failure, go on with the fields that did parse, so that one run names
  // every bad setting (the cross-setting checks below included), not just the first.
  const issues: Issue[] = result.success
    ? []
    : result.error.issues.map((i) => ({ setting: String(i.path[0] ?? "settings"), message: i.message }));
  const p: Parsed = result.success ? result.data : lenient(env);
  const source = connection("LIFEBOAT_SOURCE", p, "table", issues);
  const backup = connection("LIFEBOAT_BACKUP", p, "blob", issues);
  const audit = auditConnection(p, backup, issues);

  let tables: string[] | "*" = "*";
  if (p.LIFEBOAT_TABLES !== "*" && p.LIFEBOAT_TABLES !== "") {
    tables = p.LIFEBOAT_TABLES.split(",").map((t) => t.trim()).filter((t) => t.length > 0);
    const bad = tables.filter((t) => !TABLE_NAME.test(t));
    if (bad.length > 0) {
      issues.push({
        setting: "LIFEBOAT_TABLES",
        message: `${bad.map((b) => JSON.stringify(b)).join(", ")} not a valid table name (a letter, then 2-62 letters or digits)`,
      });
    }
    if (tables.length === 0) issues.push({ setting: "LIFEBOAT_TABLES", message: "names no table" });
  }

  let key: KeySource | undefined;
  if (p.LIFEBOAT_KEK && p.LIFEBOAT_KEY_VAULT_URI) {
    issues.push({ setting: "LIFEBOAT_KEK", message: "set either LIFEBOAT_KEK or LIFEBOAT_KEY_VAULT_URI, not both" });
  } else if (p.LIFEBOAT_KEK) {
    const raw = Buffer.from(p.LIFEBOAT_KEK, "base64");
    if (raw.length !== 32 || raw.toString("base64") !== p.LIFEBOAT_KEK.replace(/\s/g, "")) {
      issues.push({ setting: "LIFEBOAT_KEK", message: "must be the base64 of exactly 32 random bytes (openssl rand -base64 32)" });
    } else {
      key = { kind: "env", keyBase64: p.LIFEBOAT_KEK };
    }
  } else if (p.LIFEBOAT_KEY_VAULT_URI) {
    if (!p.LIFEBOAT_KEK_SECRET) {
      issues.push({ setting: "LIFEBOAT_KEK_SECRET", message: "is required with LIFEBOAT_KEY_VAULT_URI: the name of the secret holding the KEK" });
    } else {
      key = { kind: "keyVault", vaultUri: p.LIFEBOAT_KEY_VAULT_URI, secretName: p.LIFEBOAT_KEK_SECRET };
    }
  } else if (!issues.some((i) => i.setting === "LIFEBOAT_KEK" || i.setting === "LIFEBOAT_KEY_VAULT_URI")) {
    issues.push({ setting: "LIFEBOAT_KEK", message: "is required: LIFEBOAT_KEK (development) or LIFEBOAT_KEY_VAULT_URI + LIFEBOAT_KEK_SECRET" });
  }

  if (issues.length > 0 || !key) throw new ConfigError(issues);
  return {
    source,
    tables,
    backup,
    backupContainer: p.LIFEBOAT_BACKUP_CONTAINER,
    key,
    rpoMinutes: p.RPO_MINUTES,
    rtoMinutes: p.RTO_MINUTES,
    fullBackupSchedule: p.LIFEBOAT_FULL_BACKUP_SCHEDULE,
    incrementalBackupSchedule: p.LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE,
    overlapSeconds: p.LIFEBOAT_OVERLAP_SECONDS,
    chunkEntities: p.LIFEBOAT_CHUNK_ENTITIES,
    restoreConcurrency: p.LIFEBOAT_RESTORE_CONCURRENCY,
    audit,
    auditTable: p.LIFEBOAT_AUDIT_TABLE,
    auditContainer: p.LIFEBOAT_AUDIT_CONTAINER,
  };
}
