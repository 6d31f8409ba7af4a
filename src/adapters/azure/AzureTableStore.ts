import { odata, type TableClient, type TableServiceClient, type TransactionAction } from "@azure/data-tables";
import type { ScanOptions, TableStore, TableWrite } from "../../app/ports/TableStore";
import { parseEntityPage, toSdkEntity } from "../../core/entity-codec";
import { LifeboatError, NotFoundError } from "../../core/errors";
import type { EntityRecord } from "../../core/record";
import { codeOf, statusOf } from "./clients";

/**
 * TableStore over Azure Table Storage (and Azurite). Pages are parsed from the raw
 * response text, not from the SDK's objects, so that number lexemes survive
 * (a Double 2.0 stays a Double) — see core/entity-codec.
 */
export class AzureTableStore implements TableStore {
  readonly #service: TableServiceClient;
  readonly #clientFor: (table: string) => TableClient;
  readonly #clients = new Map<string, TableClient>();

  constructor(service: TableServiceClient, clientFor: (table: string) => TableClient) {
    this.#service = service;
    this.#clientFor = clientFor;
  }

  #client(table: string): TableClient {
    let c = this.#clients.get(table);
    if (!c) {
      c = this.#clientFor(table);
      this.#clients.set(table, c);
    }
    return c;
  }

  async listTables(): Promise<string[]> {
    const names: string[] = [];
    for await (const t of this.#service.listTables()) if (t.name) names.push(t.name);
    return names.sort();
  }

  async tableExists(table: string): Promise<boolean> {
    const it = this.#service.listTables({ queryOptions: { filter: odata`TableName eq ${table}` } });
    for await (const t of it) if (t.name === table) return true;
    return false;
  }

  async createTable(table: string): Promise<void> {
    await this.#service.createTable(table); // the SDK treats 409 TableAlreadyExists as success
  }

  async deleteTable(table: string): Promise<void> {
    try {
      await this.#service.deleteTable(table);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async *scan(table: string, options: ScanOptions = {}): AsyncIterable<EntityRecord[]> {
    const filter = options.since ? `Timestamp ge datetime'${options.since}'` : undefined;
    const select = options.keysOnly ? ["PartitionKey", "RowKey"] : undefined;
    let body: string | undefined;
    const pages = this.#client(table)
      .listEntities({
        queryOptions: { ...(filter ? { filter } : {}), ...(select ? { select } : {}) },
        onResponse: (raw) => {
          body = raw.bodyAsText ?? undefined;
        },
      })
      .byPage({ maxPageSize: options.pageSize ?? 1000 });
    try {
      for await (const page of pages) {
        void page;
        if (body === undefined) throw new LifeboatError("TABLE.READ", `table ${table}: a page arrived without its body`);
        const records = parseEntityPage(body);
        body = undefined;
        if (records.length > 0) yield records;
      }
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new NotFoundError("TABLE.NOT_FOUND", `table ${table} does not exist`, "user", { cause: err });
      }
      throw err;
    }
  }

  async submitBatch(table: string, writes: TableWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const actions: TransactionAction[] = writes.map((w) =>
      w.kind === "upsert"
        ? ["upsert", toSdkEntity(w.record) as { partitionKey: string; rowKey: string }, "Replace"]
        : ["delete", { partitionKey: w.key.pk, rowKey: w.key.rk }],
    );
    const client = this.#client(table);
    try {
      await client.submitTransaction(actions);
    } catch (err) {
      // A delete of a missing entity fails the whole transaction (404). Deleting what is
      // already gone is what was asked for, so redo the batch one write at a time.
      if (statusOf(err) === 404 && writes.some((w) => w.kind === "delete") && codeOf(err) !== "TableNotFound") {
        for (const w of writes) {
          if (w.kind === "upsert") {
            await client.upsertEntity(toSdkEntity(w.record) as { partitionKey: string; rowKey: string }, "Replace");
          } else {
            try {
              await client.deleteEntity(w.key.pk, w.key.rk);
            } catch (e) {
              if (statusOf(e) !== 404) throw e;
            }
          }
        }
        return;
      }
      if (statusOf(err) === 404) {
        throw new NotFoundError("TABLE.NOT_FOUND", `table ${table} does not exist`, "user", { cause: err });
      }
      throw err;
    }
  }
}
