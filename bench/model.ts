/**
 * The sizing model (`npm run bench -- --model`): how long a full backup, an incremental
 * with 0.1% changes and a verified restore take on Azure for tables of 1M, 10M and 100M
 * entities of ~1 KB, with 1, 4 and 16 Function instances, from Lifeboat's CPU per entity
 * (measured by the bench on this machine) and Azure's published scalability targets.
 * Pure: the figures in, the table out.
 */
import { BACKUP_DEFAULTS } from "../src/config/backup";

/** CPU time Lifeboat spends per entity (µs of one core), as the bench measured it. */
export interface MeasuredCpu {
  /** Full backup: scan, encode, hash, gzip, encrypt, upload. */
  backupUs: number;
  /** Incremental: the change scan and the keys-only scan, per entity of the whole table. */
  incrementalUs: number;
  /** Restore end to end: read, decode, write, verify, per entity. */
  restoreUs: number;
}

/** What the model assumes of Azure (each printed with the table). */
export const AZURE = {
  /** Scalability target of one storage account, 1 KiB entities (each entity written counts). */
  accountEntitiesPerSecond: 20_000,
  /** Target of one table partition. */
  partitionEntitiesPerSecond: 2_000,
  /** One query stream: pages of 1,000 entities, one after the other (continuation tokens); ~50 ms a page. */
  streamEntitiesPerSecond: 20_000,
  /** A Flex Consumption instance (2,048 MB) runs the worker on about one core. */
  coresPerInstance: 1,
} as const;

export const SIZES = [1_000_000, 10_000_000, 100_000_000] as const;
export const INSTANCES = [1, 4, 16] as const;

export interface SizingRow {
  entities: number;
  instances: number;
  fullBackupMinutes: number;
  incrementalMinutes: number;
  restoreMinutes: number;
}

const perCore = (us: number): number => 1e6 / Math.max(us, 0.01);

/** What the model can be asked to vary. */
export interface ModelOptions {
  /** Partitions the tables spread over (restores write them at once). */
  partitions?: number;
  /** PartitionKey ranges a scan reads at once (LIFEBOAT_SCAN_CONCURRENCY). */
  scanConcurrency?: number;
  /** One query stream's rate, entities/s (AZURE.streamEntitiesPerSecond unless given). */
  streamEntitiesPerSecond?: number;
  /** Tables from this many entities fan their full and key scans out over the instances (LIFEBOAT_FANOUT_ENTITIES, default 5M). */
  fanoutEntities?: number;
  /**
   * What caps a scan at the account (entities/s; AZURE.accountEntitiesPerSecond unless given):
   * Infinity models the reading where a query page counts as one transaction.
   */
  scanAccountEntitiesPerSecond?: number;
}

const DEFAULT_FANOUT_ENTITIES = BACKUP_DEFAULTS.LIFEBOAT_FANOUT_ENTITIES;

/** A scan over `instances` instances (1 unless it fans out): `scanConcurrency` streams each, capped by the account and by the CPU per entity. */
function scanRate(us: number, o: ModelOptions, instances = 1): number {
  const streams = instances * (o.scanConcurrency ?? 4) * (o.streamEntitiesPerSecond ?? AZURE.streamEntitiesPerSecond);
  return Math.min(o.scanAccountEntitiesPerSecond ?? AZURE.accountEntitiesPerSecond, streams, instances * perCore(us) * AZURE.coresPerInstance);
}

/** Instances a backup's scans of a table this size run on: all of them past the fan-out threshold, else one. */
const backupInstances = (entities: number, instances: number, o: ModelOptions): number => (entities >= (o.fanoutEntities ?? DEFAULT_FANOUT_ENTITIES) ? instances : 1);

/** Seconds an incremental takes per entity of the table: the change scan on one instance, the key scan over `instances`. */
const incrementalPerEntity = (us: number, o: ModelOptions, instances: number): number => 1 / scanRate(us, o) + 1 / scanRate(us, o, instances);

/**
 * The model. A backup's scans read `scanConcurrency` PartitionKey ranges at once, bound by
 * the account's rate and by one core; for a table past the fan-out threshold the full scan
 * and the key scan run as range tasks over every instance (bound by the account's rate and
 * the instances' cores), the change scan stays on one. An incremental reads the whole table
 * twice on the service side (the Timestamp filter is a server-side scan; the keys-only scan
 * finds deletions), so its time grows with the table, not the changes. A restore job's
 * writes fan out over instances (one task per data file), bound by the account and by the
 * partitions (assumed at least `partitions` spread evenly); its verification is a range scan
 * on one instance.
 */
export function sizingModel(cpu: MeasuredCpu, options: ModelOptions = {}): SizingRow[] {
  const partitions = options.partitions ?? 1_000;
  const rows: SizingRow[] = [];
  for (const entities of SIZES) {
    for (const instances of INSTANCES) {
      const spread = backupInstances(entities, instances, options);
      const fullBackup = entities / scanRate(cpu.backupUs, options, spread);
      const incremental = entities * incrementalPerEntity(cpu.incrementalUs, options, spread);
      const writeRate = Math.min(AZURE.accountEntitiesPerSecond, partitions * AZURE.partitionEntitiesPerSecond, instances * AZURE.coresPerInstance * perCore(cpu.restoreUs));
      const restore = entities / writeRate + entities / scanRate(cpu.restoreUs, options);
      rows.push({ entities, instances, fullBackupMinutes: fullBackup / 60, incrementalMinutes: incremental / 60, restoreMinutes: restore / 60 });
    }
  }
  return rows;
}

/** The largest table whose incremental fits the RPO, and whose verified restore fits the RTO with `instances`. */
export function limits(cpu: MeasuredCpu, rpoMinutes: number, rtoMinutes: number, instances: number, options: ModelOptions = {}): { rpoEntities: number; rtoEntities: number } {
  const partitions = options.partitions ?? 1_000;
  // Past the fan-out threshold the key scan spreads over the instances: the line is where the table fits either way.
  const fanned = Math.floor((rpoMinutes * 60) / incrementalPerEntity(cpu.incrementalUs, options, instances));
  const rpoEntities = fanned >= (options.fanoutEntities ?? DEFAULT_FANOUT_ENTITIES) ? fanned : Math.floor((rpoMinutes * 60) / incrementalPerEntity(cpu.incrementalUs, options, 1));
  const writeRate = Math.min(AZURE.accountEntitiesPerSecond, partitions * AZURE.partitionEntitiesPerSecond, instances * perCore(cpu.restoreUs));
  const perEntityRestore = 1 / writeRate + 1 / scanRate(cpu.restoreUs, options);
  return { rpoEntities, rtoEntities: Math.floor((rtoMinutes * 60) / perEntityRestore) };
}

const fmtMin = (m: number): string => (m >= 120 ? `${(m / 60).toFixed(1)} h` : `${m.toFixed(m < 10 ? 1 : 0)} min`);
const fmtN = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M` : `${Math.round(n / 1000)}k`);

/** The model as text: assumptions, the table, and where the objectives stop holding. */
export function renderModel(cpu: MeasuredCpu, rpoMinutes = 15, rtoMinutes = 120, options: ModelOptions = {}): string {
  const ranges = options.scanConcurrency ?? 4;
  const out: string[] = [];
  out.push(`Sizing model (1 KB entities) from the CPU measured here: backup ${cpu.backupUs.toFixed(1)} µs/entity, incremental ${cpu.incrementalUs.toFixed(1)} µs/entity of the table, restore ${cpu.restoreUs.toFixed(1)} µs/entity`);
  out.push(`assumes: ${AZURE.accountEntitiesPerSecond.toLocaleString("en-US")} entities/s per account, ${AZURE.partitionEntitiesPerSecond.toLocaleString("en-US")} per partition (1,000 partitions), one query stream ${(options.streamEntitiesPerSecond ?? AZURE.streamEntitiesPerSecond).toLocaleString("en-US")} entities/s (1,000-entity pages), ${ranges} range(s) read at once (LIFEBOAT_SCAN_CONCURRENCY), 100 writes per transaction, ${AZURE.coresPerInstance} core per instance, tables from ${fmtN(options.fanoutEntities ?? DEFAULT_FANOUT_ENTITIES)} entities fan their full and key scans out over the instances (LIFEBOAT_FANOUT_ENTITIES)`);
  out.push("");
  out.push("| entities | instances | full backup | incremental (0.1% changed) | verified restore |");
  out.push("|---:|---:|---:|---:|---:|");
  for (const r of sizingModel(cpu, options)) out.push(`| ${fmtN(r.entities)} | ${r.instances} | ${fmtMin(r.fullBackupMinutes)} | ${fmtMin(r.incrementalMinutes)} | ${fmtMin(r.restoreMinutes)} |`);
  out.push("");
  for (const n of INSTANCES) {
    const l = limits(cpu, rpoMinutes, rtoMinutes, n, options);
    out.push(`with ${n} instance(s): the ${rpoMinutes}-minute RPO holds up to ~${fmtN(l.rpoEntities)} entities per account (an incremental must finish within it); the ${rtoMinutes}-minute RTO up to ~${fmtN(l.rtoEntities)} (a verified restore)`);
  }
  out.push(
    "counted per entity, the account's rate is the limit: one instance's backup already nearly reaches it, so fanning out buys little, and range-parallel scans (LIFEBOAT_SCAN_CONCURRENCY) help only when one stream is slower than that. LIFEBOAT_RESTORE_CONCURRENCY and the instance count move the RTO line; the table size per account moves the RPO line (split tables over accounts, or lengthen the incremental schedule and accept a larger RPO)",
  );
  // The other reading of Azure's target: a query page is one transaction, so scans are bound by the streams and the cores.
  const perPage = { ...options, scanAccountEntitiesPerSecond: Infinity };
  const lines = INSTANCES.map((n) => `${n}: ~${fmtN(limits(cpu, rpoMinutes, rtoMinutes, n, perPage).rpoEntities)}`).join(", ");
  out.push(`if Azure counts a query page as one transaction instead, scans are bound by the streams and the cores, and the fan-out moves the RPO line: with 1, 4, 16 instances ${lines} entities per account`);
  return out.join("\n") + "\n";
}
