import { inject } from "vitest";
import { createTableStore } from "../../src/services";
import type { EntityRecord } from "../../src/core/entity/record";

/** Every entity of a table on the test Azurite, read exactly (raw pages, canonical values). */
export async function testServicesSource(table: string): Promise<EntityRecord[]> {
  const store = createTableStore({ kind: "connectionString", connectionString: inject("azurite") }, "test");
  const out: EntityRecord[] = [];
  for await (const page of store.scan(table)) out.push(...page);
  return out;
}
