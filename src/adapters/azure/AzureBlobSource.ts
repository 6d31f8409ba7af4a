import { randomBytes } from "node:crypto";
import type { BlobItem, BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import { BlobChangedError, type BlobProperties, type BlobSource, type SourceBlob } from "../../app/ports/BlobSource";
import { NotFoundError } from "../../core/errors";
import { codeOf, statusOf } from "./clients";

function fromItem(b: BlobItem): SourceBlob {
  const p = b.properties;
  return {
    path: b.name,
    etag: p.etag ?? "",
    lastModified: p.lastModified.toISOString(),
    size: p.contentLength ?? 0,
    ...(p.contentType ? { contentType: p.contentType } : {}),
    ...(p.contentEncoding ? { contentEncoding: p.contentEncoding } : {}),
    ...(p.contentLanguage ? { contentLanguage: p.contentLanguage } : {}),
    ...(p.contentDisposition ? { contentDisposition: p.contentDisposition } : {}),
    ...(p.cacheControl ? { cacheControl: p.cacheControl } : {}),
    metadata: { ...(b.metadata ?? {}) },
    tags: { ...(b.tags ?? {}) },
    ...(p.accessTier && p.accessTierInferred !== true ? { tier: p.accessTier } : {}),
  };
}

/**
 * BlobSource over the source account's Blob service. Lists with metadata and tags; reads
 * exactly one version (If-Match on its ETag); writes by staging blocks and committing the
 * list with the properties, metadata, tags and tier in the same request.
 */
export class AzureBlobSource implements BlobSource {
  readonly description: string;
  readonly #service: BlobServiceClient;

  constructor(service: BlobServiceClient) {
    this.#service = service;
    this.description = `blob:${new URL(service.url).origin}`;
  }

  #container(name: string): ContainerClient {
    return this.#service.getContainerClient(name);
  }

  async containerExists(container: string): Promise<boolean> {
    return this.#container(container).exists();
  }

  async createContainer(container: string): Promise<void> {
    await this.#container(container).createIfNotExists();
  }

  async deleteContainer(container: string): Promise<void> {
    await this.#container(container).deleteIfExists();
  }

  async *list(container: string): AsyncIterable<SourceBlob> {
    try {
      for await (const b of this.#container(container).listBlobsFlat({ includeMetadata: true, includeTags: true })) yield fromItem(b);
    } catch (err) {
      if (statusOf(err) === 404) throw new NotFoundError("CONTAINER.NOT_FOUND", `container ${container} does not exist in the source account`);
      throw err;
    }
  }

  async properties(container: string, path: string): Promise<SourceBlob | null> {
    for await (const b of this.#container(container).listBlobsFlat({ prefix: path, includeMetadata: true, includeTags: true })) {
      if (b.name === path) return fromItem(b);
      if (b.name > path) break;
    }
    return null;
  }

  async *read(container: string, path: string, etag?: string): AsyncIterable<Buffer> {
    let body: NodeJS.ReadableStream | undefined;
    try {
      const r = await this.#container(container).getBlobClient(path).download(0, undefined, etag ? { conditions: { ifMatch: etag } } : {});
      body = r.readableStreamBody;
    } catch (err) {
      const s = statusOf(err);
      if (s === 412) throw new BlobChangedError(`${container}/${path} changed since it was listed`);
      if (s === 404) throw new NotFoundError("STORE.NOT_FOUND", `${container}/${path} is gone`);
      throw err;
    }
    if (!body) return;
    for await (const chunk of body as AsyncIterable<Buffer | string>) yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
  }

  async write(container: string, path: string, blocks: AsyncIterable<Buffer>, props: BlobProperties): Promise<void> {
    const blob = this.#container(container).getBlockBlobClient(path);
    const ids: string[] = [];
    const prefix = randomBytes(6).toString("hex");
    for await (const block of blocks) {
      if (block.length === 0) continue;
      // Block ids of one blob must all have the same length.
      const id = Buffer.from(`${prefix}-${String(ids.length).padStart(6, "0")}`).toString("base64");
      await blob.stageBlock(id, block, block.length);
      ids.push(id);
    }
    await blob.commitBlockList(ids, {
      blobHTTPHeaders: {
        ...(props.contentType ? { blobContentType: props.contentType } : {}),
        ...(props.contentEncoding ? { blobContentEncoding: props.contentEncoding } : {}),
        ...(props.contentLanguage ? { blobContentLanguage: props.contentLanguage } : {}),
        ...(props.contentDisposition ? { blobContentDisposition: props.contentDisposition } : {}),
        ...(props.cacheControl ? { blobCacheControl: props.cacheControl } : {}),
      },
      metadata: props.metadata,
      ...(Object.keys(props.tags).length > 0 ? { tags: props.tags } : {}),
      ...(props.tier ? { tier: props.tier } : {}),
    });
  }

  async delete(container: string, path: string): Promise<void> {
    try {
      await this.#container(container).getBlobClient(path).deleteIfExists();
    } catch (err) {
      if (statusOf(err) === 404 && codeOf(err) === "ContainerNotFound") return;
      throw err;
    }
  }
}
