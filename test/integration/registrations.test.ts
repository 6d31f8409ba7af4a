import "../../src/local/install-core";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registeredFunctions, triggerOf } from "../../src/local/functions-host";

describe("function registrations, as the Functions host receives them", () => {
  it("registers every function with its trigger, schedule or route, and auth level", async () => {
    // Load what package.json "main" names: the entry point, then every functions file.
    const load = (path: string): Promise<unknown> => import(path);
    await load(join(__dirname, "../../src/index.ts"));
    const dir = join(__dirname, "../../src/functions");
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts")).sort()) await load(join(dir, f));

    const byName = Object.fromEntries(
      registeredFunctions().map((r) => {
        const t = triggerOf(r);
        return [r.name, { type: t.type, direction: t.direction, schedule: t.schedule, route: t.route, methods: t.methods, authLevel: t.authLevel }];
      }),
    );
    expect(byName).toEqual({
      auditEntries: { type: "httpTrigger", direction: "in", schedule: undefined, route: "audit", methods: ["GET"], authLevel: "function" },
      auditVerify: { type: "httpTrigger", direction: "in", schedule: undefined, route: "audit/verify", methods: ["GET"], authLevel: "function" },
      openapi: { type: "httpTrigger", direction: "in", schedule: undefined, route: "openapi.json", methods: ["GET"], authLevel: "function" },
      imports: { type: "httpTrigger", direction: "in", schedule: undefined, route: "imports", methods: ["POST"], authLevel: "function" },
      exports: { type: "httpTrigger", direction: "in", schedule: undefined, route: "exports", methods: ["GET"], authLevel: "function" },
      points: { type: "httpTrigger", direction: "in", schedule: undefined, route: "points", methods: ["GET"], authLevel: "function" },
      auditDigest: { type: "timerTrigger", direction: "in", schedule: "0 5 * * * *", route: undefined, methods: undefined, authLevel: undefined },
      configExport: { type: "timerTrigger", direction: "in", schedule: "0 30 0 * * *", route: undefined, methods: undefined, authLevel: undefined },
      fullBackup: { type: "timerTrigger", direction: "in", schedule: "0 0 1 * * *", route: undefined, methods: undefined, authLevel: undefined },
      health: { type: "httpTrigger", direction: "in", schedule: undefined, route: "health", methods: ["GET"], authLevel: "function" },
      incrementalBackup: { type: "timerTrigger", direction: "in", schedule: "0 */15 * * * *", route: undefined, methods: undefined, authLevel: undefined },
      retention: { type: "blobTrigger", direction: "in", schedule: undefined, route: undefined, methods: undefined, authLevel: undefined },
      rpoMonitor: { type: "timerTrigger", direction: "in", schedule: "0 */5 * * * *", route: undefined, methods: undefined, authLevel: undefined },
      status: { type: "httpTrigger", direction: "in", schedule: undefined, route: "status", methods: ["GET"], authLevel: "function" },
      submitRestore: { type: "httpTrigger", direction: "in", schedule: undefined, route: "restores", methods: ["POST"], authLevel: "function" },
      restoreJobs: { type: "httpTrigger", direction: "in", schedule: undefined, route: "restores", methods: ["GET"], authLevel: "function" },
      restoreJob: { type: "httpTrigger", direction: "in", schedule: undefined, route: "restores/{id}", methods: ["GET"], authLevel: "function" },
      restoreWorker: { type: "queueTrigger", direction: "in", schedule: undefined, route: undefined, methods: undefined, authLevel: undefined },
      restorePoison: { type: "queueTrigger", direction: "in", schedule: undefined, route: undefined, methods: undefined, authLevel: undefined },
      failover: { type: "httpTrigger", direction: "in", schedule: undefined, route: "failover", methods: ["POST"], authLevel: "admin" },
      failback: { type: "httpTrigger", direction: "in", schedule: undefined, route: "failback", methods: ["POST"], authLevel: "admin" },
      endpoint: { type: "httpTrigger", direction: "in", schedule: undefined, route: "endpoint", methods: ["GET"], authLevel: "function" },
      primaryProbe: { type: "timerTrigger", direction: "in", schedule: "0 * * * * *", route: undefined, methods: undefined, authLevel: undefined },
      restoreTestDrill: { type: "timerTrigger", direction: "in", schedule: "0 0 3 1 * *", route: undefined, methods: undefined, authLevel: undefined },
      configRestoreTestDrill: { type: "timerTrigger", direction: "in", schedule: "0 30 3 1 * *", route: undefined, methods: undefined, authLevel: undefined },
      failoverSimulationDrill: { type: "timerTrigger", direction: "in", schedule: "0 0 4 1 1,4,7,10 *", route: undefined, methods: undefined, authLevel: undefined },
      fullDrill: { type: "timerTrigger", direction: "in", schedule: "0 0 5 2 1 *", route: undefined, methods: undefined, authLevel: undefined },
      runDrill: { type: "httpTrigger", direction: "in", schedule: undefined, route: "drills/{kind}", methods: ["POST"], authLevel: "function" },
      ping: { type: "httpTrigger", direction: "in", schedule: undefined, route: "ping", methods: ["GET"], authLevel: "anonymous" },
      dashboard: { type: "httpTrigger", direction: "in", schedule: undefined, route: "dashboard", methods: ["GET"], authLevel: "function" },
      drills: { type: "httpTrigger", direction: "in", schedule: undefined, route: "drills", methods: ["GET"], authLevel: "function" },
      drillReport: { type: "httpTrigger", direction: "in", schedule: undefined, route: "drills/reports/{id}", methods: ["GET"], authLevel: "function" },
    });
    // The restore-job queue and its poison queue, named by an app setting the Bicep sets, on the host's own account.
    const worker = registeredFunctions().find((r) => r.name === "restoreWorker");
    expect(triggerOf(worker!)).toMatchObject({ queueName: "%LIFEBOAT_JOBS_QUEUE%", connection: "AzureWebJobsStorage" });
    const poison = registeredFunctions().find((r) => r.name === "restorePoison");
    expect(triggerOf(poison!)).toMatchObject({ queueName: "%LIFEBOAT_JOBS_QUEUE%-poison", connection: "AzureWebJobsStorage" });
    // The test helper that runs them under the local queue host uses the same metadata.
    const helper = readFileSync(join(__dirname, "../helpers/job-worker.ts"), "utf8");
    expect(helper).toContain('connection: "AzureWebJobsStorage"');
    // The retention trigger: Event Grid source (Flex Consumption), new manifests only, the
    // function name the Bicep's event subscription (retention-events.bicep) calls.
    const retention = registeredFunctions().find((r) => r.name === "retention");
    expect(triggerOf(retention!)).toMatchObject({ path: "%LIFEBOAT_BACKUP_CONTAINER%/points/{name}", connection: "LIFEBOAT_BACKUP", source: "EventGrid" });
    const bicep = readFileSync(join(__dirname, "../../infra/main.bicep"), "utf8");
    expect(/^param retentionFunctionName string = '([^']+)'$/m.exec(bicep)?.[1]).toBe("retention");
    const events = readFileSync(join(__dirname, "../../infra/modules/retention-events.bicep"), "utf8");
    expect(events).toContain("subjectBeginsWith: '/blobServices/default/containers/${backupContainerName}/blobs/points/'");
    // HTTP functions return their response through the $return binding.
    const status = registeredFunctions().find((r) => r.name === "status");
    expect(status?.bindings.$return).toMatchObject({ type: "http", direction: "out" });
  });
});
