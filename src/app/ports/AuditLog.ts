import type { AuditEntry } from "../../core/audit/chain";
import { LifeboatError } from "../../core/errors";

/**
 * The head of one day's partition of the audit chain: the last entry written to that
 * day. A head is sealed when the chain moved on to a later day (`next`); a writer that
 * still holds the old head then fails its ETag check instead of forking the chain.
 */
export interface AuditHead {
  /** The partition, "YYYY-MM-DD" (UTC). */
  day: string;
  /** Seq and hash of the last entry of the chain in this partition. */
  seq: number;
  hash: string;
  /** Time of that entry. */
  time: string;
  sealed: boolean;
  /** When sealed: the day the chain continues in. */
  next: string | null;
  /** Opaque version for optimistic concurrency. */
  etag: string;
}

/** An inclusive range of UTC days ("YYYY-MM-DD"); an open end is unbounded. */
export interface DayRange {
  fromDay?: string;
  toDay?: string;
}

/** An entry row as read back: the parsed entry, or why it could not be parsed (tampering, damage). */
export type StoredAuditRow =
  | { day: string; rowKey: string; entry: AuditEntry }
  | { day: string; rowKey: string; malformed: string };

/**
 * A conditional write lost a race: the head changed since it was read (ETag), or the
 * entity being created already exists. The writer re-reads and tries again.
 */
export class AuditConflictError extends LifeboatError {
  override readonly name = "AuditConflictError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("AUDIT.CONFLICT", message, options);
  }
}

/**
 * The audit chain's storage: a table with one partition per UTC day, entries under
 * row keys that sort in chain order, and a "head" row per partition.
 * Errors: conditional writes that lose a race throw AuditConflictError; reads of a
 * missing head return null; a missing table reads as empty and is created by the
 * first `commit`. Anything else (Storage down, no permission) throws the adapter's
 * error after its own retries.
 */
export interface AuditLog {
  /** Where the log lives, e.g. "table:LifeboatAudit". Never a secret. */
  readonly description: string;
  /** The head of one day, or null when that day has no partition. */
  readHead(day: string): Promise<AuditHead | null>;
  /** Heads of the days in range, sorted by day. */
  listHeads(range?: DayRange): Promise<AuditHead[]>;
  /**
   * Atomically (one entity-group transaction) inserts `entries` (consecutive seqs,
   * all in `day`) and writes the day's head to the last of them: replacing the head
   * only if its ETag is still `expect.etag`, or inserting it when `expect` is "new".
   * Returns the new head. Throws AuditConflictError when the ETag moved, the head or
   * an entry already exists; nothing is written then.
   */
  commit(day: string, entries: AuditEntry[], expect: { etag: string } | "new"): Promise<AuditHead>;
  /**
   * Marks a head sealed with the day the chain continues in, only if its ETag is still
   * `head.etag`. Throws AuditConflictError otherwise. Returns the sealed head.
   */
  seal(head: AuditHead, next: string): Promise<AuditHead>;
  /**
   * Records, once, the day the chain starts in: inserts it if no start was recorded
   * and returns the recorded day (this one, or the one another writer recorded first).
   * Two first writers whose clocks straddle midnight so agree on one first day.
   */
  claimGenesis(day: string): Promise<string>;
  /** Entry rows of the days in range, in (day, row key) order; heads excluded. */
  rows(range?: DayRange): AsyncIterable<StoredAuditRow>;
}

/** A digest blob's name and what its metadata says about it (metadata only narrows reads; content is authoritative). */
export interface DigestInfo {
  seq: number;
  name: string;
  /** From metadata; undefined when absent. */
  headSeq?: number;
  createdAt?: string;
}

/**
 * Append-only storage of audit digests (a blob container that sits under an
 * immutability policy in Azure). Nothing here overwrites or deletes.
 * Errors: `put` of a seq that exists throws AlreadyExistsError; `get` of a missing
 * digest throws NotFoundError (STORE.NOT_FOUND); a missing container reads as empty
 * and is created by the first `put`.
 */
export interface DigestStore {
  /** Where digests live, e.g. "blob:lifeboat-audit". Never a secret. */
  readonly description: string;
  /** The digest with the highest seq and its exact bytes, or null when there is none. */
  latest(): Promise<{ seq: number; name: string; bytes: Buffer } | null>;
  /** Stores digest `seq` with If-None-Match: *. Returns its name. */
  put(seq: number, bytes: Buffer, meta: { headSeq: number; createdAt: string }): Promise<string>;
  /** Every digest, sorted by seq (names and metadata only). Names that are not digests are skipped. */
  list(): Promise<DigestInfo[]>;
  get(name: string): Promise<Buffer>;
}
