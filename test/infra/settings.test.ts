import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS, loadConfig, SETTING_NAMES } from "../../src/config";
import { LOCK_CONTAINER } from "../../src/adapters/azure/stores";

/*
 * The Function App's settings in infra/ against the settings schema in src/config/:
 * Bicep must set every setting the app requires in Azure, set no Lifeboat setting the
 * app does not read, never set a secret, and what it sets must parse.
 *
 * The app settings are read from the clearly delimited block in
 * infra/modules/function-app.bicep; where a Bicep CLI is installed, the compiled ARM
 * template is read too and must list the same settings.
 */

const ROOT = join(__dirname, "..", "..");
const INFRA = join(ROOT, "infra");
const APP_MODULE = join(INFRA, "modules", "function-app.bicep");

/** What the schema requires when the app runs in Azure: managed identity and Key Vault. */
const REQUIRED_IN_AZURE = [
  "LIFEBOAT_TABLES",
  "LIFEBOAT_SOURCE__tableServiceUri",
  "LIFEBOAT_BACKUP__blobServiceUri",
  "LIFEBOAT_KEY_VAULT_URI",
  "LIFEBOAT_KEK_SECRET",
];

/** Settings that hold a connection string or a key: never set by Bicep. */
const NEVER_SET = ["LIFEBOAT_SOURCE", "LIFEBOAT_BACKUP", "LIFEBOAT_KEK", "AzureWebJobsStorage"];

const isLifeboatSetting = (name: string): boolean => /^LIFEBOAT_/.test(name) || name === "RPO_MINUTES" || name === "RTO_MINUTES";

interface BicepSetting {
  name: string;
  /** The Bicep expression of the value, as written. */
  value: string;
}

/** Parses the `// ---- app settings: begin/end ----` block of function-app.bicep. */
function readBicepSettings(): BicepSetting[] {
  const text = readFileSync(APP_MODULE, "utf8");
  const begin = text.indexOf("// ---- app settings: begin ----");
  const end = text.indexOf("// ---- app settings: end ----");
  if (begin < 0 || end < begin) throw new Error(`${APP_MODULE}: no "// ---- app settings: begin/end ----" block`);
  const settings: BicepSetting[] = [];
  for (const raw of text.slice(begin, end).split("\n").slice(1)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("//") || line === "appSettings: [" || line === "]") continue;
    const m = /^\{ name: '([^']+)', value: (.+) \}$/.exec(line);
    if (!m) throw new Error(`${APP_MODULE}: cannot read app setting line: ${line}`);
    settings.push({ name: m[1]!, value: m[2]! });
  }
  return settings;
}

/** Parameters of main.bicep with their defaults, overridden by infra/main.parameters.json. */
function mainParameters(): Map<string, unknown> {
  const text = readFileSync(join(INFRA, "main.bicep"), "utf8");
  const params = new Map<string, unknown>();
  for (const m of text.matchAll(/^param (\w+) (\w+)(?: = (.+))?$/gm)) {
    const [, name, , def] = m;
    let value: unknown;
    if (def === undefined) value = undefined;
    else if (/^'[^']*'$/.test(def)) value = def.slice(1, -1);
    else if (/^-?\d+$/.test(def)) value = Number(def);
    else if (def === "true" || def === "false") value = def === "true";
    else value = undefined; // an expression: no literal default
    params.set(name!, value);
  }
  const file = JSON.parse(readFileSync(join(INFRA, "main.parameters.json"), "utf8")) as {
    parameters: Record<string, { value: unknown }>;
  };
  for (const [name, p] of Object.entries(file.parameters)) {
    // azd substitutes ${VAR} and ${VAR=default}; without the environment, the default applies.
    const azd = typeof p.value === "string" ? /^\$\{\w+(?:=(.*))?\}$/.exec(p.value) : null;
    if (!azd) params.set(name, p.value);
    else if (azd[1] === undefined) params.set(name, undefined);
    else params.set(name, azd[1] === "true" ? true : azd[1] === "false" ? false : azd[1]);
  }
  return params;
}

/** The text of main.bicep's `module <symbol> 'modules/function-app.bicep'` block: the primary app (functionApp) or the standby (standbyApp). */
function functionAppModuleCall(symbol = "functionApp"): string {
  const text = readFileSync(join(INFRA, "main.bicep"), "utf8");
  const m = new RegExp(`^module ${symbol} 'modules\\/function-app\\.bicep' = \\{\\n([\\s\\S]*?)\\n\\}$`, "m").exec(text);
  if (!m) throw new Error(`main.bicep: no \`module ${symbol} 'modules/function-app.bicep'\` block`);
  return m[1]!;
}

/** The literal defaults of function-app.bicep's own parameters (what an app gets when main.bicep does not pass one). */
function moduleDefaults(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of readFileSync(APP_MODULE, "utf8").matchAll(/^param (\w+) \w+ = '([^']*)'$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

/**
 * The value a setting gets with the default parameters: a literal as written, a
 * parameter passed straight through from main.bicep as its default there (or in
 * main.parameters.json), and a placeholder for what Azure only knows at deployment
 * (endpoints, the identity's client id).
 */
function valueOf(setting: BicepSetting, params: Map<string, unknown>, moduleCall: string): string {
  const literal = /^'([^'$]*)'$/.exec(setting.value);
  if (literal) return literal[1]!;
  const param = /^(?:string\(([\w.]+)\)|([\w.]+))$/.exec(setting.value);
  const id = param?.[1] ?? param?.[2];
  // settings.X: the typed object main.bicep builds once (lifeboatSettings) from its own parameters.
  const shared = id ? /^settings\.(\w+)$/.exec(id) : null;
  if (shared) {
    if (!/^\s*settings: lifeboatSettings$/m.test(moduleCall)) throw new Error(`${setting.name}: the module call does not pass settings: lifeboatSettings`);
    const from = new RegExp(`^  ${shared[1]}: (\\w+)$`, "m").exec(lifeboatSettingsVar())?.[1];
    if (!from) throw new Error(`${setting.name}: main.bicep's lifeboatSettings has no ${shared[1]}`);
    const v = params.get(from);
    if (v === undefined) throw new Error(`${setting.name}: main.bicep parameter ${from} has no literal default`);
    return String(v);
  }
  // A literal the module call passes (the standby's role), or the module's own default when it passes none.
  const passed = id ? new RegExp(`^\\s*${id}: '([^'$]*)'$`, "m").exec(moduleCall) : null;
  if (passed) return passed[1]!;
  if (id && !new RegExp(`^\\s*${id}: `, "m").test(moduleCall) && moduleDefaults().has(id)) return moduleDefaults().get(id)!;
  if (id === "primaryAppUrl") return "https://placeholder.azurewebsites.net";
  const service = /__(table|blob|queue)ServiceUri$/.exec(setting.name);
  if (service) return `https://placeholder.${service[1]}.core.windows.net/`;
  if (setting.name === "LIFEBOAT_KEY_VAULT_URI") return "https://placeholder.vault.azure.net/";
  if (setting.name === "LIFEBOAT_KEY_VAULT_URI_SECONDARY") return "https://placeholder-secondary.vault.azure.net/";
  if (setting.name.endsWith("__clientId")) return "00000000-0000-0000-0000-000000000000";
  throw new Error(`${setting.name}: no way to evaluate ${setting.value} here; extend test/infra/settings.test.ts`);
}

/** main.bicep's `var lifeboatSettings = { … }`: the settings both apps get, each from a parameter of the same name. */
function lifeboatSettingsVar(): string {
  const m = /^var lifeboatSettings = \{\n([\s\S]*?)\n\}$/m.exec(readFileSync(join(INFRA, "main.bicep"), "utf8"));
  if (!m) throw new Error("main.bicep: no `var lifeboatSettings = { … }` block");
  return m[1]!;
}

describe("infra: the Function App's settings agree with src/config/", () => {
  const settings = readBicepSettings();
  const names = settings.map((s) => s.name);

  it("sets each app setting once", () => {
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it("sets only Lifeboat settings that the schema reads", () => {
    const unknown = names.filter(isLifeboatSetting).filter((n) => !(SETTING_NAMES as readonly string[]).includes(n));
    expect(unknown, "set in Bicep but not in SETTING_NAMES (src/config/schema.ts)").toEqual([]);
  });

  it("sets every setting the schema requires in Azure", () => {
    expect(REQUIRED_IN_AZURE.filter((n) => !(SETTING_NAMES as readonly string[]).includes(n)), "test out of date").toEqual([]);
    expect(REQUIRED_IN_AZURE.filter((n) => !names.includes(n)), "required but not set in Bicep").toEqual([]);
  });

  it("uses identity-based connections and never sets a connection string or a key", () => {
    expect(names.filter((n) => NEVER_SET.includes(n))).toEqual([]);
    for (const s of settings) {
      expect(s.value, s.name).not.toMatch(/AccountKey|SharedAccessSignature|listKeys|InstrumentationKey=/i);
      if (s.name.endsWith("__credential")) expect(s.value, s.name).toBe("'managedidentity'");
    }
    const prefixes = new Set(names.filter((n) => /__(table|blob|queue)ServiceUri$|__accountName$/.test(n)).map((n) => n.split("__")[0]!));
    for (const prefix of prefixes) {
      expect(names, `${prefix} connection`).toContain(`${prefix}__credential`);
      expect(names, `${prefix} connection`).toContain(`${prefix}__clientId`);
    }
  });

  it("parses with loadConfig, with the app's own defaults", () => {
    const params = mainParameters();
    const moduleCall = functionAppModuleCall();
    const env: Record<string, string> = {};
    for (const s of settings.filter((x) => isLifeboatSetting(x.name))) env[s.name] = valueOf(s, params, moduleCall);

    const config = loadConfig(env);
    expect(config.source).toEqual({
      kind: "identity",
      tableServiceUri: "https://placeholder.table.core.windows.net/",
      blobServiceUri: "https://placeholder.blob.core.windows.net/",
      clientId: "00000000-0000-0000-0000-000000000000",
    });
    expect(config.backup.kind).toBe("identity");
    expect(config.key).toEqual({ kind: "keyVault", vaultUri: "https://placeholder.vault.azure.net/", secretName: "lifeboat-kek", secondaryVaultUri: "https://placeholder-secondary.vault.azure.net/" });
    expect(config.tables).toBe("*");
    expect(config.backupContainer).toBe(DEFAULTS.LIFEBOAT_BACKUP_CONTAINER);
    expect(config.rpoMinutes).toBe(DEFAULTS.RPO_MINUTES);
    expect(config.rtoMinutes).toBe(DEFAULTS.RTO_MINUTES);
    expect(config.fullBackupSchedule).toBe(DEFAULTS.LIFEBOAT_FULL_BACKUP_SCHEDULE);
    expect(config.incrementalBackupSchedule).toBe(DEFAULTS.LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE);
    expect(config.overlapSeconds).toBe(DEFAULTS.LIFEBOAT_OVERLAP_SECONDS);
    expect(config.chunkEntities).toBe(DEFAULTS.LIFEBOAT_CHUNK_ENTITIES);
    expect(config.restoreConcurrency).toBe(DEFAULTS.LIFEBOAT_RESTORE_CONCURRENCY);
    expect(config.containers).toEqual([]);
    expect(config.configContainers).toEqual([]);
    expect(config.configExportSchedule).toBe(DEFAULTS.LIFEBOAT_CONFIG_EXPORT_SCHEDULE);
    expect(config.failover).toEqual({
      kind: "identity",
      tableServiceUri: "https://placeholder.table.core.windows.net/",
      blobServiceUri: "https://placeholder.blob.core.windows.net/",
      clientId: "00000000-0000-0000-0000-000000000000",
    });
    expect(config.activeEndpointSecret).toBe(DEFAULTS.LIFEBOAT_ACTIVE_ENDPOINT_SECRET);
    expect(config.stateTable).toBe(DEFAULTS.LIFEBOAT_STATE_TABLE);
    expect(config.role).toEqual({ kind: "primary" });
  });

  it("deploys a standby app in the secondary region with the same settings, as standby, its backups in the secondary account", () => {
    const params = mainParameters();
    const call = functionAppModuleCall("standbyApp");
    const env: Record<string, string> = {};
    for (const s of settings.filter((x) => isLifeboatSetting(x.name))) env[s.name] = valueOf(s, params, call);
    const config = loadConfig(env);
    expect(config.role).toEqual({ kind: "standby", primaryAppUrl: "https://placeholder.azurewebsites.net" });
    expect(call).toMatch(/^\s*scope: secondaryRg$/m);
    expect(call).toMatch(/^\s*location: secondaryRegion$/m);
    expect(call).toMatch(/^\s*backupBlobServiceUri: secondaryBackup\.outputs\.blobServiceUri$/m);
    expect(call).toMatch(/^\s*secondaryBlobServiceUri: backup\.outputs\.blobServiceUri$/m);
    expect(call).toMatch(/^\s*primaryAppUrl: 'https:\/\/\$\{functionApp\.outputs\.hostName\}'$/m);
    // Every parameter the primary app gets, the standby gets too (only these differ), and the same settings object.
    const keys = (text: string): string[] => [...text.matchAll(/^ {4,6}(\w+):/gm)].map((m) => m[1]!).sort();
    expect(keys(call).filter((k) => !keys(functionAppModuleCall()).includes(k))).toEqual(["primaryAppUrl", "role"]);
    expect(call).toMatch(/^\s*settings: lifeboatSettings$/m);
  });

  it("caps the worker's heap at the size the benchmark measured under", () => {
    const arg = settings.find((x) => x.name === "languageWorkers__node__arguments");
    expect(arg?.value).toBe("'--max-old-space-size=${workerHeapMB}'");
    expect(functionAppModuleCall()).toMatch(/^\s*workerHeapMB: workerHeapMB$/m);
    const heap = mainParameters().get("workerHeapMB");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts["bench"], "npm run bench must run Lifeboat with the worker's heap limit").toContain(`node --max-old-space-size=${String(heap)} `);
  });

  it("creates the app's lock container in the backup accounts", () => {
    const text = readFileSync(join(INFRA, "modules", "backup-storage.bicep"), "utf8");
    expect(/^var lockContainerName = '([^']+)'$/m.exec(text)?.[1]).toBe(LOCK_CONTAINER);
  });

  it("main.parameters.json names only parameters of main.bicep", () => {
    const text = readFileSync(join(INFRA, "main.bicep"), "utf8");
    const declared = [...text.matchAll(/^param (\w+) /gm)].map((m) => m[1]);
    const file = JSON.parse(readFileSync(join(INFRA, "main.parameters.json"), "utf8")) as { parameters: Record<string, unknown> };
    expect(Object.keys(file.parameters).filter((p) => !declared.includes(p))).toEqual([]);
  });
});

/** The pinned Bicep CLI if it is installed (never installs it: `npm run infra:build` does). */
function findBicep(): string | undefined {
  const r = spawnSync("bash", [join(ROOT, "scripts", "ensure-bicep.sh"), "--find"], { encoding: "utf8" });
  const path = r.stdout.trim();
  return r.status === 0 && path !== "" ? path : undefined;
}

const bicep = findBicep();
const inCi = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
if (!bicep && !inCi) console.warn("infra compile skipped: no Bicep CLI (run npm run infra:build)");

describe.skipIf(!bicep && !inCi)("infra: compiled with the Bicep CLI", () => {
  let build: { status: number | null; output: string } | undefined;

  beforeAll(() => {
    if (!bicep) return;
    const r = spawnSync("bash", [join(ROOT, "scripts", "infra-build.sh")], { encoding: "utf8", timeout: 300_000 });
    build = { status: r.status, output: `${r.stdout}${r.stderr}` };
  }, 320_000);

  it("compiles and lints with no error or warning (npm run infra:build)", () => {
    if (!bicep) throw new Error("CI has no Bicep CLI: .ci/run must install it first (bash scripts/ensure-bicep.sh)");
    expect(build?.status, build?.output).toBe(0);
  });

  it("the compiled template sets the same app settings as the Bicep text", () => {
    if (!bicep) throw new Error("CI has no Bicep CLI: .ci/run must install it first (bash scripts/ensure-bicep.sh)");
    const file = join(ROOT, ".tools", "infra", "main.json");
    expect(existsSync(file), "infra:build left no .tools/infra/main.json").toBe(true);
    const sites = compiledResources("Microsoft.Web/sites")
      .map((r) => (r as { properties?: { siteConfig?: { appSettings?: unknown } } }).properties?.siteConfig?.appSettings)
      .filter((a): a is { name: string }[] => Array.isArray(a));
    // Two apps from the one module: the primary and the standby in the secondary region.
    expect(sites).toHaveLength(2);
    for (const site of sites) expect(site.map((s) => s.name)).toEqual(readBicepSettings().map((s) => s.name));
  });
});

/** Every resource of `type` anywhere in the compiled template (modules are nested deployments). */
function compiledResources(type: string): Record<string, unknown>[] {
  const file = join(ROOT, ".tools", "infra", "main.json");
  const out: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      if ((node as { type?: unknown }).type === type) out.push(node as Record<string, unknown>);
      Object.values(node).forEach(walk);
    }
  };
  walk(JSON.parse(readFileSync(file, "utf8")));
  return out;
}

describe.skipIf(!bicep && !inCi)("infra: what the compiled template deploys for runtime and monitoring", () => {
  // The describe above builds .tools/infra/main.json first (files run their describes in order).
  const json = (o: unknown): string => JSON.stringify(o);

  it("the Function App runs Node 22 (Node 20's Functions support ended 2026-04-30)", () => {
    const sites = compiledResources("Microsoft.Web/sites");
    expect(sites.map((s) => json(s)).filter((s) => s.includes('"runtime":{"name":"node","version":"22"}'))).toHaveLength(sites.length);
  });

  it("alerts: event rules look back longer than they run; 'nothing ran' fires on a missing backup_committed; dead letters alert", () => {
    const rules = compiledResources("Microsoft.Insights/scheduledQueryRules").map((r) => json(r));
    expect(rules.length).toBeGreaterThanOrEqual(2);
    expect(rules.filter((r) => r.includes('"windowSize":"PT5M"'))).toEqual([]);
    const nothingRan = rules.filter((r) => r.includes("lifeboat.event=backup_committed"));
    expect(nothingRan).toHaveLength(1);
    expect(nothingRan[0]).toContain('"operator":"LessThan"');
    expect(nothingRan[0]).toContain("summarize committed = count()");
    const metric = compiledResources("Microsoft.Insights/metricAlerts").map((r) => json(r));
    expect(metric.filter((m) => m.includes('"metricName":"DeadLetteredCount"'))).toHaveLength(1);
  });

  it("a second Key Vault in the secondary resource group holds the KEK's copy; the app is told where", () => {
    const vaults = compiledResources("Microsoft.KeyVault/vaults");
    expect(vaults).toHaveLength(2);
    expect(readBicepSettings().map((x) => x.name)).toContain("LIFEBOAT_KEY_VAULT_URI_SECONDARY");
  });

  it("diagnostic settings send Key Vault audit events and backup blob writes and deletes to Log Analytics", () => {
    const settings = compiledResources("Microsoft.Insights/diagnosticSettings").map((d) => json(d));
    expect(settings.filter((d) => d.includes('"category":"AuditEvent"'))).toHaveLength(2); // the key-vault module, once per vault (primary, secondary)
    const blobs = settings.filter((d) => d.includes('"category":"StorageWrite"') && d.includes('"category":"StorageDelete"'));
    expect(blobs).toHaveLength(2); // the backup-storage module, once per backup account (primary, secondary)
    for (const d of settings) expect(d).toContain("workspaceId");
  });

  it("host.json keeps traces and exceptions out of adaptive sampling (alert lines are never sampled away)", () => {
    const host = JSON.parse(readFileSync(join(ROOT, "host.json"), "utf8")) as { logging: { applicationInsights: { samplingSettings: { excludedTypes: string } } } };
    const excluded = host.logging.applicationInsights.samplingSettings.excludedTypes.split(";");
    expect(excluded).toEqual(expect.arrayContaining(["Trace", "Exception"]));
  });
});
