import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { exitFor, EXIT } from "../../src/cli/exit";
import { ConfigError, timerSchedules } from "../../src/config";
import { ERROR_CODES, IntegrityError, LifeboatError, NotFoundError, ValidationError } from "../../src/core/errors";
import { answer, problemResponse } from "../../src/functions/shared/http";

function context(): { ctx: InvocationContext; lines: string[] } {
  const lines: string[] = [];
  const ctx = new InvocationContext({ functionName: "status", invocationId: "inv-1", logHandler: (level, ...args) => lines.push(`${level} ${args.join(" ")}`) });
  return { ctx, lines };
}

describe("errors → HTTP problem details and exit codes, from one catalogue", () => {
  it("a user fault is a 4xx whose detail names the field and the rule", () => {
    const { ctx } = context();
    const res = problemResponse(new ValidationError("at", "must be an ISO-8601 time with a zone"), ctx);
    expect(res.status).toBe(400);
    expect(res.headers).toEqual({ "content-type": "application/problem+json" });
    expect(res.jsonBody).toEqual({
      type: "urn:lifeboat:problem:INPUT.INVALID",
      title: "The request is invalid",
      status: 400,
      code: "INPUT.INVALID",
      detail: "at: must be an ISO-8601 time with a zone",
      errors: [{ field: "at", rule: "must be an ISO-8601 time with a zone" }],
      instance: "inv-1",
    });
    expect(problemResponse(new NotFoundError("RESTORE.POINT_NOT_FOUND", "restore point x does not exist"), ctx).status).toBe(404);
  });

  it("a system fault is a 5xx without internals; the log has them under the invocation id", () => {
    const { ctx, lines } = context();
    const res = problemResponse(new IntegrityError("blob:lifeboat data/p/T/d-000000 does not match"), ctx);
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.jsonBody)).not.toContain("d-000000");
    expect(res.jsonBody).toMatchObject({ code: "DATA.INTEGRITY", detail: "see the function log for invocation inv-1" });
    expect(lines).toEqual([expect.stringMatching(/^error status failed: DATA.INTEGRITY: blob:lifeboat data\/p\/T\/d-000000/)]);

    const plain = problemResponse(new Error("connect ECONNREFUSED 10.0.0.7:443"), ctx);
    expect(plain.status).toBe(500);
    expect(JSON.stringify(plain.jsonBody)).not.toContain("10.0.0.7");
    expect(problemResponse(new LifeboatError("KEY.UNAVAILABLE", "kv: cannot read secret"), ctx).status).toBe(503);
  });

  it("bad settings are the deployment's fault: 500 over HTTP, exit 2 in the CLI", () => {
    const { ctx } = context();
    const e = new ConfigError([{ setting: "LIFEBOAT_TABLES", message: "is required" }]);
    expect(problemResponse(e, ctx).status).toBe(500);
    expect(exitFor(e).code).toBe(EXIT.usage);
  });

  it("the CLI's exit code follows the same fault", () => {
    expect(exitFor(new ValidationError("--at", "bad")).code).toBe(EXIT.usage);
    expect(exitFor(new NotFoundError("TABLE.NOT_FOUND", "no")).code).toBe(EXIT.usage);
    expect(exitFor(new IntegrityError("bad")).code).toBe(EXIT.failed);
    expect(exitFor(new Error("boom")).code).toBe(EXIT.failed);
  });

  it("every catalogued code maps user faults to 4xx and the rest to 5xx", () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      if (info.fault === "user") expect(info.status, code).toBeGreaterThanOrEqual(400);
      if (info.fault === "user") expect(info.status, code).toBeLessThan(500);
      else expect(info.status, code).toBeGreaterThanOrEqual(500);
    }
  });

  it("answer() returns the handler's response, or the problem for what it threw", async () => {
    const { ctx } = context();
    expect(await answer(ctx, async () => ({ status: 200, jsonBody: { ok: true } }))).toEqual({ status: 200, jsonBody: { ok: true } });
    expect((await answer(ctx, () => Promise.reject(new ValidationError("tables", "names no table")))).status).toBe(400);
  });
});

describe("timer schedules", () => {
  it("are the validated settings, with the policy's defaults", () => {
    expect(timerSchedules({})).toEqual({ fullBackup: "0 0 1 * * *", incrementalBackup: "0 */15 * * * *", configExport: "0 30 0 * * *" });
    expect(timerSchedules({ LIFEBOAT_FULL_BACKUP_SCHEDULE: "0 30 2 * * *" }).fullBackup).toBe("0 30 2 * * *");
  });

  it("a malformed schedule stops the registration, naming the setting", () => {
    expect(() => timerSchedules({ LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: "*/15 * * * *" })).toThrow(/LIFEBOAT_INCREMENTAL_BACKUP_SCHEDULE: must be a six-field NCRONTAB/);
  });
});
