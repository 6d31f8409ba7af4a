/**
 * A CSV import (apply) in its own process, for the crash test: the test SIGKILLs it
 * midway. Reads the Lifeboat settings from its environment; LIFEBOAT_TEST_TABLE and
 * LIFEBOAT_TEST_FILE name the table and the CSV. LIFEBOAT_TEST_BATCH_DELAY_MS (optional)
 * slows every entity-group transaction by that much, as a slow link would, so the test
 * can kill it between the first and the last write. Nothing else about the import changes.
 *
 * Prints "started <pid>" once running and "imported <n>" at the end.
 */
import { createReadStream, statSync } from "node:fs";
import { importCsv } from "../../src/app/csv/import-csv";
import { loadConfig } from "../../src/config";
import { createServices } from "../../src/services";
import { overriding } from "./store-wrap";

async function main(): Promise<void> {
  const s = createServices(loadConfig(process.env));
  const delay = Number(process.env.LIFEBOAT_TEST_BATCH_DELAY_MS ?? "0");
  const source = overriding(s.source, {
    submitBatch: async (t, w) => {
      await new Promise((r) => setTimeout(r, delay));
      await s.source.submitBatch(t, w);
      process.stdout.write(`batch ${w.length}\n`);
    },
  });
  const file = process.env.LIFEBOAT_TEST_FILE!;
  process.stdout.write(`started ${process.pid}\n`);
  const r = await importCsv(
    { ...s, source },
    { table: process.env.LIFEBOAT_TEST_TABLE!, mode: "apply", create: true, inferTypes: false, source: () => createReadStream(file), totalBytes: statSync(file).size, operator: "test:import-child" },
  );
  process.stdout.write(`imported ${r.written}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`import-child failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
