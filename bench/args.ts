import { parseArgs } from "node:util";

// ---------------------------------------------------------------------------
// Arguments

export interface Args {
  entities: number;
  /** Transaction concurrency of the raw load; undefined = pick by a pre-trial (--concurrency auto). */
  concurrency: number | undefined;
  restoreConcurrency: number | undefined;
  chunkEntities: number | undefined;
  overlapSeconds: number;
  /** Rounds of (raw scan, full backup); backup_vs_scan uses the median of each. */
  repeat: number;
  /** Folder for a .cpuprofile of each Lifeboat phase (this process only). */
  cpuProf: string | undefined;
  /** The container phase (bench/files.ts): "off" (default), "also" after the table phases (--files), "only" (--files-only). */
  files: "off" | "also" | "only";
  /** Small files (1-8 KiB) in the container phase. */
  smallFiles: number;
  /** Size of the container phase's one large file, MiB. */
  bigMiB: number;
  /** Also print the sizing model (bench/model.ts) from the CPU per entity measured in this run. */
  model: boolean;
}

const DEFAULT_CONCURRENCY = 16;

function intArg(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return n;
}

export class UsageError extends Error {}

/** The host this runs on is often shared and noisy: repeat the cheap ceilings by default up to this size. */
export const REPEAT_UP_TO = 200_000;

export function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      entities: { type: "string" },
      concurrency: { type: "string" },
      "restore-concurrency": { type: "string" },
      "chunk-entities": { type: "string" },
      overlap: { type: "string" },
      repeat: { type: "string" },
      "cpu-prof": { type: "string" },
      files: { type: "boolean" },
      "files-only": { type: "boolean" },
      "small-files": { type: "string" },
      "big-mib": { type: "string" },
      model: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stderr.write(
      "usage: npm run bench -- [--entities N (100000)] [--concurrency C|auto (16)] [--restore-concurrency R (LIFEBOAT_RESTORE_CONCURRENCY default)]\n" +
        "                        [--chunk-entities K (LIFEBOAT_CHUNK_ENTITIES default)] [--overlap S (0)] [--repeat K (3 up to 200k entities, else 1)] [--cpu-prof DIR]\n" +
        "                        [--files | --files-only] [--small-files N (1000)] [--big-mib M (256)]\n" +
        "  --model       also print the sizing model for 1M-100M-entity tables from the CPU per entity measured in this run\n" +
        "  --files       also run the container phase (bench/files.ts) after the table phases; --files-only runs only it\n" +
        "                (--repeat then counts its rounds of sequential download + full backup, default 3)\n",
    );
    process.exit(0);
  }
  const entities = intArg("entities", values.entities, 100, 100_000_000) ?? 100_000;
  return {
    entities,
    // 16 = Lifeboat's default restore concurrency, so the ceiling is measured like for like;
    // "auto" picks the fastest of 4/8/16/32 on a small pre-trial instead.
    concurrency: values.concurrency === "auto" ? undefined : (intArg("concurrency", values.concurrency, 1, 256) ?? DEFAULT_CONCURRENCY),
    restoreConcurrency: intArg("restore-concurrency", values["restore-concurrency"], 1, 64),
    chunkEntities: intArg("chunk-entities", values["chunk-entities"], 100, 100_000),
    overlapSeconds: intArg("overlap", values.overlap, 0, 86_400) ?? 0,
    repeat: intArg("repeat", values.repeat, 1, 20) ?? (entities <= REPEAT_UP_TO ? 3 : 1),
    cpuProf: values["cpu-prof"],
    files: values["files-only"] ? "only" : values.files ? "also" : "off",
    smallFiles: intArg("small-files", values["small-files"], 1, 100_000) ?? 1000,
    bigMiB: intArg("big-mib", values["big-mib"], 0, 4096) ?? 256,
    model: values.model === true,
  };
}

