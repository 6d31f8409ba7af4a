import { InvocationContext, type Timer } from "@azure/functions";
import { afterEach, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../src/config";
import { incrementalBackup } from "../../src/functions/backup";
import { resetServices } from "../../src/functions/shared/runtime";
import { createServices } from "../../src/services";
import { toSdkEntity } from "../../src/core/entity/codec";
import { accountKeyOf, cli } from "../helpers/cli-io";
import { uniqueTable } from "../helpers/names";
import { tableOn, testSettings } from "../helpers/services";

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };

afterEach(() => resetServices());

describe("every engine action writes an audit entry", () => {
  it("CLI backup, restore (dry run and real), verify, a refused request and a timer backup are all in one valid chain", async () => {
    const table = uniqueTable("Aud");
    await tableOn(table).createTable();
    await tableOn(table).upsertEntity(toSdkEntity({ pk: "p", rk: "r", props: { n: ["Int32", "1"] } }) as { partitionKey: string; rowKey: string });
    const env = testSettings([table]);

    const backup = await cli(["--operator", "alice", "backup"], env);
    expect(backup.code).toBe(0);
    const point = backup.stdout.trim();
    expect((await cli(["restore", "--point", point, "--target-prefix", "aw", "--dry-run"], env)).code).toBe(0);
    expect((await cli(["restore", "--point", point, "--target-prefix", "aw"], env)).code).toBe(0);
    expect((await cli(["verify"], env)).code).toBe(0);
    const bad = await cli(["restore", "--at", "yesterday", "--target-prefix", "aw"], env);
    expect(bad.code).toBe(2);

    resetServices(createServices(loadConfig(env)));
    await incrementalBackup(timer, new InvocationContext({ functionName: "incrementalBackup" }));

    const listed = await cli(["audit", "--json"], env);
    expect(listed.code).toBe(0);
    const entries = JSON.parse(listed.stdout) as { action: string; outcome: string; operator: string; target: Record<string, unknown>; details: Record<string, unknown>; error: string | null }[];
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ["backup.incremental", "succeeded"],
      ["restore.dryRun", "succeeded"],
      ["restore", "succeeded"],
      ["verify", "succeeded"],
      ["restore", "refused"],
      ["backup.incremental", "succeeded"],
    ]);
    expect(entries[0]!.operator).toMatch(/alice/);
    expect(entries[0]!.details).toMatchObject({ point, kind: "full", entities: 1 });
    expect(entries[2]!.details).toMatchObject({ point });
    expect(entries[4]!.error).toMatch(/--at/);
    expect(entries[5]!.operator).toBe("timer:incrementalBackup");

    const verified = await cli(["audit", "verify"], env);
    expect(verified.code).toBe(0);

    const text = JSON.stringify(entries);
    expect(text).not.toContain(env.LIFEBOAT_KEK);
    expect(text).not.toContain(accountKeyOf(inject("azurite")) ?? "no-key");
  });

  it("a backup that finds the settings changed since the previous point records settings.change, with no secret", async () => {
    const table = uniqueTable("Set");
    await tableOn(table).createTable();
    const env = testSettings([table]);
    expect((await cli(["backup"], env)).code).toBe(0);
    expect((await cli(["backup"], env)).code).toBe(0);
    expect((await cli(["backup"], { ...env, RPO_MINUTES: "10", LIFEBOAT_OVERLAP_SECONDS: "120" })).code).toBe(0);

    const listed = await cli(["audit", "--json", "--action", "settings.change"], env);
    expect(listed.code).toBe(0);
    const entries = JSON.parse(listed.stdout) as { action: string; target: { settings: string[] }; details: { changes: unknown[] } }[];
    expect(entries).toHaveLength(1);
    expect(entries[0]!.target.settings).toEqual(["LIFEBOAT_OVERLAP_SECONDS", "RPO_MINUTES"]);
    expect(entries[0]!.details.changes).toEqual([
      { setting: "LIFEBOAT_OVERLAP_SECONDS", before: "60", after: "120" },
      { setting: "RPO_MINUTES", before: "15", after: "10" },
    ]);
    const all = (await cli(["audit", "--json"], env)).stdout;
    expect(all).not.toContain(env.LIFEBOAT_KEK);
    expect(all).not.toContain(accountKeyOf(inject("azurite")) ?? "no-key");
  });
});
