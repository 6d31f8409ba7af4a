import { describe, expect, it } from "vitest";
import { eta, formatDuration, ProgressMeter, type ProgressEvent } from "../../src/app/progress";
import { progressLine, progressPrinter } from "../../src/cli/output";

describe("progress with a known total", () => {
  it("a line says the percentage and the time left", () => {
    const e: ProgressEvent = { phase: "restore", table: "T", entities: 12_000, bytes: 0, elapsedMs: 4000, done: 12_000, total: 30_000 };
    expect(eta(e)).toEqual({ percent: 40, secondsLeft: 6 });
    expect(progressLine(e)).toBe("restore T: 12000 entities, 3000/s (4.0 s), 40%, 6 s left");
    expect(progressLine({ ...e, done: 30_000, final: true })).toBe("restore T: 12000 entities, 3000/s (4.0 s), 100%");
    expect(progressLine({ phase: "full scan", entities: 5, bytes: 2048, elapsedMs: 1000 })).toBe("full scan: 5 entities, 5/s, 2.0 KiB (1.0 s)");
  });

  it("durations read as people say them", () => {
    expect(formatDuration(12.4)).toBe("12 s");
    expect(formatDuration(185)).toBe("3 min 05 s");
    expect(formatDuration(3720)).toBe("1 h 02 min");
  });

  it("the meter reports done/total in its own unit, and marks the last report", () => {
    const events: ProgressEvent[] = [];
    const m = new ProgressMeter((e) => events.push(e), "verify", undefined, { total: 1000, everyMs: 0 });
    m.add(3, 400, 400);
    m.add(2, 100, 100);
    m.done();
    expect(events.map((e) => [e.entities, e.done, e.total, e.final ?? false])).toEqual([
      [3, 400, 1000, false],
      [5, 500, 1000, false],
      [5, 500, 1000, true],
    ]);
  });

  it("on a terminal one line updates in place; with --quiet nothing is printed", () => {
    let out = "";
    const tty = progressPrinter({ stdout: () => undefined, stderr: (t) => (out += t), env: {}, isTTY: true });
    tty({ phase: "restore", entities: 1, bytes: 0, elapsedMs: 1000, done: 1, total: 2 });
    tty({ phase: "restore", entities: 2, bytes: 0, elapsedMs: 2000, done: 2, total: 2, final: true });
    expect(out.split("\n")).toEqual(["\r\u001b[2Krestore: 1 entities, 1/s (1.0 s), 50%, 1 s left\r\u001b[2Krestore: 2 entities, 1/s (2.0 s), 100%", ""]);
    let quiet = "";
    progressPrinter({ stdout: () => undefined, stderr: (t) => (quiet += t), env: {}, quiet: () => true })({ phase: "x", entities: 1, bytes: 0, elapsedMs: 1 });
    expect(quiet).toBe("");
  });
});
