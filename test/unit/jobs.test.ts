import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isJobId, jobProgress, newJobId, taskId, type TaskRecord } from "../../src/core/jobs/job";
import { isTransient, parseJobMessage } from "../../src/app/jobs/run-step";
import { IntegrityError, LifeboatError, ValidationError } from "../../src/core/errors";
import { queueOptionsFromHostJson, timeSpanMs } from "../../src/local/queue-triggers";

const task = (over: Partial<TaskRecord>): TaskRecord => ({ id: "t", kind: "file", name: "A", target: "xA", state: "pending", records: 100, read: 0, entities: 0, bytes: 0, attempts: 0, updatedAt: "", ...over });

describe("restore-job records", () => {
  it("job ids sort by time and are recognised; task ids sort changes before files", () => {
    const id = newJobId(new Date("2026-11-30T19:18:00.123Z"), "a1b2c3d4");
    expect(id).toBe("r20261130t191800-a1b2c3");
    expect(isJobId(id)).toBe(true);
    for (const bad of ["", "r2026", "R20261130T191800-A1B2C3", `${id}x`, "../x"]) expect(isJobId(bad)).toBe(false);
    expect([taskId("file", "A", 2), taskId("changes", "A"), taskId("file", "A", 10)].sort()).toEqual(["t-A-changes", "t-A-f000002", "t-A-f000010"]);
  });

  it("progress per table sums its tasks; a running task counts what it checkpointed", () => {
    const p = jobProgress(
      [
        task({ id: "1", kind: "changes", records: 50, state: "done", entities: 40 }),
        task({ id: "2", records: 100, state: "running", read: 30, entities: 25 }),
        task({ id: "3", records: 100 }),
        task({ id: "4", kind: "container", name: "config", target: "x-config", records: 4, state: "done", entities: 4 }),
      ],
      [{ table: "A", target: "xA", fresh: true }],
    );
    expect(p).toEqual([
      expect.objectContaining({ name: "A", kind: "table", tasks: 3, done: 1, records: 250, read: 80, entities: 65, percent: 32, verified: false }),
      expect.objectContaining({ name: "config", kind: "container", tasks: 1, done: 1, percent: 100, verified: true }),
    ]);
  });

  it("queue messages are validated; failures that can pass are told from those that cannot", () => {
    expect(parseJobMessage({ v: 1, job: "r20261130t191800-a1b2c3", step: "start" })).toEqual({ v: 1, job: "r20261130t191800-a1b2c3", step: "start" });
    expect(parseJobMessage('{"v":1,"job":"j","step":"task","task":"t-A-changes"}')).toMatchObject({ step: "task", task: "t-A-changes" });
    for (const bad of [null, "x", "{", { v: 2, job: "j", step: "start" }, { v: 1, job: "j", step: "task" }, { v: 1, job: "j", step: "start", extra: 1 }]) expect(parseJobMessage(bad)).toBeNull();
    expect(isTransient(new Error("socket hang up"))).toBe(true);
    expect(isTransient(new LifeboatError("STORE.UNAVAILABLE", "down"))).toBe(true);
    expect(isTransient(new IntegrityError("bad tag"))).toBe(false);
    expect(isTransient(new ValidationError("tables", "no"))).toBe(false);
    expect(isTransient(new LifeboatError("CONFIG.MISSING", "no queue"))).toBe(false);
  });
});

describe("the local queue host's options", () => {
  it("reads host.json's extensions.queues as the host does, with its defaults", () => {
    expect(timeSpanMs("00:00:30")).toBe(30_000);
    expect(timeSpanMs("1.02:00:00")).toBe(26 * 3_600_000);
    expect(timeSpanMs("00:00:00.5")).toBe(500);
    expect(timeSpanMs("30s")).toBeUndefined();
    const file = join(tmpdir(), `host-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ version: "2.0", extensions: { queues: { batchSize: 4, maxDequeueCount: 3, visibilityTimeout: "00:00:10" } } }));
    expect(queueOptionsFromHostJson(file)).toEqual({ batchSize: 4, maxDequeueCount: 3, visibilityTimeoutMs: 10_000, maxPollingIntervalMs: 2000, leaseMs: 600_000 });
    writeFileSync(file, JSON.stringify({ version: "2.0" }));
    expect(queueOptionsFromHostJson(file)).toMatchObject({ batchSize: 16, maxDequeueCount: 5, visibilityTimeoutMs: 0 });
    // The project's own host.json: what Azure runs with.
    expect(queueOptionsFromHostJson(join(__dirname, "..", "..", "host.json"))).toMatchObject({ batchSize: 4, maxDequeueCount: 5, visibilityTimeoutMs: 30_000 });
  });
});
