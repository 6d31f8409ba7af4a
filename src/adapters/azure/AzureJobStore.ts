import { odata, type TableClient, type TableEntityResult } from "@azure/data-tables";
import type { JobStore, Versioned } from "../../app/ports/JobStore";
import type { JobRecord, TablePrep, TaskRecord } from "../../core/jobs/job";
import type { RangeTaskRecord } from "../../core/jobs/backup-range";
import { codeOf, statusOf } from "./clients";

type Row = Record<string, unknown>;

/** A string property holds 64 KiB (32K UTF-16 units): a longer body is split over body0, body1, … */
const PART = 30_000;
const JOBS = "job";
/** The row of a fan-out's partition where the backup waiting for it says it is alive. */
const BEAT = "beat";

function bodyProps(value: unknown): Row {
  const json = JSON.stringify(value);
  const props: Row = { parts: Math.max(1, Math.ceil(json.length / PART)) };
  for (let i = 0; i * PART < json.length || i === 0; i++) props[`body${i}`] = json.slice(i * PART, (i + 1) * PART);
  return props;
}

function bodyOf<T>(e: TableEntityResult<Row>): T {
  const parts = typeof e.parts === "number" ? e.parts : 1;
  let json = "";
  for (let i = 0; i < parts; i++) json += String(e[`body${i}`] ?? "");
  return JSON.parse(json) as T;
}

/**
 * Job state in one table: a job is row (`job`, id); its tasks and tables are rows of
 * the job's own partition (`task-<id>`, `table-<name>`); a backup fan-out's range tasks are
 * rows of the fan-out's partition (`range-<id>`). Each record is JSON in `body*`
 * properties, next to the few columns a listing filters on. Creates the table on first write.
 */
export class AzureJobStore implements JobStore {
  readonly description: string;

  constructor(private readonly client: TableClient) {
    this.description = `table ${client.tableName}`;
  }

  async #get<T>(pk: string, rk: string): Promise<Versioned<T> | null> {
    try {
      const e = await this.client.getEntity<Row>(pk, rk);
      return { value: bodyOf<T>(e), etag: e.etag };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /** Runs a first write; creates the table when it is missing, then runs it again (with table-scoped rights a create of an existing table is refused, so only then). */
  async #creatingTable(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (codeOf(err) !== "TableNotFound") throw err;
      await this.client.createTable();
      await write();
    }
  }

  /** Inserts a row; false when it exists. Creates the table on first write. */
  async #insert(pk: string, rk: string, props: Row): Promise<boolean> {
    const entity = { partitionKey: pk, rowKey: rk, ...props };
    try {
      await this.#creatingTable(() => this.client.createEntity(entity));
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw err;
    }
  }

  async #replace(pk: string, rk: string, props: Row, etag: string): Promise<boolean> {
    try {
      await this.client.updateEntity({ partitionKey: pk, rowKey: rk, ...props }, "Replace", { etag });
      return true;
    } catch (err) {
      if (statusOf(err) === 412) return false;
      throw err;
    }
  }

  async #list<T>(pk: string, filter: string): Promise<T[]> {
    const out: T[] = [];
    try {
      for await (const e of this.client.listEntities<Row>({ queryOptions: { filter } })) out.push(bodyOf<T>(e));
    } catch (err) {
      if (codeOf(err) === "TableNotFound" || statusOf(err) === 404) return [];
      throw err;
    }
    return out;
  }

  #rows<T>(pk: string, prefix: string): Promise<T[]> {
    return this.#list<T>(pk, odata`PartitionKey eq ${pk} and RowKey ge ${prefix} and RowKey lt ${`${prefix}~`}`);
  }

  async createJob(job: JobRecord): Promise<void> {
    if (!(await this.#insert(JOBS, job.id, { state: job.state, createdAt: job.createdAt, ...bodyProps(job) }))) throw new Error(`job ${job.id} exists already`);
  }

  getJob(id: string): Promise<Versioned<JobRecord> | null> {
    return this.#get<JobRecord>(JOBS, id);
  }

  updateJob(job: JobRecord, etag: string): Promise<boolean> {
    return this.#replace(JOBS, job.id, { state: job.state, createdAt: job.createdAt, ...bodyProps(job) }, etag);
  }

  async listJobs(since: Date, limit: number): Promise<JobRecord[]> {
    const out = await this.#list<JobRecord>(JOBS, odata`PartitionKey eq ${JOBS} and createdAt ge ${since.toISOString()}`);
    return out.sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, limit);
  }

  async addTask(jobId: string, task: TaskRecord): Promise<void> {
    await this.#insert(jobId, `task-${task.id}`, bodyProps(task));
  }

  getTask(jobId: string, taskId: string): Promise<Versioned<TaskRecord> | null> {
    return this.#get<TaskRecord>(jobId, `task-${taskId}`);
  }

  updateTask(jobId: string, task: TaskRecord, etag?: string): Promise<boolean> {
    return this.#replace(jobId, `task-${task.id}`, bodyProps(task), etag ?? "*");
  }

  listTasks(jobId: string): Promise<TaskRecord[]> {
    return this.#rows<TaskRecord>(jobId, "task-");
  }

  async addTable(jobId: string, prep: TablePrep): Promise<TablePrep> {
    if (await this.#insert(jobId, `table-${prep.table}`, bodyProps(prep))) return prep;
    const stored = await this.#get<TablePrep>(jobId, `table-${prep.table}`);
    if (!stored) throw new Error(`job ${jobId}: table record ${prep.table} vanished`);
    return stored.value;
  }

  async updateTable(jobId: string, prep: TablePrep): Promise<void> {
    await this.#replace(jobId, `table-${prep.table}`, bodyProps(prep), "*");
  }

  listTables(jobId: string): Promise<TablePrep[]> {
    return this.#rows<TablePrep>(jobId, "table-");
  }

  async addRangeTask(task: RangeTaskRecord): Promise<void> {
    await this.#insert(task.fanout, `range-${task.id}`, bodyProps(task));
  }

  getRangeTask(fanout: string, id: string): Promise<Versioned<RangeTaskRecord> | null> {
    return this.#get<RangeTaskRecord>(fanout, `range-${id}`);
  }

  updateRangeTask(task: RangeTaskRecord, etag: string): Promise<boolean> {
    return this.#replace(task.fanout, `range-${task.id}`, bodyProps(task), etag);
  }

  async listRangeTasks(fanout: string): Promise<RangeTaskRecord[]> {
    return (await this.#rows<RangeTaskRecord>(fanout, "range-")).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async deleteRangeTasks(fanout: string): Promise<void> {
    for (const rk of [...(await this.listRangeTasks(fanout)).map((t) => `range-${t.id}`), BEAT]) {
      try {
        await this.client.deleteEntity(fanout, rk);
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
    }
  }

  async beatFanout(fanout: string, at: string): Promise<void> {
    await this.#creatingTable(() => this.client.upsertEntity({ partitionKey: fanout, rowKey: BEAT, at }, "Replace"));
  }

  async listFanouts(): Promise<{ fanout: string; beat: string }[]> {
    const out: { fanout: string; beat: string }[] = [];
    try {
      for await (const e of this.client.listEntities<Row>({ queryOptions: { filter: odata`RowKey eq ${BEAT}`, select: ["PartitionKey", "at"] } })) {
        if (typeof e.at === "string") out.push({ fanout: String(e.partitionKey), beat: e.at });
      }
    } catch (err) {
      if (codeOf(err) === "TableNotFound" || statusOf(err) === 404) return [];
      throw err;
    }
    return out;
  }

  async fanoutBeat(fanout: string): Promise<string | null> {
    try {
      const e = await this.client.getEntity<Row>(fanout, BEAT);
      return typeof e.at === "string" ? e.at : null;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
}
