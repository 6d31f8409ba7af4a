import type { ContainerClient } from "@azure/storage-blob";
import type { DigestInfo, DigestStore } from "../../app/ports/AuditLog";
import { digestName, digestSeqOfName } from "../../core/audit/digest";
import { AlreadyExistsError, NotFoundError } from "../../core/errors";
import { codeOf, statusOf } from "./clients";

const PREFIX = "digests/";

function isContainerMissing(err: unknown): boolean {
  return statusOf(err) === 404 && codeOf(err) === "ContainerNotFound";
}

/**
 * Audit digests as blobs in one container (LIFEBOAT_AUDIT_CONTAINER), which in Azure
 * sits under a time-based immutability policy. Every write is `If-None-Match: *`;
 * nothing is overwritten or deleted. Digest names list newest first, so the latest
 * is one single-item listing away. The container is created on first put.
 */
export class BlobDigestStore implements DigestStore {
  readonly description: string;
  readonly #container: ContainerClient;

  constructor(container: ContainerClient) {
    this.#container = container;
    this.description = `blob:${container.containerName}`;
  }

  async latest(): Promise<{ seq: number; name: string; bytes: Buffer } | null> {
    try {
      for await (const page of this.#container.listBlobsFlat({ prefix: PREFIX }).byPage({ maxPageSize: 1 })) {
        for (const b of page.segment.blobItems) {
          const seq = digestSeqOfName(b.name);
          if (seq !== null) return { seq, name: b.name, bytes: await this.get(b.name) };
        }
      }
    } catch (err) {
      if (isContainerMissing(err)) return null;
      throw err;
    }
    return null;
  }

  async put(seq: number, bytes: Buffer, meta: { headSeq: number; createdAt: string }): Promise<string> {
    const name = digestName(seq);
    const upload = (): Promise<unknown> =>
      this.#container.getBlockBlobClient(name).uploadData(bytes, {
        conditions: { ifNoneMatch: "*" },
        metadata: { headseq: String(meta.headSeq), createdat: meta.createdAt },
        blobHTTPHeaders: { blobContentType: "application/json" },
      });
    try {
      try {
        await upload();
      } catch (err) {
        if (!isContainerMissing(err)) throw err;
        await this.#container.createIfNotExists();
        await upload();
      }
    } catch (err) {
      const s = statusOf(err);
      if (s === 409 || s === 412) throw new AlreadyExistsError(`${this.description}: ${name} already exists`, { cause: err });
      throw err;
    }
    return name;
  }

  async list(): Promise<DigestInfo[]> {
    const out: DigestInfo[] = [];
    try {
      for await (const b of this.#container.listBlobsFlat({ prefix: PREFIX, includeMetadata: true })) {
        const seq = digestSeqOfName(b.name);
        if (seq === null) continue;
        const headSeq = Number(b.metadata?.headseq);
        const createdAt = b.metadata?.createdat;
        out.push({
          seq,
          name: b.name,
          ...(Number.isSafeInteger(headSeq) && b.metadata?.headseq !== undefined ? { headSeq } : {}),
          ...(createdAt ? { createdAt } : {}),
        });
      }
    } catch (err) {
      if (isContainerMissing(err)) return [];
      throw err;
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async get(name: string): Promise<Buffer> {
    try {
      return await this.#container.getBlockBlobClient(name).downloadToBuffer();
    } catch (err) {
      if (statusOf(err) === 404) throw new NotFoundError("STORE.NOT_FOUND", `${this.description}: ${name} not found`, { cause: err });
      throw err;
    }
  }
}
