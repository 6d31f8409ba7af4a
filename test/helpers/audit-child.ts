/**
 * An audit writer in its own process, for the concurrency test: two of these append
 * to the same audit table at once. Reads the Lifeboat settings from its environment
 * (LIFEBOAT_AUDIT_TABLE / LIFEBOAT_AUDIT_CONTAINER name the log) and appends
 * AUDIT_CHILD_COUNT entries tagged with AUDIT_CHILD_WRITER, AUDIT_CHILD_PARALLEL at a
 * time, writing a digest after every 50th. Prints "done <count>" at the end.
 */
import { loadConfig } from "../../src/config";
import { createServices } from "../../src/services";

async function main(): Promise<void> {
  const s = createServices(loadConfig(process.env));
  const count = Number(process.env.AUDIT_CHILD_COUNT ?? "100");
  const parallel = Number(process.env.AUDIT_CHILD_PARALLEL ?? "1");
  const writer = process.env.AUDIT_CHILD_WRITER ?? String(process.pid);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      await s.audit.record({
        operator: `cli:writer-${writer}`,
        action: "backup.incremental",
        target: { tables: ["Concurrent"] },
        outcome: "succeeded",
        durationMs: i,
        details: { writer, i },
      });
      if (i % 50 === 49) await s.audit.writeDigest();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  process.stdout.write(`done ${count}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`audit-child failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
