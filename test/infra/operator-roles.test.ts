import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LOCK_CONTAINER } from "../../src/adapters/azure/stores";
import { cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from "../helpers/recording-proxy";
import { testSettings } from "../helpers/services";
import { makeRecords, seedTable } from "../helpers/table-fixtures";
import { createServices } from "../../src/services";
import { loadConfig } from "../../src/config";

/*
 * The operator's roles in infra/ against what the CLI really does.
 *
 * The README's drill runs `lifeboat verify` and `lifeboat restore --target-prefix drill`
 * as the operator, with the failover account as the restore target. This test runs those
 * commands (and the operator's read-only ones) through recording proxies in front of
 * Azurite, one for the backup account and one for the failover account, derives from the
 * requests which access each command needs on which container or table, and checks that
 * the role assignments Bicep gives `operatorPrincipalId` grant each one. A CLI change that
 * starts writing somewhere new fails here until infra/ grants it.
 */

const MODULES = join(__dirname, "..", "..", "infra", "modules");

type Account = "backup" | "failover";
type Access = "read" | "write" | "delete" | "tags";
/** A container or table by its role in the deployment; "*" is the whole account. */
type Resource = "backup container" | "audit digests" | "locks" | "audit table" | "jobs table" | "state table" | "restored tables" | "*";

interface Need {
  account: Account;
  service: "blob" | "table";
  resource: Resource;
  access: Access;
  /** A blob's path in its container. */
  path?: string;
  /** The request that needs it, for the failure message. */
  why: string;
}

interface Grant {
  account: Account;
  resource: Resource;
  /** What the role allows, by service. */
  allows: { blob: Access[]; table: Access[] };
  /** A role assignment condition that limits the grant to blobs under this path. */
  pathPrefix?: string;
}

/** The accesses a custom role's data actions give. */
function customAllows(dataActions: string[]): { blob: Access[]; table: Access[] } {
  const blob: Access[] = [];
  const has = (a: string): boolean => dataActions.includes(`Microsoft.Storage/storageAccounts/blobServices/containers/blobs/${a}`);
  if (has("read")) blob.push("read");
  // Creating a blob needs write or add/action; overwriting one needs write.
  if (has("write")) blob.push("write");
  if (has("delete")) blob.push("delete");
  if (has("tags/write")) blob.push("tags");
  return { blob, table: [] };
}

/** What each built-in role lets its holder do, by service (Azure's role definitions). */
const ROLE_ALLOWS: Record<string, { blob: Access[]; table: Access[] }> = {
  storageBlobDataReader: { blob: ["read"], table: [] },
  storageBlobDataContributor: { blob: ["read", "write", "delete"], table: [] },
  storageBlobDataOwner: { blob: ["read", "write", "delete", "tags"], table: [] },
  storageTableDataReader: { blob: [], table: ["read"] },
  storageTableDataContributor: { blob: [], table: ["read", "write", "delete"] },
};

/** Bicep parameter or variable naming a container or table → its role in the deployment. */
const NAMED_BY: Record<string, Resource> = {
  backupContainerName: "backup container",
  auditDigestContainerName: "audit digests",
  lockContainerName: "locks",
  auditTableName: "audit table",
  jobsTableName: "jobs table",
  stateTableName: "state table",
};

/** The role assignments Bicep gives the operator, read from the modules' source. */
function operatorGrants(): Grant[] {
  const grants: Grant[] = [];
  const modules: Record<string, Account> = { "backup-storage.bicep": "backup", "failover-storage.bicep": "failover" };
  for (const [file, account] of Object.entries(modules)) {
    const text = readFileSync(join(MODULES, file), "utf8");
    // Nested resource symbol → the parameter that names it, e.g. auditDigests → auditDigestContainerName.
    const symbols = new Map<string, string>();
    for (const m of text.matchAll(/resource (\w+) '(?:containers|tables)' = (?:if \([^)]*\) )?\{\s*name: (\w+)/g)) symbols.set(m[1]!, m[2]!);
    const blocks = text.split(/\nresource /).slice(1);
    // Custom role definitions in the module: symbol → their data actions.
    const custom = new Map<string, string[]>();
    for (const block of blocks) {
      const symbol = /^(\w+) 'Microsoft\.Authorization\/roleDefinitions@/.exec(block)?.[1];
      const actions = /dataActions: \[([^\]]*)\]/.exec(block)?.[1];
      if (symbol && actions !== undefined) custom.set(symbol, [...actions.matchAll(/'([^']+)'/g)].map((m) => m[1]!));
    }
    for (const block of blocks) {
      if (!/principalId: operatorPrincipalId/.test(block)) continue;
      const scope = /\n\s*scope: ([\w:]+)/.exec(block)?.[1];
      const builtIn = /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roles\.(\w+)\)/.exec(block)?.[1];
      const customRole = /roleDefinitionId: (\w+)\.id/.exec(block)?.[1];
      const allows = builtIn ? ROLE_ALLOWS[builtIn] : customRole && custom.has(customRole) ? customAllows(custom.get(customRole)!) : undefined;
      if (!scope || !allows) throw new Error(`${file}: cannot read the scope and role of an operator assignment:\nresource ${block.slice(0, 300)}`);
      const condition = /\n\s*condition: '(.*)'\n/.exec(block)?.[1];
      const pathPrefix = condition === undefined ? undefined : /blobs:path\] StringStartsWith \\'([^\\]+)\\'/.exec(condition)?.[1];
      if (condition !== undefined && pathPrefix === undefined) throw new Error(`${file}: cannot read the condition of an operator assignment: ${condition}`);
      let resource: Resource = "*";
      if (scope !== "account") {
        const named = NAMED_BY[symbols.get(scope.split("::").at(-1)!) ?? ""];
        if (!named) throw new Error(`${file}: operator assignment at unknown scope ${scope}`);
        resource = named;
      }
      grants.push({ account, resource, allows, ...(pathPrefix !== undefined ? { pathPrefix } : {}) });
    }
  }
  return grants;
}

function granted(need: Need, grants: Grant[]): boolean {
  return grants.some(
    (g) =>
      g.account === need.account &&
      (g.resource === "*" || g.resource === need.resource) &&
      g.allows[need.service].includes(need.access) &&
      (g.pathPrefix === undefined || (need.path ?? "").startsWith(g.pathPrefix)),
  );
}

interface Names {
  backupContainer: string;
  auditContainer: string;
  auditTable: string;
  jobsTable: string;
}

function blobNeed(account: Account, r: RecordedRequest, names: Names): Need {
  const u = new URL(r.url, "http://x");
  const [, , container = "", ...blob] = u.pathname.split("/");
  const resource: Resource =
    container === names.backupContainer ? "backup container" : container === names.auditContainer ? "audit digests" : container === LOCK_CONTAINER ? "locks" : "*";
  const comp = u.searchParams.get("comp");
  const access: Access =
    r.method === "GET" || r.method === "HEAD" ? "read" : r.method === "DELETE" ? "delete" : comp === "tags" ? "tags" : "write";
  return { account, service: "blob", resource, access, path: decodeURIComponent(blob.join("/")), why: `${r.method} ${u.pathname}${u.search}` };
}

function tableNeed(account: Account, r: RecordedRequest, names: Names): Need {
  const u = new URL(r.url, "http://x");
  const segment = decodeURIComponent(u.pathname.split("/")[2] ?? "");
  let table = segment.replace(/\(.*$/, "");
  if (segment === "$batch") table = /(?:POST|PUT|PATCH|MERGE|DELETE) https?:\/\/[^/]+\/[^/]+\/(\w+)/.exec(r.body ?? "")?.[1] ?? "";
  if (segment === "Tables" || segment.startsWith("Tables(")) table = /'(\w+)'/.exec(segment)?.[1] ?? /"TableName":"(\w+)"/.exec(r.body ?? "")?.[1] ?? "Tables";
  const resource: Resource = table === names.auditTable ? "audit table" : table === names.jobsTable ? "jobs table" : account === "failover" ? "restored tables" : "*";
  const access: Access = r.method === "GET" || r.method === "HEAD" ? "read" : r.method === "DELETE" ? "delete" : "write";
  return { account, service: "table", resource, access, why: `${r.method} ${u.pathname}${u.search} (${table})` };
}

/** The connection string with its blob and table endpoints replaced by the proxies'. */
function through(cs: string, blob: RecordingProxy, table: RecordingProxy): string {
  return cs
    .split(";")
    .map((part) => {
      const [k, v] = part.split(/=(.*)/s) as [string, string | undefined];
      if (!v || (k !== "BlobEndpoint" && k !== "TableEndpoint")) return part;
      return `${k}=${(k === "BlobEndpoint" ? blob : table).url}${new URL(v).pathname}`;
    })
    .join(";");
}

describe("the operator's roles in infra/ cover what the CLI writes in the README's drill", () => {
  const table = uniqueTable("Oper");
  const proxies: Record<`${Account}-${"blob" | "table"}`, RecordingProxy | undefined> = {
    "backup-blob": undefined,
    "backup-table": undefined,
    "failover-blob": undefined,
    "failover-table": undefined,
  };
  let operatorEnv: Record<string, string>;
  let names: Names;

  beforeAll(async () => {
    // The app takes a backup with its own roles (not under test).
    const settings = testSettings([table], { LIFEBOAT_JOBS_TABLE: `Jobs${table.slice(-8)}`, LIFEBOAT_JOBS_QUEUE: `oper-${table.slice(-8).toLowerCase()}` });
    const s = createServices(loadConfig(settings));
    await seedTable(s.source, table, makeRecords(60, 1, 3));
    expect((await cli(["backup"], settings)).code).toBe(0);
    names = { backupContainer: settings.LIFEBOAT_BACKUP_CONTAINER!, auditContainer: settings.LIFEBOAT_AUDIT_CONTAINER!, auditTable: settings.LIFEBOAT_AUDIT_TABLE!, jobsTable: settings.LIFEBOAT_JOBS_TABLE! };

    const cs = inject("azurite");
    const endpoint = (key: string): string => new URL(cs.split(";").find((p) => p.startsWith(`${key}=`))!.slice(key.length + 1)).origin;
    for (const account of ["backup", "failover"] as const) {
      proxies[`${account}-blob`] = await startRecordingProxy(endpoint("BlobEndpoint"));
      proxies[`${account}-table`] = await startRecordingProxy(endpoint("TableEndpoint"));
    }
    // As deployed: Bicep creates the audit table and the containers before any CLI run.
    await TableClient.fromConnectionString(cs, names.auditTable, { allowInsecureConnection: true }).createTable();
    await TableClient.fromConnectionString(cs, names.jobsTable, { allowInsecureConnection: true }).createTable();
    const blobs = BlobServiceClient.fromConnectionString(cs);
    for (const c of [names.auditContainer, LOCK_CONTAINER, names.backupContainer]) await blobs.getContainerClient(c).createIfNotExists();

    operatorEnv = {
      ...settings,
      // The drill's restore target is the failover account, never the source.
      LIFEBOAT_SOURCE: through(cs, proxies["failover-blob"]!, proxies["failover-table"]!),
      LIFEBOAT_BACKUP: through(cs, proxies["backup-blob"]!, proxies["backup-table"]!),
      // The jobs queue is in the host account: its one grant (send only) is checked from the Bicep below.
      AzureWebJobsStorage: cs,
    };
  });

  afterAll(async () => {
    for (const p of Object.values(proxies)) await p?.close();
  });

  it("derives each command's needs from its requests and finds a granting role for every one", async () => {
    const grants = operatorGrants();
    expect(grants.length).toBeGreaterThan(0);
    const missing: string[] = [];
    const runbook = [["verify"], ["restore", "--target-prefix", "drill"], ["restore", "--job", "--detach", "--target-prefix", "jobdrill"], ["jobs"], ["points"], ["audit", "verify"]];
    let needsSeen = 0;
    for (const argv of runbook) {
      for (const p of Object.values(proxies)) p!.requests.length = 0;
      const run = await cli(argv, operatorEnv);
      expect(run.code, `lifeboat ${argv.join(" ")}: ${run.stderr}`).toBe(0);
      const needs = [
        ...proxies["backup-blob"]!.requests.map((r) => blobNeed("backup", r, names)),
        ...proxies["backup-table"]!.requests.map((r) => tableNeed("backup", r, names)),
        ...proxies["failover-blob"]!.requests.map((r) => blobNeed("failover", r, names)),
        ...proxies["failover-table"]!.requests.map((r) => tableNeed("failover", r, names)),
      ];
      needsSeen += needs.length;
      for (const need of needs) {
        if (!granted(need, grants)) missing.push(`lifeboat ${argv.join(" ")}: ${need.access} on ${need.account} ${need.service} ${need.resource} — ${need.why}`);
      }
    }
    expect(needsSeen).toBeGreaterThan(10);
    expect([...new Set(missing)]).toEqual([]);
  });

  it("the check itself rejects what the roles do not grant", () => {
    const grants = operatorGrants();
    // Reading the backups is granted; deleting them or writing tier tags never is.
    const read: Need = { account: "backup", service: "blob", resource: "backup container", access: "read", path: "points/x/manifest.json", why: "" };
    expect(granted(read, grants)).toBe(true);
    expect(granted({ ...read, access: "delete" }, grants)).toBe(false);
    expect(granted({ ...read, access: "tags" }, grants)).toBe(false);
    // Writing in the backup container only under the restore registry.
    expect(granted({ ...read, access: "write", path: "registry/tables/drillx.json.lbe" }, grants)).toBe(true);
    expect(granted({ ...read, access: "write", path: "points/x/manifest.json" }, grants)).toBe(false);
    expect(granted({ ...read, access: "write", resource: "locks", path: "backup.lock" }, grants)).toBe(false);
    // Tables: the audit table and the failover account, never another table of the backup account.
    const tableWrite: Need = { account: "backup", service: "table", resource: "audit table", access: "write", why: "" };
    expect(granted(tableWrite, grants)).toBe(true);
    expect(granted({ ...tableWrite, resource: "*" }, grants)).toBe(false);
    expect(granted({ ...tableWrite, account: "failover", resource: "restored tables" }, grants)).toBe(true);
    expect(granted({ ...tableWrite, resource: "jobs table" }, grants)).toBe(true);
  });

  it("the operator may send to the jobs queue (restore --job), and nothing else in the host account", () => {
    const runtime = readFileSync(join(MODULES, "runtime-storage.bicep"), "utf8");
    const operator = runtime.split(/\nresource /).filter((b) => /principalId: operatorPrincipalId/.test(b));
    expect(operator).toHaveLength(1);
    expect(operator[0]).toMatch(/scope: account::queues::jobs\n/);
    expect(operator[0]).toMatch(/roles\.storageQueueDataMessageSender\)/);
  });
});
