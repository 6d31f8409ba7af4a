import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { BackupStore, Lock, StoredObject } from "../../app/ports/BackupStore";
import { AlreadyExistsError, LifeboatError, NotFoundError } from "../../core/errors";
import { renewedLock } from "../renewed-lock";

const META = ".lbmeta";
const LOCK_TTL_MS = 60_000;
/** What the file system says for a path that is not an object: absent, below a file, or a folder. */
const MISSING = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

function codeOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

/**
 * BackupStore on a local folder (development, a mounted share, tests). Writes go to a
 * temporary file first; a no-overwrite commit is a hard link, which fails atomically
 * when the name exists, so a crash never leaves a half-written object under its name.
 */
export class FsBackupStore implements BackupStore {
  readonly description: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.description = `fs:${root}`;
  }

  #abs(path: string): string {
    if (path.split("/").some((p) => p === ".." || p === "")) throw new LifeboatError("STORE.BAD_PATH", `bad object path ${JSON.stringify(path)}`);
    return join(this.#root, ...path.split("/"));
  }

  async ensure(): Promise<void> {
    await mkdir(this.#root, { recursive: true });
  }

  async put(path: string, data: Buffer, options: { ifNoneMatch?: boolean; metadata?: Record<string, string> } = {}): Promise<void> {
    const abs = this.#abs(path);
    await mkdir(dirname(abs), { recursive: true });
    const suffix = randomBytes(6).toString("hex");
    const tmp = `${abs}.${suffix}.tmp`;
    const metaTmp = `${abs}${META}.${suffix}.tmp`;
    try {
      const fh = await open(tmp, "w");
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await writeFile(metaTmp, JSON.stringify(options.metadata ?? {}));
      if (options.ifNoneMatch) {
        try {
          await link(tmp, abs);
        } catch (err) {
          if (codeOf(err) === "EEXIST") throw new AlreadyExistsError(`${this.description}: ${path} already exists`, { cause: err });
          throw err;
        }
      } else {
        await rename(tmp, abs);
      }
      // Only the writer whose content landed publishes its metadata.
      await rename(metaTmp, abs + META);
    } finally {
      await rm(tmp, { force: true });
      await rm(metaTmp, { force: true });
    }
  }

  async get(path: string): Promise<Buffer> {
    try {
      return await readFile(this.#abs(path));
    } catch (err) {
      if (MISSING.has(codeOf(err) ?? "")) throw new NotFoundError("STORE.NOT_FOUND", `${this.description}: ${path} not found`, { cause: err });
      throw err;
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      return (await stat(this.#abs(path))).isFile();
    } catch (err) {
      if (MISSING.has(codeOf(err) ?? "")) return false;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const all: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (codeOf(err) === "ENOENT") return;
        throw err;
      }
      for (const e of entries) {
        const abs = join(dir, e.name);
        if (e.isDirectory()) await walk(abs);
        else if (!e.name.endsWith(META) && !e.name.endsWith(".tmp") && !abs.startsWith(join(this.#root, ".locks"))) {
          all.push(relative(this.#root, abs).split(sep).join("/"));
        }
      }
    };
    await walk(this.#root);
    all.sort();
    for (const path of all) {
      if (!path.startsWith(prefix)) continue;
      const abs = this.#abs(path);
      const st = await stat(abs);
      const size = st.size;
      let metadata: Record<string, string> = {};
      try {
        metadata = JSON.parse(await readFile(abs + META, "utf8")) as Record<string, string>;
      } catch {
        metadata = {};
      }
      yield { path, size, metadata, modified: st.mtime.toISOString() };
    }
  }

  async delete(path: string): Promise<void> {
    const abs = this.#abs(path);
    await rm(abs, { force: true });
    await rm(abs + META, { force: true });
  }

  async tryLock(name: string, waitSeconds: number): Promise<Lock | null> {
    const dir = join(this.#root, ".locks");
    await mkdir(dir, { recursive: true });
    const file = join(dir, name);
    const deadline = Date.now() + waitSeconds * 1000;
    const token = randomBytes(8).toString("hex");
    for (;;) {
      try {
        const fh = await open(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
        await fh.writeFile(JSON.stringify({ token, pid: process.pid, expires: Date.now() + LOCK_TTL_MS }));
        await fh.close();
        break;
      } catch (err) {
        if (codeOf(err) !== "EEXIST") throw err;
        // A holder that died leaves its lock behind; it is stale once expired.
        try {
          const held = JSON.parse(await readFile(file, "utf8")) as { expires?: number };
          if (typeof held.expires === "number" && held.expires < Date.now()) {
            await unlink(file).catch(() => undefined);
            continue;
          }
        } catch {
          // Being written right now, or already gone: try again shortly.
        }
        if (Date.now() >= deadline) return null;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    // A local lock is held until released or the process dies; a failed refresh is ignored.
    return renewedLock({
      everyMs: LOCK_TTL_MS / 3,
      renew: () => writeFile(file, JSON.stringify({ token, pid: process.pid, expires: Date.now() + LOCK_TTL_MS })),
      release: () => unlink(file),
    });
  }
}
