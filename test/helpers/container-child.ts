/**
 * One container backup and restore in its own process, for the memory test: reads the
 * Lifeboat settings from its environment, backs up LIFEBOAT_CONTAINERS (a full point),
 * restores it into new containers with the prefix "mem", and prints the process's peak
 * resident memory in bytes ("maxrss <n>"), so the test can compare a large file with a
 * small one.
 */
import { runBackup } from "../../src/app/backup/run-backup";
import { runRestore } from "../../src/app/restore/run-restore";
import { loadConfig } from "../../src/config";
import { createServices } from "../../src/services";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const s = createServices(config);
  const deps = { source: s.source, blobs: s.blobs!, repo: s.repo, keys: s.keys };
  const r = await runBackup(deps, { tables: [], containers: config.containers, full: true, overlapSeconds: 60, chunkEntities: 100 });
  if (r.status !== "committed") throw new Error("not committed");
  await runRestore(deps, { pointId: r.pointId, target: { kind: "prefix", prefix: "mem" }, concurrency: 4 });
  process.stdout.write(`maxrss ${process.resourceUsage().maxRSS * 1024}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`container-child failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
