import { describe, expect, it } from "vitest";
import { scanRanges } from "../../src/app/tables/range-scan";
import type { ScanOptions, TableStore } from "../../src/app/ports/TableStore";
import type { EntityRecord } from "../../src/core/entity/record";
import { partitionRanges } from "../../src/core/keys/partition-ranges";
import { caught } from "../helpers/caught";

/** Keys p00..p(n-1), `rows` each, served in pages of `pageSize` with a random delay per page; counts what it has handed out. */
class SlowStore {
  served = 0;
  open = 0;
  maxOpen = 0;
  constructor(
    readonly partitions: number,
    readonly rows: number,
    readonly pageSize: number,
    readonly failAt?: string,
  ) {}
  keys(): EntityRecord[] {
    const out: EntityRecord[] = [];
    for (let p = 0; p < this.partitions; p++) for (let r = 0; r < this.rows; r++) out.push({ pk: `p${String(p).padStart(2, "0")}`, rk: `r${r}`, props: {} });
    return out;
  }
  async *scan(_table: string, options: ScanOptions = {}): AsyncGenerator<EntityRecord[]> {
    const { from, before } = options.partitions ?? {};
    const rows = this.keys().filter((k) => (from === undefined || k.pk >= from) && (before === undefined || k.pk < before));
    this.open++;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    try {
      for (let i = 0; i < rows.length; i += this.pageSize) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        if (this.failAt !== undefined && rows[i]!.pk === this.failAt) throw new Error(`scan of ${this.failAt} failed`);
        this.served++;
        yield rows.slice(i, i + this.pageSize);
      }
    } finally {
      this.open--;
    }
  }
}

const asStore = (s: SlowStore): TableStore => s as unknown as TableStore;

async function collect(it: AsyncIterable<EntityRecord[]>, onPage?: () => void): Promise<string[]> {
  const out: string[] = [];
  for await (const page of it) {
    onPage?.();
    for (const r of page) out.push(`${r.pk}/${r.rk}`);
  }
  return out;
}

describe("scanning PartitionKey ranges at once", () => {
  it("hands out every key once, in key order, whatever the split and the concurrency", async () => {
    const store = new SlowStore(12, 7, 3);
    const expected = store.keys().map((k) => `${k.pk}/${k.rk}`);
    for (const bounds of [[], ["p05"], ["p00", "p03", "p03", "p07", "p11"], ["p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10", "p11"], ["zz"]]) {
      for (const concurrency of [1, 2, 4, 16]) {
        const got = await collect(scanRanges(asStore(store), "t", partitionRanges(bounds), { concurrency }));
        expect(got, `${JSON.stringify(bounds)} x${concurrency}`).toEqual(expected);
      }
    }
  });

  it("reads ranges at once but holds no more than maxAhead pages of the ranges ahead", async () => {
    const store = new SlowStore(8, 30, 2); // 15 pages a partition
    let consumed = 0;
    let worstAhead = 0;
    const ranges = partitionRanges(["p01", "p02", "p03", "p04", "p05", "p06", "p07"]);
    await collect(scanRanges(asStore(store), "t", ranges, { concurrency: 4, maxAhead: 3 }), () => {
      consumed++;
      // served - consumed = pages waiting; at most one of them is the head's (it runs one page ahead at most here).
      worstAhead = Math.max(worstAhead, store.served - consumed);
    });
    expect(consumed).toBe(8 * 15);
    expect(store.maxOpen).toBe(4);
    expect(worstAhead).toBeLessThanOrEqual(3 + 1);
  });

  it("throws the error of any range, and stops every scan when the consumer stops early", async () => {
    const failing = new SlowStore(6, 4, 2, "p04");
    const err = await caught(collect(scanRanges(asStore(failing), "t", partitionRanges(["p02", "p04"]), { concurrency: 3 })));
    expect((err as Error).message).toBe("scan of p04 failed");
    expect(failing.open).toBe(0);

    const store = new SlowStore(6, 40, 2);
    for await (const page of scanRanges(asStore(store), "t", partitionRanges(["p01", "p02", "p03"]), { concurrency: 4 })) {
      expect(page[0]!.pk).toBe("p00");
      break;
    }
    expect(store.open).toBe(0);
  });
});
