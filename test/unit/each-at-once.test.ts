import { describe, expect, it } from "vitest";
import { eachAtOnce } from "../../src/app/each-at-once";
import { caught } from "../helpers/caught";

describe("eachAtOnce", () => {
  it("runs every item once, never more than `concurrency` at a time", async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await eachAtOnce([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
      seen.push(n);
      running--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
    await eachAtOnce([], 4, async () => {
      throw new Error("never called");
    });
  });

  it("rejects with the first failure and starts no new item after it", async () => {
    const started: number[] = [];
    const err = await caught(
      eachAtOnce([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error("item 2 failed");
      }),
    );
    expect((err as Error).message).toBe("item 2 failed");
    expect(started).toEqual([1, 2]);
  });
});
