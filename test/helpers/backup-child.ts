/**
 * A backup run in its own process, for the crash-safety test: the test SIGKILLs it
 * mid-backup. Reads the Lifeboat settings from its environment (the same names as the
 * app settings) and runs one backup of the configured tables.
 *
 * LIFEBOAT_TEST_PUT_DELAY_MS (optional) slows every repository write by that much, as
 * a slow link would, so the window between the first data file and the manifest is
 * wide enough for the test to hit reliably. Nothing else about the backup changes.
 *
 * Prints "started <pid>" once running and "committed <id>" / "skipped <reason>" at the end.
 */
import type { BackupStore } from "../../src/app/ports/BackupStore";
import { runBackup } from "../../src/app/backup/run-backup";
import { loadConfig } from "../../src/config";
import { createServices } from "../../src/services";

function slowed(repo: BackupStore, delayMs: number): BackupStore {
  const sleep = (): Promise<void> => new Promise((r) => setTimeout(r, delayMs));
  return {
    description: repo.description,
    ensure: () => repo.ensure(),
    put: async (path, data, options) => {
      await sleep();
      await repo.put(path, data, options);
    },
    get: (path) => repo.get(path),
    exists: (path) => repo.exists(path),
    list: (prefix) => repo.list(prefix),
    delete: (path) => repo.delete(path),
    tryLock: (name, wait) => repo.tryLock(name, wait),
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const s = createServices(config);
  const delay = Number(process.env.LIFEBOAT_TEST_PUT_DELAY_MS ?? "0");
  const repo = delay > 0 ? slowed(s.repo, delay) : s.repo;
  process.stdout.write(`started ${process.pid}\n`);
  const r = await runBackup(
    { source: s.source, repo, keys: s.keys },
    {
      tables: config.tables,
      full: process.env.LIFEBOAT_TEST_FULL === "1",
      overlapSeconds: config.overlapSeconds,
      chunkEntities: config.chunkEntities,
      waitForLockSeconds: 0,
    },
  );
  process.stdout.write(r.status === "committed" ? `committed ${r.pointId}\n` : `skipped ${r.reason}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`backup-child failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
