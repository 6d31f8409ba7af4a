import { odata, type TableClient, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import type { AuditHead, AuditLog, DayRange, StoredAuditRow } from "../../app/ports/AuditLog";
import { AuditConflictError } from "../../app/ports/AuditLog";
import { AUDIT_OUTCOMES, canonicalJson, rowKeyOf, seqOfRowKey, type AuditEntry, type AuditOutcome, type AuditTarget, type JsonObject } from "../../core/audit/chain";
import { codeOf, statusOf } from "./clients";

/** Row key of a partition's head row: sorts after every zero-padded entry row key. */
export const HEAD_ROW = "head";

type Row = Record<string, unknown>;

function headOf(e: TableEntityResult<Row>): AuditHead | null {
  const seq = e.seq;
  const hash = e.hash;
  const time = e.time;
  if (typeof seq !== "number" || typeof hash !== "string" || typeof time !== "string" || typeof e.partitionKey !== "string") return null;
  return {
    day: e.partitionKey,
    seq,
    hash,
    time,
    sealed: e.sealed === true,
    next: typeof e.next === "string" ? e.next : null,
    etag: e.etag,
  };
}

function entryRow(day: string, e: AuditEntry): Row & { partitionKey: string; rowKey: string } {
  return {
    partitionKey: day,
    rowKey: rowKeyOf(e.seq),
    v: 1,
    time: e.time,
    operator: e.operator,
    action: e.action,
    target: canonicalJson(e.target),
    outcome: e.outcome,
    durationMs: e.durationMs,
    ...(e.error === null ? {} : { error: e.error }),
    details: canonicalJson(e.details),
    prevHash: e.prevHash,
    kekId: e.kekId,
    hash: e.hash,
    mac: e.mac,
  };
}

function parseRow(e: TableEntityResult<Row>): StoredAuditRow {
  const day = String(e.partitionKey);
  const rowKey = String(e.rowKey);
  const bad = (why: string): StoredAuditRow => ({ day, rowKey, malformed: why });
  const seq = seqOfRowKey(rowKey);
  if (seq === null) return bad("row key is not a sequence number");
  const str = (k: string): string | undefined => (typeof e[k] === "string" ? (e[k] as string) : undefined);
  const fields = ["time", "operator", "action", "outcome", "prevHash", "kekId", "hash", "mac", "target", "details"] as const;
  for (const f of fields) if (str(f) === undefined) return bad(`${f} is missing or not text`);
  if (typeof e.durationMs !== "number") return bad("durationMs is missing or not a number");
  if (e.error !== undefined && e.error !== null && typeof e.error !== "string") return bad("error is not text");
  if (!AUDIT_OUTCOMES.includes(str("outcome") as AuditOutcome)) return bad(`outcome ${JSON.stringify(str("outcome"))} is not one of ${AUDIT_OUTCOMES.join(", ")}`);
  let target: unknown;
  let details: unknown;
  try {
    target = JSON.parse(str("target")!);
    details = JSON.parse(str("details")!);
  } catch {
    return bad("target or details is not JSON");
  }
  if (typeof target !== "object" || target === null || Array.isArray(target)) return bad("target is not an object");
  if (typeof details !== "object" || details === null || Array.isArray(details)) return bad("details is not an object");
  const entry: AuditEntry = {
    seq,
    time: str("time")!,
    operator: str("operator")!,
    // Any text: an action this version does not know is still hashed and checked.
    action: str("action") as AuditEntry["action"],
    target: target as AuditTarget,
    outcome: str("outcome") as AuditOutcome,
    durationMs: e.durationMs,
    error: typeof e.error === "string" ? e.error : null,
    details: details as JsonObject,
    prevHash: str("prevHash")!,
    kekId: str("kekId")!,
    hash: str("hash")!,
    mac: str("mac")!,
  };
  return { day, rowKey, entry };
}

/** Partition of the row that records the chain's first day (sorts after every day). */
const CHAIN_PARTITION = "chain";
const GENESIS_ROW = "genesis";

function rangeFilter(range: DayRange | undefined, rowFilter: string): string {
  const parts = [rowFilter];
  if (range?.fromDay) parts.push(odata`PartitionKey ge ${range.fromDay}`);
  // Day partitions only: the upper bound also keeps the "chain" partition out.
  parts.push(odata`PartitionKey le ${range?.toDay ?? "9999-12-31"}`);
  return parts.join(" and ");
}

function isTableMissing(err: unknown): boolean {
  return statusOf(err) === 404 && (codeOf(err) === "TableNotFound" || codeOf(err) === undefined);
}

/**
 * The audit chain in an Azure table: partition = UTC day, row key = zero-padded seq,
 * plus a "head" row per partition. Appends are entity-group transactions guarded by
 * the head's ETag, so concurrent writers (any number of Functions instances) never
 * fork the chain; the loser gets AuditConflictError and retries. The table is created
 * on first commit.
 */
export class AzureAuditLog implements AuditLog {
  readonly description: string;
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
    this.description = `table:${table.tableName}`;
  }

  async readHead(day: string): Promise<AuditHead | null> {
    try {
      return headOf(await this.#table.getEntity<Row>(day, HEAD_ROW));
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async listHeads(range?: DayRange): Promise<AuditHead[]> {
    const out: AuditHead[] = [];
    try {
      const filter = rangeFilter(range, odata`RowKey eq ${HEAD_ROW}`);
      for await (const e of this.#table.listEntities<Row>({ queryOptions: { filter } })) {
        const h = headOf(e);
        if (h) out.push(h);
      }
    } catch (err) {
      if (isTableMissing(err)) return [];
      throw err;
    }
    return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  }

  async commit(day: string, entries: AuditEntry[], expect: { etag: string } | "new"): Promise<AuditHead> {
    const last = entries.at(-1);
    if (!last) throw new RangeError("commit: no entries");
    const head = { partitionKey: day, rowKey: HEAD_ROW, seq: last.seq, hash: last.hash, time: last.time, sealed: false };
    const actions: TransactionAction[] = entries.map((e) => ["create", entryRow(day, e)] as TransactionAction);
    actions.push(expect === "new" ? ["create", head] : ["update", head, "Replace", { etag: expect.etag }]);
    const submit = async (): Promise<string | undefined> => (await this.#table.submitTransaction(actions)).getResponseForEntity(HEAD_ROW)?.etag;
    let etag: string | undefined;
    try {
      try {
        etag = await submit();
      } catch (err) {
        if (codeOf(err) !== "TableNotFound") throw err;
        await this.#table.createTable();
        etag = await submit();
      }
    } catch (err) {
      const s = statusOf(err);
      // 404 here is the head row gone between read and write: also a lost race.
      if (s === 409 || s === 412 || (s === 404 && codeOf(err) !== "TableNotFound")) {
        throw new AuditConflictError(`${this.description}: lost the race to append seq ${entries[0]!.seq} on ${day} (${s})`, { cause: err });
      }
      throw err;
    }
    if (!etag) {
      const fresh = await this.readHead(day);
      if (!fresh) throw new AuditConflictError(`${this.description}: head of ${day} vanished after a commit`);
      return fresh;
    }
    return { day, seq: last.seq, hash: last.hash, time: last.time, sealed: false, next: null, etag };
  }

  async seal(head: AuditHead, next: string): Promise<AuditHead> {
    try {
      const r = await this.#table.updateEntity(
        { partitionKey: head.day, rowKey: HEAD_ROW, seq: head.seq, hash: head.hash, time: head.time, sealed: true, next },
        "Replace",
        { etag: head.etag },
      );
      return { ...head, sealed: true, next, etag: r.etag ?? "" };
    } catch (err) {
      const s = statusOf(err);
      if (s === 412 || s === 404 || s === 409) {
        throw new AuditConflictError(`${this.description}: head of ${head.day} changed before it could be sealed (${s})`, { cause: err });
      }
      throw err;
    }
  }

  async claimGenesis(day: string): Promise<string> {
    const entity = { partitionKey: CHAIN_PARTITION, rowKey: GENESIS_ROW, day };
    try {
      try {
        await this.#table.createEntity(entity);
      } catch (err) {
        if (!isTableMissing(err)) throw err;
        await this.#table.createTable();
        await this.#table.createEntity(entity);
      }
      return day;
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    const got = await this.#table.getEntity<Row>(CHAIN_PARTITION, GENESIS_ROW);
    if (typeof got.day !== "string") throw new AuditConflictError(`${this.description}: the genesis row names no day`);
    return got.day;
  }

  async *rows(range?: DayRange): AsyncIterable<StoredAuditRow> {
    const filter = rangeFilter(range, odata`RowKey ne ${HEAD_ROW}`);
    const it = this.#table.listEntities<Row>({ queryOptions: { filter } });
    try {
      for await (const e of it) yield parseRow(e);
    } catch (err) {
      if (isTableMissing(err)) return;
      throw err;
    }
  }
}
