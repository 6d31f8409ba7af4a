import { LifeboatError } from "../../core/errors";

/** What a restore sets on a blob besides its content. */
export interface BlobProperties {
  contentType?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  cacheControl?: string;
  metadata: Record<string, string>;
  /** Blob index tags. */
  tags: Record<string, string>;
  /** Access tier ("Hot", "Cool", "Cold"), when the service reports one. */
  tier?: string;
}

/** A blob as listed: where, which version (ETag, Last-Modified), how big, and its properties. */
export interface SourceBlob extends BlobProperties {
  path: string;
  etag: string;
  lastModified: string;
  size: number;
}

/** The blob's ETag is no longer the one asked for: it changed (or was replaced) while being read. */
export class BlobChangedError extends LifeboatError {
  override readonly name = "BlobChangedError";
  constructor(message: string) {
    super("BLOB.CHANGED", message);
  }
}

/**
 * Blob containers of the source account (configuration files, enrichment scripts), as
 * backups read them and restores write them.
 * Errors: a missing container throws NotFoundError (CONTAINER.NOT_FOUND) from `list`;
 * `read` throws BlobChangedError when the blob's ETag moved, NotFoundError
 * (STORE.NOT_FOUND) when it is gone; `properties` returns null for a missing blob;
 * `delete` of a missing blob does nothing. Throttling and timeouts are retried inside.
 */
export interface BlobSource {
  /** Where the blobs live, e.g. "blob:https://acct.blob.core.windows.net". Never a secret. */
  readonly description: string;
  containerExists(container: string): Promise<boolean>;
  /** Creates the container; does nothing when it exists. */
  createContainer(container: string): Promise<void>;
  /** Deletes a container and everything in it (a drill's scratch copy); nothing when it does not exist. */
  deleteContainer(container: string): Promise<void>;
  /** Every blob of the container with its properties, metadata and tags, sorted by path. */
  list(container: string): AsyncIterable<SourceBlob>;
  /** One blob's current listing entry, or null when it does not exist. */
  properties(container: string, path: string): Promise<SourceBlob | null>;
  /** The content of exactly the version with this ETag (or of whatever is there, without one), streamed in pieces. */
  read(container: string, path: string, etag?: string): AsyncIterable<Buffer>;
  /**
   * Writes a blob from its content in blocks (each staged, then committed in order, so
   * memory holds one block) with its properties, tags and tier; replaces what was there.
   */
  write(container: string, path: string, blocks: AsyncIterable<Buffer>, props: BlobProperties): Promise<void>;
  delete(container: string, path: string): Promise<void>;
}
