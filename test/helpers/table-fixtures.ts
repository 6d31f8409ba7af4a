import { expect } from "vitest";
import type { TableStore } from "../../src/app/ports/TableStore";
import type { EntityRecord } from "../../src/core/entity/record";
import { testServicesSource } from "./read";

/** `n` simple entities over `partitions` partitions; `version` goes into a property so updates are visible. */
export function makeRecords(n: number, version = 1, partitions = 10, from = 0): EntityRecord[] {
  const out: EntityRecord[] = [];
  for (let i = from; i < from + n; i++) {
    out.push({
      pk: `p${String(i % partitions).padStart(2, "0")}`,
      rk: `r${String(i).padStart(6, "0")}`,
      props: {
        name: ["String", `entity ${i} v${version}`],
        n: ["Int64", String(BigInt(i) * 1_000_000_007n)],
        v: ["Int32", String(version)],
        ok: ["Boolean", i % 2 === 0 ? "true" : "false"],
      },
    });
  }
  return out;
}

/** Creates the table (if needed) and upserts the records in entity-group transactions. */
export async function seedTable(store: TableStore, table: string, records: EntityRecord[]): Promise<void> {
  await store.createTable(table);
  const byPk = new Map<string, EntityRecord[]>();
  for (const r of records) {
    const list = byPk.get(r.pk) ?? [];
    list.push(r);
    byPk.set(r.pk, list);
  }
  await Promise.all(
    [...byPk.values()].map(async (rs) => {
      for (let i = 0; i < rs.length; i += 100) {
        await store.submitBatch(table, rs.slice(i, i + 100).map((record) => ({ kind: "upsert" as const, record })));
      }
    }),
  );
}

/** Deletes the records' keys from the table. */
export async function deleteFromTable(store: TableStore, table: string, records: EntityRecord[]): Promise<void> {
  const byPk = new Map<string, EntityRecord[]>();
  for (const r of records) byPk.set(r.pk, [...(byPk.get(r.pk) ?? []), r]);
  for (const rs of byPk.values()) {
    for (let i = 0; i < rs.length; i += 100) {
      await store.submitBatch(table, rs.slice(i, i + 100).map((r) => ({ kind: "delete" as const, key: { pk: r.pk, rk: r.rk } })));
    }
  }
}

/** Keys and properties only (no Timestamp/ETag), sorted by key. */
export function normalized(rs: readonly EntityRecord[]): { pk: string; rk: string; props: EntityRecord["props"] }[] {
  return rs
    .map((r) => ({ pk: r.pk, rk: r.rk, props: r.props }))
    .sort((a, b) => (a.pk + "\0" + a.rk < b.pk + "\0" + b.rk ? -1 : a.pk + "\0" + a.rk > b.pk + "\0" + b.rk ? 1 : 0));
}

/** Asserts a table on the test Azurite holds exactly these entities. */
export async function expectTableEquals(table: string, records: readonly EntityRecord[]): Promise<void> {
  const got = await testServicesSource(table);
  expect(got.length, `entity count of ${table}`).toBe(records.length);
  expect(normalized(got)).toEqual(normalized(records));
}
