import type { BackupStore } from "../../src/app/ports/BackupStore";

/** Storage-level tampering: the same object, one byte flipped (at `at(length)`), written over the original with its metadata. */
export async function flipByte(repo: BackupStore, path: string, at: (length: number) => number = (n) => n - 20): Promise<void> {
  const bytes = Buffer.from(await repo.get(path));
  const i = at(bytes.length);
  bytes[i] = bytes[i]! ^ 0x01;
  let metadata: Record<string, string> = {};
  for await (const o of repo.list(path)) if (o.path === path) metadata = o.metadata;
  await repo.put(path, bytes, { metadata });
}

/** The path of the newest data file of the repository (the one a restore reads first). */
export async function someDataFile(repo: BackupStore): Promise<string> {
  let data = "";
  for await (const o of repo.list("data/")) if (/\/d-\d+\.ndjson/.test(o.path)) data = o.path;
  if (!data) throw new Error("the repository holds no data file");
  return data;
}
