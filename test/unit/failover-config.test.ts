import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULTS, loadConfig } from "../../src/config";
import { effectiveSettings } from "../../src/config/effective";
import { publicEndpoints } from "../../src/config/endpoints";
import { settingSecrets } from "../../src/config/secrets";
import { redactSettings } from "../../src/core/config-files/redact-settings";
import { probeSchedule } from "../../src/config/schedules";
import { Secret } from "../../src/core/secret";

const KEK = Buffer.alloc(32, 7).toString("base64");
const base = { LIFEBOAT_SOURCE: "UseDevelopmentStorage=true", LIFEBOAT_BACKUP: "UseDevelopmentStorage=true", LIFEBOAT_TABLES: "Customers", LIFEBOAT_KEK: KEK };
const KEY = "c2VjcmV0LWtleS12YWx1ZS10aGF0LW11c3Qtbm90LWxlYWs=";

describe("failover settings", () => {
  it("defaults: no failover account, 10 minutes, automatic, the Bicep's secret name, LifeboatState", () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({ failover: null, failoverAfterMinutes: 10, autoFailover: true, activeEndpointSecret: "lifeboat-active-endpoint", stateTable: "LifeboatState", primaryProbeSchedule: "0 * * * * *" });
    expect(DEFAULTS.LIFEBOAT_ACTIVE_ENDPOINT_SECRET).toBe("lifeboat-active-endpoint");
    expect(probeSchedule({})).toBe("0 * * * * *");
  });

  it("reads the connection string or the identity form, and names each bad setting", () => {
    expect(loadConfig({ ...base, LIFEBOAT_FAILOVER: `AccountName=fo;AccountKey=${KEY}` }).failover?.kind).toBe("connectionString");
    expect(loadConfig({ ...base, LIFEBOAT_FAILOVER__tableServiceUri: "https://fo.table.core.windows.net", LIFEBOAT_FAILOVER__clientId: "abc" }).failover).toEqual({
      kind: "identity",
      tableServiceUri: "https://fo.table.core.windows.net",
      clientId: "abc",
    });
    let err: unknown;
    try {
      loadConfig({ ...base, LIFEBOAT_FAILOVER: "nonsense", LIFEBOAT_FAILOVER_AFTER_MINUTES: "0", LIFEBOAT_AUTO_FAILOVER: "maybe", LIFEBOAT_ACTIVE_ENDPOINT_SECRET: "no spaces", LIFEBOAT_STATE_TABLE: "1bad" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.setting).sort()).toEqual(["LIFEBOAT_ACTIVE_ENDPOINT_SECRET", "LIFEBOAT_AUTO_FAILOVER", "LIFEBOAT_FAILOVER", "LIFEBOAT_FAILOVER_AFTER_MINUTES", "LIFEBOAT_STATE_TABLE"]);
    expect((err as Error).message).not.toContain("nonsense");
  });
});

describe("publicEndpoints: what the endpoint record publishes", () => {
  const cs = (s: string) => publicEndpoints({ kind: "connectionString", connectionString: new Secret(s) });

  it("derives the endpoints of an account key connection string, never the key", () => {
    const e = cs(`DefaultEndpointsProtocol=https;AccountName=stlbfo;AccountKey=${KEY};EndpointSuffix=core.windows.net`);
    expect(e).toEqual({ tableServiceUri: "https://stlbfo.table.core.windows.net", blobServiceUri: "https://stlbfo.blob.core.windows.net" });
    expect(JSON.stringify(e)).not.toContain(KEY);
  });

  it("takes explicit endpoints without their SAS, and Azurite's for UseDevelopmentStorage", () => {
    expect(cs("TableEndpoint=https://x.table.core.windows.net/?sv=1&sig=abc;SharedAccessSignature=sv=1&sig=abc")).toEqual({ tableServiceUri: "https://x.table.core.windows.net" });
    expect(cs(`AccountName=lifeboatfailover;AccountKey=${KEY};TableEndpoint=http://127.0.0.1:10002/lifeboatfailover;BlobEndpoint=http://127.0.0.1:10000/lifeboatfailover`)).toEqual({
      tableServiceUri: "http://127.0.0.1:10002/lifeboatfailover",
      blobServiceUri: "http://127.0.0.1:10000/lifeboatfailover",
    });
    expect(cs("UseDevelopmentStorage=true").tableServiceUri).toBe("http://127.0.0.1:10002/devstoreaccount1");
    expect(publicEndpoints({ kind: "identity", tableServiceUri: "https://a.table.core.windows.net/" })).toEqual({ tableServiceUri: "https://a.table.core.windows.net" });
  });
});

describe("what a config export records of the failover settings", () => {
  it("the failover connection string redacted (and its key in the audit log's redaction list), the endpoint secret's name kept", () => {
    const c = loadConfig({ ...base, LIFEBOAT_FAILOVER: `AccountName=fo;AccountKey=${KEY}` });
    const out = redactSettings(effectiveSettings(c));
    expect(JSON.stringify(out)).not.toContain(KEY);
    expect(out.LIFEBOAT_ACTIVE_ENDPOINT_SECRET).toBe("lifeboat-active-endpoint");
    expect(out.LIFEBOAT_STATE_TABLE).toBe("LifeboatState");
    expect(settingSecrets(c)).toContain(KEY);
  });
});
