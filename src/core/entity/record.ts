/**
 * The canonical form of a table entity inside Lifeboat and inside backup files.
 * Every property value is kept as its EDM type plus an exact string, so that nothing is
 * lost to JavaScript numbers or dates (Int64 beyond 2^53, DateTime with 7 fractional
 * digits, Double NaN/Infinity/-0, integral doubles like 2.0 that JSON would make Int32).
 */
export const EDM_TYPES = ["String", "Int32", "Int64", "Double", "Boolean", "DateTime", "Guid", "Binary"] as const;
export type EdmType = (typeof EDM_TYPES)[number];

/** [type, canonical string]. See docs/format.md for each type's canonical string. */
export type PropertyValue = readonly [EdmType, string];

export interface EntityRecord {
  pk: string;
  rk: string;
  /** The service Timestamp (ISO-8601 UTC; Azure writes 7 fractional digits, Azurite 3), when read from the service. */
  ts?: string;
  /** The service ETag, when read from the service. */
  etag?: string;
  /** User properties, without PartitionKey, RowKey, Timestamp. */
  props: Record<string, PropertyValue>;
}

/** A deletion captured by an incremental backup. */
export interface Tombstone {
  pk: string;
  rk: string;
  deleted: true;
}

export type BackupRecord = EntityRecord | Tombstone;

export function isTombstone(r: BackupRecord): r is Tombstone {
  return (r as Tombstone).deleted === true;
}

/** The identity of an entity within a table. */
export interface EntityKey {
  pk: string;
  rk: string;
}
