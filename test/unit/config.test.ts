import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { ConfigError, loadConfig } from "../../src/config";

const KEK = Buffer.alloc(32, 7).toString("base64");
const base = { LIFEBOAT_SOURCE: "UseDevelopmentStorage=true", LIFEBOAT_BACKUP: "UseDevelopmentStorage=true", LIFEBOAT_TABLES: "Customers,Orders", LIFEBOAT_KEK: KEK };

function issuesOf(env: Record<string, string>): { setting: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error("expected ConfigError");
}

describe("loadConfig", () => {
  it("applies the DR policy defaults", () => {
    const c = loadConfig(base);
    expect(c.rpoMinutes).toBe(15);
    expect(c.rtoMinutes).toBe(120);
    expect(c.incrementalBackupSchedule).toBe("0 */15 * * * *");
    expect(c.fullBackupSchedule).toBe("0 0 1 * * *");
    expect(c.backupContainer).toBe("lifeboat");
    expect(c.tables).toEqual(["Customers", "Orders"]);
  });

  it("accepts * for every table and managed-identity URIs", () => {
    const c = loadConfig({
      LIFEBOAT_TABLES: "*",
      LIFEBOAT_SOURCE__tableServiceUri: "https://src.table.core.windows.net",
      LIFEBOAT_BACKUP__blobServiceUri: "https://bak.blob.core.windows.net",
      LIFEBOAT_KEY_VAULT_URI: "https://kv.vault.azure.net",
      LIFEBOAT_KEK_SECRET: "lifeboat-kek",
    });
    expect(c.tables).toBe("*");
    expect(c.source).toEqual({ kind: "identity", tableServiceUri: "https://src.table.core.windows.net" });
    expect(c.key).toEqual({ kind: "keyVault", vaultUri: "https://kv.vault.azure.net", secretName: "lifeboat-kek" });
  });

  it("names every bad setting at once and never echoes a value", () => {
    const issues = issuesOf({ LIFEBOAT_TABLES: "ok1,1bad", LIFEBOAT_KEK: "c2VjcmV0", RPO_MINUTES: "soon" });
    const settings = issues.map((i) => i.setting).sort();
    expect(settings).toEqual(["LIFEBOAT_BACKUP", "LIFEBOAT_KEK", "LIFEBOAT_SOURCE", "LIFEBOAT_TABLES", "RPO_MINUTES"]);
    expect(issuesOf({})).toEqual(expect.arrayContaining([expect.objectContaining({ setting: "LIFEBOAT_TABLES" }), expect.objectContaining({ setting: "LIFEBOAT_KEK" })]));
    const issues2 = issuesOf({ LIFEBOAT_TABLES: "ok1,1bad", LIFEBOAT_KEK: "c2VjcmV0" });
    expect(issues2.map((i) => i.setting).sort()).toEqual(["LIFEBOAT_BACKUP", "LIFEBOAT_KEK", "LIFEBOAT_SOURCE", "LIFEBOAT_TABLES"]);
    expect(JSON.stringify(issues2)).not.toContain("c2VjcmV0");
  });

  it("reads the restore-job queue's account and names, and names a bad one", () => {
    expect(loadConfig(base).jobs).toEqual({ table: "LifeboatJobs", queueName: "lifeboat-jobs", queue: null });
    expect(loadConfig({ ...base, AzureWebJobsStorage__accountName: "stlbhost123", AzureWebJobsStorage__clientId: "c1" }).jobs.queue).toEqual({
      kind: "identity",
      queueServiceUri: "https://stlbhost123.queue.core.windows.net",
      clientId: "c1",
    });
    expect(loadConfig({ ...base, AzureWebJobsStorage: "UseDevelopmentStorage=true" }).jobs.queue?.kind).toBe("connectionString");
    const issues = issuesOf({ ...base, LIFEBOAT_JOBS_QUEUE: "Jobs_Queue", LIFEBOAT_JOBS_TABLE: "1jobs", AzureWebJobsStorage: "secret-ish-not-a-cs" });
    expect(issues.map((i) => i.setting).sort()).toEqual(["AzureWebJobsStorage", "LIFEBOAT_JOBS_QUEUE", "LIFEBOAT_JOBS_TABLE"]);
    expect(JSON.stringify(issues)).not.toContain("secret-ish");
  });

  it("rejects a malformed schedule with the field named", () => {
    expect(issuesOf({ ...base, LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: "*/15 * * * *" })[0]?.setting).toBe(
      "LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE",
    );
  });

  it("holds connection strings and the KEK as secrets that never print", () => {
    const accountKey = Buffer.alloc(64, 9).toString("base64");
    const cs = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${accountKey};EndpointSuffix=core.windows.net`;
    const c = loadConfig({ ...base, LIFEBOAT_SOURCE: cs });
    for (const text of [JSON.stringify(c), inspect(c, { depth: 10 }), String(c.key.kind === "env" ? c.key.keyBase64 : "")]) {
      expect(text).not.toContain(accountKey);
      expect(text).not.toContain(KEK);
    }
    expect(c.source.kind === "connectionString" && c.source.connectionString.reveal()).toBe(cs);
  });

  it("reads LIFEBOAT_EXCLUDE_TABLES as names and prefix* patterns, naming a bad one", () => {
    expect(loadConfig({ ...base, LIFEBOAT_EXCLUDE_TABLES: "Scratch*, tmp,chk*" }).excludeTables).toEqual(["Scratch*", "tmp", "chk*"]);
    expect(loadConfig(base).excludeTables).toEqual([]);
    expect(issuesOf({ ...base, LIFEBOAT_EXCLUDE_TABLES: "ok*,*all,a-b" })).toEqual([
      { setting: "LIFEBOAT_EXCLUDE_TABLES", message: '"*all", "a-b": each must be a table name, or a prefix (a letter, then letters or digits) ending in *' },
    ]);
  });
});
