import type { TableClient } from "@azure/data-tables";
import { StateConflictError, type EndpointState, type StateRecords, type Versioned } from "../../app/ports/EndpointState";
import { LifeboatError } from "../../core/errors";
import { codeOf, statusOf } from "./clients";

/** Every state record lives in this partition, one row per record. */
const PARTITION = "lifeboat";

interface Row {
  partitionKey: string;
  rowKey: string;
  json?: unknown;
  etag?: string;
}

function isTableMissing(err: unknown): boolean {
  return statusOf(err) === 404 && codeOf(err) === "TableNotFound";
}

/**
 * The state records in an Azure table (LIFEBOAT_STATE_TABLE): one row per record, its
 * value as JSON in `json`. Creates are inserts (409 when the row exists) and updates and
 * deletes name the ETag (412 when it changed), so concurrent writers never both win: the
 * loser gets StateConflictError. The table is created on first write.
 */
export class AzureEndpointState implements EndpointState {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  async read<K extends keyof StateRecords>(key: K): Promise<Versioned<StateRecords[K]> | null> {
    let row: Row;
    try {
      row = await this.#table.getEntity<Row>(PARTITION, key);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
    if (typeof row.json !== "string" || !row.etag) throw new LifeboatError("DATA.ENTITY_FORMAT", `state record ${key} in ${this.#table.tableName} has no JSON value`);
    let value: StateRecords[K];
    try {
      value = JSON.parse(row.json) as StateRecords[K];
    } catch {
      throw new LifeboatError("DATA.ENTITY_FORMAT", `state record ${key} in ${this.#table.tableName} is not JSON`);
    }
    return { value, etag: row.etag };
  }

  async write<K extends keyof StateRecords>(key: K, value: StateRecords[K], etag: string | null): Promise<string> {
    const entity = { partitionKey: PARTITION, rowKey: key, json: JSON.stringify(value) };
    const once = async (): Promise<string | undefined> =>
      etag === null ? (await this.#table.createEntity(entity)).etag : (await this.#table.updateEntity(entity, "Replace", { etag })).etag;
    try {
      let got: string | undefined;
      try {
        got = await once();
      } catch (err) {
        if (!isTableMissing(err) || etag !== null) throw err;
        await this.#table.createTable();
        got = await once();
      }
      if (got) return got;
      const fresh = await this.read(key);
      if (!fresh) throw new StateConflictError(`state record ${key} vanished right after it was written`);
      return fresh.etag;
    } catch (err) {
      const s = statusOf(err);
      if (s === 409 || s === 412 || (s === 404 && !isTableMissing(err))) {
        throw new StateConflictError(`state record ${key} was ${etag === null ? "created" : "changed"} by another writer (${s})`);
      }
      throw err;
    }
  }

  async remove(key: keyof StateRecords, etag: string): Promise<void> {
    try {
      await this.#table.deleteEntity(PARTITION, key, { etag });
    } catch (err) {
      const s = statusOf(err);
      if (s === 404) return;
      if (s === 412) throw new StateConflictError(`state record ${key} was changed by another writer before it could be removed`);
      throw err;
    }
  }
}
