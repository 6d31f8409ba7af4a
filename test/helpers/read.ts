import { inject } from "vitest";
import { createTableStore } from "../../src/adapters/azure/stores";
import { Secret } from "../../src/core/secret";
import type { EntityRecord } from "../../src/core/entity/record";

/** Every entity of a table on the test Azurite, read exactly (raw pages, canonical values). */
export async function testServicesSource(table: string): Promise<EntityRecord[]> {
  const store = createTableStore({ kind: "connectionString", connectionString: new Secret(inject("azurite")) }, "test");
  const out: EntityRecord[] = [];
  for await (const page of store.scan(table)) out.push(...page);
  return out;
}
