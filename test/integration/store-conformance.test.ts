import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, inject } from "vitest";
import { FsBackupStore } from "../../src/adapters/fs/FsBackupStore";
import { createBlobStore } from "../../src/adapters/azure/stores";
import { Secret } from "../../src/core/secret";
import { uniqueContainer } from "../helpers/names";
import { describeBackupStore } from "../helpers/store-conformance";

const tempDirs: string[] = [];
afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

describeBackupStore("FsBackupStore", async () => {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-store-"));
  tempDirs.push(dir);
  // A subfolder that does not exist yet: ensure() must create it.
  return new FsBackupStore(join(dir, "repo"));
});

describeBackupStore("BlobBackupStore on Azurite", () =>
  Promise.resolve(createBlobStore({ kind: "connectionString", connectionString: new Secret(inject("azurite")) }, uniqueContainer(), "test")),
);
