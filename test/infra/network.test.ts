import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * networkIsolation in infra/: off by default (the README's quick deployment works from a
 * workstation), and when on, every Lifeboat account and vault is private and reached
 * through a private endpoint from both regions' networks.
 */

const INFRA = join(__dirname, "..", "..", "infra");
const main = readFileSync(join(INFRA, "main.bicep"), "utf8");
const module = (name: string): string => readFileSync(join(INFRA, "modules", `${name}.bicep`), "utf8");
const call = (symbol: string): string => {
  const m = new RegExp(`^module ${symbol} '[^']+' = (?:if \\(networkIsolation\\) )?\\{\\n([\\s\\S]*?)\\n\\}$`, "m").exec(main);
  if (!m) throw new Error(`main.bicep: no module ${symbol}`);
  return m[1]!;
};

describe("infra: network isolation", () => {
  it("is a parameter, off by default", () => {
    expect(main).toMatch(/^param networkIsolation bool = false$/m);
  });

  it("turns public network access off on the backup, secondary and failover accounts and both vaults", () => {
    for (const symbol of ["backup", "secondaryBackup", "failover", "keyVault", "secondaryKeyVault"]) expect(call(symbol), symbol).toMatch(/^\s*isolated: networkIsolation$/m);
    for (const m of ["backup-storage", "failover-storage", "key-vault"]) {
      expect(module(m), m).toMatch(/publicNetworkAccess: isolated \? 'Disabled' : 'Enabled'/);
      expect(module(m), m).toMatch(/defaultAction: isolated \? 'Deny' : 'Allow'/);
    }
    for (const m of ["backup-storage", "failover-storage"]) expect(module(m), m).toMatch(/allowedCopyScope: 'AAD'/);
  });

  it("integrates both apps with their region's network, and the networks are peered both ways", () => {
    expect(call("functionApp")).toMatch(/^\s*subnetId: networkIsolation \? network!\.outputs\.appsSubnetId : ''$/m);
    expect(call("standbyApp")).toMatch(/^\s*subnetId: networkIsolation \? secondaryNetwork!\.outputs\.appsSubnetId : ''$/m);
    expect(module("function-app")).toMatch(/virtualNetworkSubnetId: empty\(subnetId\) \? null : subnetId/);
    expect(module("network")).toContain("serviceName: 'Microsoft.App/environments'");
    expect(call("peerToSecondary")).toMatch(/remoteVnetId: secondaryNetwork!\.outputs\.id/);
    expect(call("peerToPrimary")).toMatch(/remoteVnetId: network!\.outputs\.id/);
    expect(call("privateDns")).toMatch(/vnetIds: \[network!\.outputs\.id, secondaryNetwork!\.outputs\.id\]/);
  });

  it("gives every account and vault the apps use a private endpoint for each service they call", () => {
    const endpoints = [...call("privateEndpoints").matchAll(/\{ name: '(\w+)', resourceId: ([\w.]+), group: '(\w+)' \}/g), ...call("secondaryPrivateEndpoints").matchAll(/\{ name: '(\w+)', resourceId: ([\w.]+), group: '(\w+)' \}/g)].map((m) => `${m[2]} ${m[3]}`);
    expect(endpoints.sort()).toEqual(
      [
        "sourceStorageAccountId blob",
        "sourceStorageAccountId table",
        "backup.outputs.id blob",
        "backup.outputs.id table",
        "secondaryBackup.outputs.id blob",
        "secondaryBackup.outputs.id table",
        "failover.outputs.id blob",
        "failover.outputs.id table",
        "keyVault.outputs.id vault",
        "secondaryKeyVault.outputs.id vault",
      ].sort(),
    );
    expect(module("private-dns")).toMatch(/output zoneIds object = \{ blob: blob\.id, table: table\.id, queue: queue\.id, vault: vault\.id \}/);
  });
});
