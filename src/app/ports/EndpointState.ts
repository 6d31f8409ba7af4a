import { LifeboatError } from "../../core/errors";
import type { ProbeState } from "../../core/policy/failover-probe";

/** Which account applications should use: the primary source account, or the failover account. */
export type EndpointAccount = "primary" | "failover";

/**
 * The active endpoint record: what applications should use. Holds endpoints only, never
 * a key or SAS. `since`, `reason` and `failoverId` are null when nothing was ever switched.
 */
export interface EndpointRecord {
  account: EndpointAccount;
  tableServiceUri: string;
  blobServiceUri?: string;
  since: string | null;
  reason: string | null;
  failoverId: string | null;
}

/** A failover or failback under way: written (ETag'd) before it starts, removed when it ends. */
export interface SwitchMark {
  failoverId: string;
  kind: "failover" | "failback";
  operator: string;
  startedAt: string;
}

/** The RPO monitor's last verdict: a breach (and its recovery) is audited once, not every 5 minutes. */
export interface RpoState {
  breached: boolean;
  since: string;
  detail: string;
}

/** What the state table holds, by record. */
export interface StateRecords {
  endpoint: EndpointRecord;
  switch: SwitchMark;
  probe: ProbeState;
  rpo: RpoState;
}

/** A record as read, with the ETag a conditional write names. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** Another writer changed (or created, or removed) the record since it was read. Code STATE.CONFLICT. */
export class StateConflictError extends LifeboatError {
  override readonly name = "StateConflictError";
  constructor(message: string) {
    super("STATE.CONFLICT", message);
  }
}

/**
 * Lifeboat's state records (LIFEBOAT_STATE_TABLE, in the backup account) with optimistic
 * concurrency: every write names the version it replaces, so two instances never both
 * win. Errors: StateConflictError when the record is not (or no longer) at the version
 * named; StoreError (STORE.*) when the table cannot be reached or used.
 */
export interface EndpointState {
  /** The record and its ETag, or null when it was never written (or the table does not exist yet). */
  read<K extends keyof StateRecords>(key: K): Promise<Versioned<StateRecords[K]> | null>;
  /**
   * Writes the record: `etag` null creates it and fails when it exists; an ETag replaces
   * exactly that version. Creates the table on first use. Returns the new ETag.
   * Throws StateConflictError when another writer got there first.
   */
  write<K extends keyof StateRecords>(key: K, value: StateRecords[K], etag: string | null): Promise<string>;
  /** Removes the record if it is still at `etag`; nothing when it is gone. Throws StateConflictError when it changed. */
  remove(key: keyof StateRecords, etag: string): Promise<void>;
}

/** The active endpoint as published to applications (the Key Vault secret's JSON). */
export interface PublishedEndpoint {
  tableServiceUri: string;
  blobServiceUri?: string;
  since: string;
  reason: string;
  failoverId: string;
}

/** Where a publication went: each place written, each that failed (and why), or a note when there is nowhere to publish. */
export interface Publication {
  written: string[];
  failed: { where: string; error: string }[];
  note?: string;
}

/**
 * Tells applications the active endpoint: the Key Vault secret LIFEBOAT_ACTIVE_ENDPOINT_SECRET
 * in each vault, or nowhere (development without a vault: the state table alone).
 * `publish` never throws for a vault that fails: it reports it in `failed`.
 */
export interface EndpointPublisher {
  /** Where it publishes, for messages: "Key Vault https://… secret lifeboat-active-endpoint". */
  readonly description: string;
  publish(record: PublishedEndpoint): Promise<Publication>;
  /** The newest published record (the other app may have switched: the standby reads what the primary published). Null when none. Never throws. */
  latest(): Promise<PublishedEndpoint | null>;
}
