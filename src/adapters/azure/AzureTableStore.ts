import { odata, type TableClient, type TableServiceClient, type TransactionAction } from "@azure/data-tables";
import { BatchRejectedError, TransientWriteError, type ScanOptions, type TableStore, type TableWrite } from "../../app/ports/TableStore";
import { parseEntityPage, toSdkEntity } from "../../core/entity/codec";
import { LifeboatError, NotFoundError } from "../../core/errors";
import type { EntityKey, EntityRecord } from "../../core/entity/record";
import { codeOf, statusOf } from "./clients";

type PipelinePolicy = Parameters<TableClient["pipeline"]["addPolicy"]>[0];

/** Query response bodies taken out of the pipeline, by request (see takeQueryBody). */
const takenBodies = new WeakMap<object, string>();
const EMPTY_QUERY_PAGE = '{"value":[]}';

/**
 * For the clients that only scan: takes a successful query's body text before the SDK
 * deserializes it (into objects nothing reads: pages are parsed from the text) and hands
 * the SDK an empty page instead. Continuation tokens come from the headers, which are
 * left alone; errors (non-200) pass through untouched. Saves a JSON.parse and the SDK's
 * per-entity conversion of every page, about a sixth of a full backup's CPU.
 */
const takeQueryBody: PipelinePolicy = {
  name: "lifeboatTakeQueryBody",
  async sendRequest(request, next) {
    const response = await next(request);
    if (request.method === "GET" && response.status === 200 && typeof response.bodyAsText === "string") {
      takenBodies.set(request, response.bodyAsText);
      response.bodyAsText = EMPTY_QUERY_PAGE;
    }
    return response;
  },
};

/**
 * TableStore over Azure Table Storage (and Azurite). Pages are parsed from the raw
 * response text, not from the SDK's objects, so that number lexemes survive
 * (a Double 2.0 stays a Double) — see core/entity-codec.
 */
export class AzureTableStore implements TableStore {
  readonly #service: TableServiceClient;
  readonly #clientFor: (table: string, retries: boolean) => TableClient;
  readonly #clients = new Map<string, TableClient>();
  /** Clients used only by scan(), with takeQueryBody in their pipeline. */
  readonly #scanClients = new Map<string, TableClient>();

  /** `clientFor(table, retries)`: a client whose pipeline retries (scans, reads) or does not (transactions). */
  constructor(service: TableServiceClient, clientFor: (table: string, retries: boolean) => TableClient) {
    this.#service = service;
    this.#clientFor = clientFor;
  }

  #client(table: string): TableClient {
    let c = this.#clients.get(table);
    if (!c) {
      c = this.#clientFor(table, false);
      this.#clients.set(table, c);
    }
    return c;
  }

  #scanClient(table: string): TableClient {
    let c = this.#scanClients.get(table);
    if (!c) {
      c = this.#clientFor(table, true);
      // After deserialization in the pipeline's order, so it sees the response first.
      c.pipeline.addPolicy(takeQueryBody, { afterPhase: "Deserialize" });
      this.#scanClients.set(table, c);
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

  scan(table: string, options: ScanOptions = {}): AsyncIterable<EntityRecord[]> {
    const parts = [
      ...(options.since ? [`Timestamp ge datetime'${options.since}'`] : []),
      ...(options.partitions?.from !== undefined ? [odata`PartitionKey ge ${options.partitions.from}`] : []),
      ...(options.partitions?.before !== undefined ? [odata`PartitionKey lt ${options.partitions.before}`] : []),
    ];
    const filter = parts.length > 0 ? parts.join(" and ") : undefined;
    // Timestamp too: an incremental finds the entities written while it ran by it.
    const select = options.keysOnly ? ["PartitionKey", "RowKey", "Timestamp"] : undefined;
    return this.#query(table, filter, select, options.pageSize ?? 1000, options.onServiceTime);
  }

  async read(table: string, key: EntityKey): Promise<EntityRecord | null> {
    // A query naming both keys is a point query: the same exact-value parsing as a scan.
    for await (const page of this.#query(table, odata`PartitionKey eq ${key.pk} and RowKey eq ${key.rk}`, undefined, 1)) {
      const r = page.find((e) => e.pk === key.pk && e.rk === key.rk);
      if (r) return r;
    }
    return null;
  }

  async *#query(
    table: string,
    filter: string | undefined,
    select: string[] | undefined,
    pageSize: number,
    onServiceTime?: (d: Date) => void,
  ): AsyncIterable<EntityRecord[]> {
    let body: string | undefined;
    let timed = onServiceTime === undefined;
    const pages = this.#scanClient(table)
      .listEntities({
        queryOptions: { ...(filter ? { filter } : {}), ...(select ? { select } : {}) },
        onResponse: (raw) => {
          body = takenBodies.get(raw.request) ?? raw.bodyAsText ?? undefined;
          if (!timed) {
            timed = true;
            const date = new Date(raw.headers.get("date") ?? "");
            if (!Number.isNaN(date.getTime())) onServiceTime?.(date);
          }
        },
      })
      .byPage({ maxPageSize: pageSize });
    const it = pages[Symbol.asyncIterator]();
    // One page ahead: the request for page k+1 is in flight while page k is parsed and
    // consumed, so the service and this process work at the same time. (The next request
    // needs page k's continuation token, so more than one ahead is not possible.)
    let ahead: Promise<IteratorResult<unknown>> | undefined = it.next();
    try {
      while (ahead) {
        const r = await ahead;
        ahead = undefined;
        if (r.done) break;
        // Taken before the next request is sent: only then can onResponse overwrite it.
        const text = body;
        body = undefined;
        if (text === undefined) throw new LifeboatError("TABLE.READ", `table ${table}: a page arrived without its body`);
        ahead = it.next();
        ahead.catch(() => undefined); // awaited on the next turn; this only keeps an early failure from being "unhandled"
        // Let the request reach the socket before parsing: the HTTP client writes it from
        // process.nextTick callbacks, which would otherwise wait until the consumer's chain
        // of already-resolved awaits (a whole page) has run.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const records = parseEntityPage(text);
        if (records.length > 0) yield records;
      }
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new NotFoundError("TABLE.NOT_FOUND", `table ${table} does not exist`, { cause: err });
      }
      throw err;
    } finally {
      // The consumer stopped early (or failed): let the prefetch settle, then close the SDK iterator.
      if (ahead) await ahead.catch(() => undefined);
      await it.return?.();
    }
  }

  /**
   * One attempt, mapped to the port's errors (BatchRejectedError, TransientWriteError,
   * NotFoundError); the transaction client does not retry by itself, so that a batch the
   * service refuses for its content is not sent again and again (RetryingTableStore
   * retries what may pass).
   */
  async submitBatch(table: string, writes: TableWrite[]): Promise<void> {
    try {
      await this.#submit(table, writes);
    } catch (err) {
      throw writeError(err, table);
    }
  }

  async #submit(table: string, writes: TableWrite[]): Promise<void> {
    if (writes.length === 0) return;
    // One write needs no transaction, and some content is refused only inside one
    // (Azurite: a string holding U+2028), so a write split out of a refused batch goes alone.
    if (writes.length === 1) return this.#writeOne(this.#client(table), writes[0]!);
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
        for (const w of writes) await this.#writeOne(client, w);
        return;
      }
      throw err;
    }
  }

  /** One write without a transaction; deleting what is already gone succeeds. */
  async #writeOne(client: TableClient, w: TableWrite): Promise<void> {
    if (w.kind === "upsert") {
      await client.upsertEntity(toSdkEntity(w.record) as { partitionKey: string; rowKey: string }, "Replace");
      return;
    }
    try {
      await client.deleteEntity(w.key.pk, w.key.rk);
    } catch (e) {
      if (statusOf(e) !== 404 || codeOf(e) === "TableNotFound") throw e;
    }
  }
}

/** Statuses a later attempt may not see: throttled, timed out, busy, a server error. */
const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);
/** Statuses that reject the writes themselves: bad content, a conflict, too large. */
const REJECTED = new Set([400, 409, 413]);

/**
 * A failed write as the port's error. The service's message for a rejected transaction
 * starts with the failing write's index ("1:The property value exceeds …") and ends with
 * request id and time lines, which are dropped. Other errors (403 and the like) pass
 * through unchanged. The SDK's error is not kept as the cause: it holds the request
 * body, which is customer data.
 */
function writeError(err: unknown, table: string): unknown {
  const status = statusOf(err);
  const code = codeOf(err);
  if (status === 404 && (code === "TableNotFound" || code === undefined)) {
    return new NotFoundError("TABLE.NOT_FOUND", `table ${table} does not exist`, { cause: err });
  }
  if (status === undefined) {
    const network = typeof code === "string" && /^(REQUEST_SEND_ERROR|E[A-Z_]+)$/.test(code);
    const aborted = err instanceof Error && err.name === "AbortError";
    if (network || aborted) return new TransientWriteError(undefined, `table ${table}: ${code ?? "aborted"}: the request did not complete`);
    return err;
  }
  const text = err instanceof Error ? err.message : "";
  if (TRANSIENT.has(status)) return new TransientWriteError(status, `table ${table}: ${status}${code ? ` ${code}` : ""}${text ? `: ${firstLine(text)}` : ""}`);
  if (REJECTED.has(status)) {
    const m = /^(\d+):([\s\S]*)$/.exec(text);
    const index = m ? Number(m[1]) : undefined;
    return new BatchRejectedError(status, code, firstLine(m ? (m[2] ?? "") : text) || "rejected", true, index);
  }
  return err;
}

/** The service's message without its RequestId/Time lines, on one line, at most 300 characters. */
function firstLine(text: string): string {
  return text.split(/\n(?:RequestId|Time):/)[0]!.replace(/\s+/g, " ").trim().slice(0, 300);
}
