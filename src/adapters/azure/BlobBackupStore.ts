import type { ContainerClient } from "@azure/storage-blob";
import type { BackupStore, Lock, Retention, StoredObject } from "../../app/ports/BackupStore";
import { AlreadyExistsError, LifeboatError, NotFoundError } from "../../core/errors";
import { codeOf, statusOf } from "./clients";
import { renewedLock } from "../renewed-lock";

/** The blob index tag naming an object's retention tier; the storage lifecycle rules key on it. */
export const TIER_TAG = "lifeboat-tier";

const LEASE_SECONDS = 60;
const RENEW_MS = 20_000;
const POLL_MS = 2_000;

/**
 * BackupStore over one blob container. Manifests are committed with If-None-Match: *,
 * so a container under a time-based immutability policy works unchanged. Locks are
 * blob leases on objects in a separate lock container: each lock blob is written once and
 * then only leased, which an immutability policy (the account default covers it too) allows.
 */
export class BlobBackupStore implements BackupStore {
  readonly description: string;
  readonly #container: ContainerClient;
  readonly #locks: ContainerClient;

  readonly #immutability: boolean;

  /**
   * `locks` is the lock container, e.g. "lifeboat-locks" (its blobs are written once, then only leased).
   * With `immutability` (Azure, LIFEBOAT_IMMUTABILITY=on), objects written with a
   * retention get a Locked version-level immutability policy until then: nobody, Lifeboat
   * included, can delete them before their tier ends, and the expiry can only be extended.
   */
  constructor(container: ContainerClient, locks: ContainerClient, options: { immutability?: boolean } = {}) {
    this.#container = container;
    this.#locks = locks;
    this.#immutability = options.immutability === true;
    this.description = `blob:${container.containerName}`;
  }

  async ensure(): Promise<void> {
    await this.#container.createIfNotExists();
    await this.#locks.createIfNotExists();
  }

  async put(path: string, data: Buffer, options: { ifNoneMatch?: boolean; metadata?: Record<string, string>; retention?: Retention } = {}): Promise<void> {
    try {
      await this.#container.getBlockBlobClient(path).uploadData(data, {
        ...(options.ifNoneMatch ? { conditions: { ifNoneMatch: "*" } } : {}),
        ...(options.metadata ? { metadata: options.metadata } : {}),
        ...(options.retention ? { tags: { [TIER_TAG]: options.retention.tier } } : {}),
        ...(options.retention && this.#immutability ? { immutabilityPolicy: { expiriesOn: options.retention.until, policyMode: "Locked" as const } } : {}),
        blockSize: 8 * 1024 * 1024,
        concurrency: 4,
      });
    } catch (err) {
      const s = statusOf(err);
      if (options.ifNoneMatch && (s === 409 || s === 412)) {
        throw new AlreadyExistsError(`${this.description}: ${path} already exists`, { cause: err });
      }
      throw err;
    }
  }

  async get(path: string): Promise<Buffer> {
    try {
      return await this.#container.getBlockBlobClient(path).downloadToBuffer(0, undefined, { concurrency: 4 });
    } catch (err) {
      if (statusOf(err) === 404) throw new NotFoundError("STORE.NOT_FOUND", `${this.description}: ${path} not found`, { cause: err });
      throw err;
    }
  }

  async extendRetention(path: string, retention: Retention): Promise<void> {
    const blob = this.#container.getBlockBlobClient(path);
    try {
      if (this.#immutability) {
        const props = await blob.getProperties();
        const current = props.immutabilityPolicyExpiresOn;
        if (!current || current.getTime() < retention.until.getTime()) await blob.setImmutabilityPolicy({ expiriesOn: retention.until, policyMode: "Locked" });
      }
      await blob.setTags({ [TIER_TAG]: retention.tier });
    } catch (err) {
      if (statusOf(err) === 404) throw new NotFoundError("STORE.NOT_FOUND", `${this.description}: ${path} not found`, { cause: err });
      throw err;
    }
  }

  async exists(path: string): Promise<boolean> {
    return this.#container.getBlockBlobClient(path).exists();
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    try {
      for await (const b of this.#container.listBlobsFlat({ prefix, includeMetadata: true })) {
        const until = b.properties.immutabilityPolicyExpiresOn;
        yield { path: b.name, size: b.properties.contentLength ?? 0, metadata: b.metadata ?? {}, modified: b.properties.lastModified.toISOString(), ...(until ? { retainUntil: until.toISOString() } : {}) };
      }
    } catch (err) {
      // A repository nobody has written to yet has no container: it holds nothing.
      if (statusOf(err) === 404 && codeOf(err) === "ContainerNotFound") return;
      throw err;
    }
  }

  async delete(path: string): Promise<void> {
    await this.#container.getBlockBlobClient(path).deleteIfExists();
  }

  async tryLock(name: string, waitSeconds: number): Promise<Lock | null> {
    const blob = this.#locks.getBlockBlobClient(`${this.#container.containerName}/${name}`);
    try {
      await blob.uploadData(Buffer.from("lifeboat lock\n"), { conditions: { ifNoneMatch: "*" } });
    } catch (err) {
      const s = statusOf(err);
      if (s !== 409 && s !== 412) throw err;
    }
    const lease = blob.getBlobLeaseClient();
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      try {
        await lease.acquireLease(LEASE_SECONDS);
        break;
      } catch (err) {
        if (statusOf(err) !== 409 || codeOf(err) === "LeaseIdMismatchWithLeaseOperation") throw err;
        if (Date.now() >= deadline) return null;
        await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
      }
    }
    const description = this.description;
    return renewedLock({
      everyMs: RENEW_MS,
      renew: () => lease.renewLease(),
      release: () => lease.releaseLease(),
      lostError: (cause) => new LifeboatError("LOCK.LOST", `${description}: lost the ${name} lock (lease renewal failed)`, { cause }),
    });
  }
}
