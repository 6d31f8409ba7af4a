import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { BackupStore, Lock, StoredObject } from "../../src/app/ports/BackupStore";
import { AlreadyExistsError, NotFoundError } from "../../src/core/errors";

/**
 * The listing, each object's `modified` checked (an ISO-8601 instant within the last
 * hour: retention's grace period relies on it) and then left out, so tests compare the rest.
 */
async function collect(it: AsyncIterable<StoredObject>): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for await (const o of it) {
    const { modified, ...rest } = o;
    expect(modified, `${o.path}: modified`).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(Math.abs(Date.now() - new Date(modified!).getTime()), `${o.path}: modified is now`).toBeLessThan(3600_000);
    out.push(rest);
  }
  return out;
}

/** Every byte value, then some random bytes: nothing may be lost to text encodings. */
function binaryBlob(): Buffer {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  return Buffer.concat([all, randomBytes(4096), Buffer.from([0, 0, 13, 10, 0xff, 0xfe])]);
}

/**
 * The one conformance suite every BackupStore adapter must pass (DESIGN §1). `make`
 * returns a store over a fresh, empty repository; the suite calls `ensure()` itself.
 */
export function describeBackupStore(name: string, make: () => Promise<BackupStore>): void {
  describe(`BackupStore conformance: ${name}`, () => {
    const fresh = async (): Promise<BackupStore> => {
      const store = await make();
      await store.ensure();
      return store;
    };

    it("a repository nobody has written to lists nothing, has nothing, and get is NotFound (before ensure)", async () => {
      const store = await make();
      expect(await collect(store.list(""))).toEqual([]);
      expect(await store.exists("points/x")).toBe(false);
      await expect(store.get("points/x")).rejects.toBeInstanceOf(NotFoundError);
    });

    it("ensure() is idempotent and the description names no secret", async () => {
      const store = await fresh();
      await store.ensure();
      expect(store.description.length).toBeGreaterThan(0);
      expect(store.description).not.toMatch(/AccountKey|SharedAccessSignature|sig=/i);
      expect(await collect(store.list(""))).toEqual([]);
    });

    it("put/get round-trips binary content exactly", async () => {
      const store = await fresh();
      const data = binaryBlob();
      await store.put("data/p1/T/d-000000.bin", data);
      const got = await store.get("data/p1/T/d-000000.bin");
      expect(Buffer.isBuffer(got)).toBe(true);
      expect(got.equals(data)).toBe(true);
    });

    it("put/get round-trips an empty object", async () => {
      const store = await fresh();
      await store.put("empty/one", Buffer.alloc(0));
      const got = await store.get("empty/one");
      expect(got.length).toBe(0);
      expect(await store.exists("empty/one")).toBe(true);
      const listed = await collect(store.list("empty/"));
      expect(listed).toEqual([{ path: "empty/one", size: 0, metadata: {} }]);
    });

    it("put/get round-trips a 5 MB object", async () => {
      const store = await fresh();
      const data = randomBytes(5 * 1024 * 1024 + 7);
      await store.put("big/five-mb", data, { ifNoneMatch: true });
      const got = await store.get("big/five-mb");
      expect(got.length).toBe(data.length);
      expect(got.equals(data)).toBe(true);
      const [listed] = await collect(store.list("big/"));
      expect(listed?.size).toBe(data.length);
    });

    it("get of a missing path throws NotFoundError with code STORE.NOT_FOUND", async () => {
      const store = await fresh();
      const err: unknown = await store.get("no/such/object").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as NotFoundError).code).toBe("STORE.NOT_FOUND");
      expect((err as NotFoundError).message).not.toMatch(/AccountKey/i);
    });

    it("put with ifNoneMatch on an existing path throws AlreadyExistsError and changes nothing", async () => {
      const store = await fresh();
      const original = Buffer.from("the original manifest");
      await store.put("points/p.manifest", original, { ifNoneMatch: true, metadata: { kind: "full", entities: "42" } });

      const err: unknown = await store
        .put("points/p.manifest", Buffer.from("an impostor that must not land"), { ifNoneMatch: true, metadata: { kind: "incremental", entities: "1" } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(AlreadyExistsError);
      expect((err as AlreadyExistsError).code).toBe("STORE.ALREADY_EXISTS");

      // Content AND metadata (the point index lives in the manifest's metadata) are untouched.
      expect((await store.get("points/p.manifest")).equals(original)).toBe(true);
      expect(await collect(store.list("points/"))).toEqual([
        { path: "points/p.manifest", size: original.length, metadata: { kind: "full", entities: "42" } },
      ]);
    });

    it("concurrent no-overwrite puts of one path: exactly one wins, and content and metadata are the winner's", async () => {
      const store = await fresh();
      const attempts = ["a", "b", "c", "d"].map((tag) => ({ tag, data: Buffer.from(`content from writer ${tag} `.repeat(50)) }));
      const results = await Promise.allSettled(
        attempts.map((a) => store.put("points/race.manifest", a.data, { ifNoneMatch: true, metadata: { writer: a.tag } })),
      );
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [attempts[i]!] : []));
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(AlreadyExistsError);
      const winner = won[0]!;
      expect((await store.get("points/race.manifest")).equals(winner.data)).toBe(true);
      const [listed] = await collect(store.list("points/race"));
      expect(listed?.metadata).toEqual({ writer: winner.tag });
    });

    it("put without ifNoneMatch overwrites content and metadata", async () => {
      const store = await fresh();
      await store.put("x/obj", Buffer.from("first"), { metadata: { v: "1" } });
      await store.put("x/obj", Buffer.from("second, longer"), { metadata: { v: "2" } });
      expect((await store.get("x/obj")).toString()).toBe("second, longer");
      expect(await collect(store.list("x/"))).toEqual([{ path: "x/obj", size: "second, longer".length, metadata: { v: "2" } }]);
    });

    it("exists is true only for stored paths (not for prefixes)", async () => {
      const store = await fresh();
      expect(await store.exists("a/b/c")).toBe(false);
      await store.put("a/b/c", Buffer.from("x"));
      expect(await store.exists("a/b/c")).toBe(true);
      expect(await store.exists("a/b")).toBe(false);
      expect(await store.exists("a/b/c/d")).toBe(false);
      // Below an object, as on a flat blob namespace: simply not found.
      await expect(store.get("a/b/c/d")).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.get("a/b")).rejects.toBeInstanceOf(NotFoundError);
    });

    it("list returns objects under a prefix, sorted by path, with sizes and metadata", async () => {
      const store = await fresh();
      const puts: [string, string, Record<string, string> | undefined][] = [
        ["data/p2/T/d-000001", "bb", { kind: "data", records: "2" }],
        ["data/p1/T/d-000010", "cccc", undefined],
        ["data/p1/T/d-000002", "a", { records: "1" }],
        ["data/p1/U/k-000000", "", { kind: "keys" }],
        ["datafile-not-in-folder", "zz", undefined],
        ["points/p1.manifest", "mm", { kind: "full", parent: "none", entities: "3", bytes: "10", tables: "T,U" }],
      ];
      // Written out of order on purpose.
      for (const [path, text, metadata] of puts) await store.put(path, Buffer.from(text), metadata ? { metadata } : {});

      expect(await collect(store.list("data/"))).toEqual([
        { path: "data/p1/T/d-000002", size: 1, metadata: { records: "1" } },
        { path: "data/p1/T/d-000010", size: 4, metadata: {} },
        { path: "data/p1/U/k-000000", size: 0, metadata: { kind: "keys" } },
        { path: "data/p2/T/d-000001", size: 2, metadata: { kind: "data", records: "2" } },
      ]);
      expect((await collect(store.list("data/p1/T/"))).map((o) => o.path)).toEqual(["data/p1/T/d-000002", "data/p1/T/d-000010"]);
      expect((await collect(store.list("data"))).map((o) => o.path)).toEqual([
        "data/p1/T/d-000002",
        "data/p1/T/d-000010",
        "data/p1/U/k-000000",
        "data/p2/T/d-000001",
        "datafile-not-in-folder",
      ]);
      expect(await collect(store.list("points/"))).toEqual([
        { path: "points/p1.manifest", size: 2, metadata: { kind: "full", parent: "none", entities: "3", bytes: "10", tables: "T,U" } },
      ]);
      expect(await collect(store.list("nothing-here/"))).toEqual([]);
      const everything = (await collect(store.list(""))).map((o) => o.path);
      expect(everything).toEqual([...everything].sort());
      expect(everything).toHaveLength(puts.length);
    });

    it("locks are not objects: list never shows them", async () => {
      const store = await fresh();
      await store.put("points/a", Buffer.from("a"));
      const lock = await store.tryLock("backup", 0);
      expect(lock).not.toBeNull();
      try {
        expect((await collect(store.list(""))).map((o) => o.path)).toEqual(["points/a"]);
      } finally {
        await lock?.release();
      }
    });

    it("delete removes an object; deleting a missing one is no error", async () => {
      const store = await fresh();
      await store.put("d/one", Buffer.from("1"), { metadata: { m: "1" } });
      await store.put("d/two", Buffer.from("2"));
      await store.delete("d/one");
      expect(await store.exists("d/one")).toBe(false);
      await expect(store.get("d/one")).rejects.toBeInstanceOf(NotFoundError);
      expect((await collect(store.list("d/"))).map((o) => o.path)).toEqual(["d/two"]);
      await store.delete("d/one");
      await store.delete("never/existed");
      // A deleted path can be committed again (retention frees it), with fresh metadata.
      await store.put("d/one", Buffer.from("again"), { ifNoneMatch: true });
      expect((await store.get("d/one")).toString()).toBe("again");
      expect((await collect(store.list("d/one")))[0]?.metadata).toEqual({});
    });

    it("tryLock(name, 0) while held returns null; after release it succeeds", async () => {
      const store = await fresh();
      const first = await store.tryLock("backup", 0);
      expect(first).not.toBeNull();
      first!.assertHeld();
      const second = await store.tryLock("backup", 0);
      expect(second).toBeNull();
      await first!.release();
      await first!.release(); // safe twice
      const third = await store.tryLock("backup", 0);
      expect(third).not.toBeNull();
      third!.assertHeld();
      await third!.release();
    });

    it("tryLock with a wait succeeds once the holder releases within the wait", async () => {
      const store = await fresh();
      const holder = await store.tryLock("backup", 0);
      expect(holder).not.toBeNull();
      const started = Date.now();
      setTimeout(() => void holder!.release(), 1000);
      const waiter = await store.tryLock("backup", 15);
      const waited = Date.now() - started;
      expect(waiter).not.toBeNull();
      expect(waited).toBeGreaterThanOrEqual(900);
      expect(waited).toBeLessThan(15_000);
      await waiter!.release();
    });

    it("tryLock with a wait gives up (null) when the holder keeps it past the wait", async () => {
      const store = await fresh();
      const holder = await store.tryLock("backup", 0);
      expect(holder).not.toBeNull();
      try {
        const started = Date.now();
        expect(await store.tryLock("backup", 1)).toBeNull();
        expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      } finally {
        await holder!.release();
      }
    });

    it("locks of different names do not conflict", async () => {
      const store = await fresh();
      const held: Lock[] = [];
      try {
        for (const n of ["backup", "retention", "restore"]) {
          const l = await store.tryLock(n, 0);
          expect(l, n).not.toBeNull();
          held.push(l!);
        }
        expect(await store.tryLock("backup", 0)).toBeNull();
      } finally {
        for (const l of held) await l.release();
      }
    });
  });
}
