import { BlobServiceClient } from "@azure/storage-blob";
import { InvocationContext, type Timer } from "@azure/functions";
import { afterEach, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../src/config";
import { configExport } from "../../src/functions/config-export";
import { resetServices } from "../../src/functions/shared/runtime";
import { createServices } from "../../src/services";
import { accountKeyOf, cli } from "../helpers/cli-io";
import { uniqueContainer } from "../helpers/names";
import { testServices } from "../helpers/services";

const blobs = (): BlobServiceClient => BlobServiceClient.fromConnectionString(inject("azurite"));
const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };

async function put(container: string, path: string, body: string | Buffer): Promise<void> {
  await blobs().getContainerClient(container).getBlockBlobClient(path).uploadData(typeof body === "string" ? Buffer.from(body) : body);
}

async function contents(container: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const c = blobs().getContainerClient(container);
  for await (const b of c.listBlobsFlat()) out[b.name] = (await c.getBlobClient(b.name).downloadToBuffer()).toString("base64");
  return out;
}

afterEach(() => resetServices());

async function setup() {
  const config = uniqueContainer("conf");
  await blobs().getContainerClient(config).create();
  await put(config, "app.yaml", "name: app\nreplicas: 3\n");
  await put(config, "broken.yaml", "name: app\nlimits:\n  cpu: 1\n   memory: 2\n");
  await put(config, "settings.json", '{\n  "feature": true\n}\n');
  await put(config, "bad.json", '{\n  "feature": tru\n}\n');
  await put(config, "prod.env", "# production\nAPI_TOKEN=supersecret-value\nexport DB_HOST=db.internal\n");
  await put(config, "scripts/enrich.py", "print('enrich')\n");
  await put(config, "logo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]));
  const s = testServices(["Unused"], { LIFEBOAT_CONFIG_CONTAINERS: config });
  return { config, s };
}

describe("the nightly config export", () => {
  it("exports every file with its parse status, .env names without values, and the settings with secrets redacted", async () => {
    const { config, s } = await setup();
    const run = await cli(["export-config"], s.settings);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim();
    expect(run.stderr).toMatch(new RegExp(`warning: ${config}/broken.yaml does not parse: line 3, column \\d+: `));
    expect(run.stderr).toMatch(new RegExp(`warning: ${config}/bad.json does not parse: line 2, column \\d+: `));
    expect(run.stderr).toContain("exported 7 files");

    const listed = JSON.parse((await cli(["config-exports", "--json"], s.settings)).stdout) as { id: string; files: number; problems: number }[];
    expect(listed).toEqual([expect.objectContaining({ id, files: 7, problems: 2 })]);
    const detail = await cli(["config-exports", "--export", id, "--json"], s.settings);
    const d = JSON.parse(detail.stdout) as { settings: Record<string, string>; containers: Record<string, { path: string; parse: { ok: boolean; line?: number } | null; envKeys?: string[] }[]> };
    const byPath = Object.fromEntries(d.containers[config]!.map((f) => [f.path, f]));
    expect(byPath["app.yaml"]!.parse).toEqual({ kind: "yaml", ok: true });
    expect(byPath["broken.yaml"]!.parse).toMatchObject({ kind: "yaml", ok: false, line: 3 });
    expect(byPath["bad.json"]!.parse).toMatchObject({ kind: "json", ok: false, line: 2 });
    expect(byPath["prod.env"]).toMatchObject({ parse: { kind: "env", ok: true }, envKeys: ["API_TOKEN", "DB_HOST"] });
    expect(byPath["logo.png"]!.parse).toBeNull();
    expect(d.settings.LIFEBOAT_KEK).toBe("**redacted**");
    expect(d.settings.LIFEBOAT_SOURCE).toBe("**redacted**");
    expect(d.settings.RPO_MINUTES).toBe("15");
    expect(d.settings.LIFEBOAT_CONFIG_CONTAINERS).toBe(config);
    const everything = detail.stdout + run.stdout + run.stderr;
    expect(everything).not.toContain("supersecret");
    expect(everything).not.toContain(s.settings.LIFEBOAT_KEK);
    expect(everything).not.toContain(accountKeyOf(inject("azurite")) ?? "no key");
  });

  it("restore-config: dry run, into a container (verified), and in place after a safety export; each audited", async () => {
    const { config, s } = await setup();
    const id = (await cli(["export-config"], s.settings)).stdout.trim();
    const original = await contents(config);
    const target = uniqueContainer("tgt");
    await blobs().getContainerClient(target).create();
    await put(target, "stale.txt", "old");

    const dry = await cli(["restore-config", "--export", id, "--target-container", target, "--dry-run"], s.settings);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`  ${config} -> ${target}: 7 files`);
    expect(dry.stdout).toContain("to write, 1 to delete");
    const into = await cli(["restore-config", "--export", id, "--target-container", target], s.settings);
    expect(into.code, into.stderr).toBe(0);
    expect(into.stdout).toContain("1 removed, verified");
    expect(await contents(target)).toEqual(original);

    await put(config, "app.yaml", "name: changed\n");
    await blobs().getContainerClient(config).deleteBlob("settings.json");
    const inPlace = await cli(["restore-config", "--export", id, "--in-place"], s.settings);
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(inPlace.stdout).toMatch(/safety export: \d{8}T\d{9}Z-x[0-9a-f]{6}/);
    expect(await contents(config)).toEqual(original);

    const bad = await cli(["restore-config", "--export", "nope", "--in-place"], s.settings);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--export: must be a config export id/);

    const audit = JSON.parse((await cli(["audit", "--json"], s.settings)).stdout) as { action: string; outcome: string }[];
    expect(audit.map((e) => `${e.action} ${e.outcome}`)).toEqual([
      "config.export succeeded",
      "restore.dryRun succeeded",
      "restore succeeded",
      "config.export succeeded",
      "restore succeeded",
      "restore refused",
    ]);
  });

  it("the configExport timer logs each file that does not parse", async () => {
    const { s } = await setup();
    resetServices(createServices(loadConfig(s.settings)));
    const lines: string[] = [];
    const ctx = new InvocationContext({ functionName: "configExport", logHandler: (level, ...args) => lines.push(`${level} ${args.join(" ")}`) });
    const r = await configExport(timer, ctx);
    if ("deferred" in r) throw new Error(`deferred: ${r.deferred}`);
    expect(r.problems.map((p) => p.path).sort()).toEqual(["bad.json", "broken.yaml"]);
    expect(lines.filter((l) => l.startsWith("warning lifeboat.event=config_invalid"))).toHaveLength(2);
    expect(lines.some((l) => l.startsWith("information lifeboat.event=config_export"))).toBe(true);
  });
});
