import type { BlobSource } from "../app/ports/BlobSource";
import type { TableStore } from "../app/ports/TableStore";
import type { EntityRecord } from "../core/entity/record";

/** A small customer data set in every EDM type, for `npm start` on an empty source. */
export function demoEntities(table: "Customers" | "Orders", count: number): EntityRecord[] {
  const out: EntityRecord[] = [];
  for (let i = 0; i < count; i++) {
    if (table === "Customers") {
      out.push({
        pk: `region-${i % 4}`,
        rk: `customer-${String(i).padStart(5, "0")}`,
        props: {
          Name: ["String", `Customer ${i}`],
          Email: ["String", `customer${i}@example.com`],
          Tier: ["Int32", String(i % 3)],
          LifetimeValue: ["Double", String(Math.round(i * 1234.5) / 100)],
          ExternalId: ["Int64", String(9007199254740993n + BigInt(i))],
          Active: ["Boolean", i % 7 === 0 ? "false" : "true"],
          Since: ["DateTime", `2024-0${(i % 9) + 1}-15T08:30:00.1234567Z`],
          CrmId: ["Guid", `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`],
        },
      });
    } else {
      out.push({
        pk: `customer-${String(i % 50).padStart(5, "0")}`,
        rk: `order-${String(i).padStart(6, "0")}`,
        props: {
          Total: ["Double", String((i % 200) + 0.99)],
          Items: ["Int32", String((i % 5) + 1)],
          PlacedAt: ["DateTime", `2026-11-${String((i % 25) + 1).padStart(2, "0")}T12:00:00.0000000Z`],
          Payload: ["Binary", Buffer.from(`order ${i}`).toString("base64")],
        },
      });
    }
  }
  return out;
}

/** Seeds Customers (200) and Orders (1000) when the source has no tables. Returns what it created. */
export async function seedDemoData(store: TableStore): Promise<string[]> {
  if ((await store.listTables()).length > 0) return [];
  const created: string[] = [];
  for (const [table, count] of [["Customers", 200], ["Orders", 1000]] as const) {
    await store.createTable(table);
    const byPartition = new Map<string, EntityRecord[]>();
    for (const r of demoEntities(table, count)) {
      const list = byPartition.get(r.pk) ?? [];
      list.push(r);
      byPartition.set(r.pk, list);
    }
    for (const list of byPartition.values()) {
      for (let i = 0; i < list.length; i += 100) {
        await store.submitBatch(table, list.slice(i, i + 100).map((record) => ({ kind: "upsert" as const, record })));
      }
    }
    created.push(table);
  }
  return created;
}

/** A few configuration files and an enrichment script, for the demo `config` container. */
const DEMO_FILES: Record<string, { body: string; contentType: string }> = {
  "app/settings.yaml": { body: "service: customer-data\nreplicas: 3\nfeatures:\n  enrichment: true\n", contentType: "application/yaml" },
  "app/limits.json": { body: '{\n  "maxBatch": 100,\n  "timeoutSeconds": 30\n}\n', contentType: "application/json" },
  "app/.env": { body: "# demo values only\nLOG_LEVEL=info\nREGION=westeurope\n", contentType: "text/plain" },
  "scripts/enrich.py": { body: "def enrich(customer):\n    return {**customer, 'segment': 'demo'}\n", contentType: "text/x-python" },
};

/** Creates and fills `container` with the demo files when it does not exist. Returns whether it did. */
export async function seedDemoContainer(blobs: BlobSource, container: string): Promise<boolean> {
  if (await blobs.containerExists(container)) return false;
  await blobs.createContainer(container);
  for (const [path, f] of Object.entries(DEMO_FILES)) {
    await blobs.write(container, path, (async function* () {
      yield Buffer.from(f.body);
    })(), { contentType: f.contentType, metadata: { demo: "true" }, tags: {} });
  }
  return true;
}
