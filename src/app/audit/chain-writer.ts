import type { AuditHead, AuditLog } from "../ports/AuditLog";
import { AuditConflictError } from "../ports/AuditLog";
import type { KeyProvider } from "../ports/KeyProvider";
import {
  addDays,
  dayOf,
  entryMacKey,
  GENESIS_HASH,
  laterOf,
  sealEntry,
  startOfDay,
  type AuditDraft,
  type AuditEntry,
} from "../../core/audit/chain";
import { LifeboatError } from "../../core/errors";

/** Attempts before an append under contention gives up (loudly). */
export const MAX_APPEND_ATTEMPTS = 40;
/** Entries committed in one entity-group transaction (the service allows 100 operations, one is the head). */
export const MAX_BATCH_ENTRIES = 50;
/** Bytes (roughly) of entries per transaction; the service allows 4 MiB. */
const MAX_BATCH_BYTES = 2 * 1024 * 1024;

interface Pending {
  draft: AuditDraft;
  size: number;
  resolve: (e: AuditEntry) => void;
  reject: (err: unknown) => void;
}

/** Dependencies of {@link ChainWriter}. */
export interface ChainWriterDeps {
  log: AuditLog;
  keys: KeyProvider;
  now: () => Date;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Appends entries to the audit chain, safely under any number of concurrent writers.
 *
 * Correctness rests on the table, not on this process: each append is one
 * entity-group transaction in the day's partition that inserts the entry (row key =
 * seq, so two writers of the same seq collide) and replaces the day's head only if its
 * ETag is unchanged. Moving to a new UTC day first seals the old head (ETag-guarded,
 * naming the new day), so a writer still holding the old head fails instead of forking;
 * then the new day's head and first entry are inserted together (a second creator gets
 * 409). The very first entry claims a "genesis" row first, so two writers whose clocks
 * straddle midnight cannot start two chains. A loser re-reads and retries with jittered
 * backoff. Inside one process, appends are queued and committed in batches, which keeps
 * contention (and cost) down; that queue is an optimization, not the guard.
 *
 * Entry times never go backwards: an entry is stamped max(clock, previous entry time),
 * so a writer whose clock lags appends to the current day instead of an older one.
 */
export class ChainWriter {
  readonly #log: AuditLog;
  readonly #keys: KeyProvider;
  readonly #now: () => Date;
  readonly #macKeys = new Map<string, Buffer>();
  /** Last head this writer saw; undefined when it must be read. */
  #head: AuditHead | null | undefined;
  #queue: Pending[] = [];
  #flushing = false;

  constructor(deps: ChainWriterDeps) {
    this.#log = deps.log;
    this.#keys = deps.keys;
    this.#now = deps.now;
  }

  /**
   * Links a draft into the chain and stores it. Resolves with the stored entry.
   * Rejects with the storage or key provider's error, or LifeboatError AUDIT.CONTENDED
   * after {@link MAX_APPEND_ATTEMPTS} lost races; the entry is then not stored.
   */
  append(draft: AuditDraft): Promise<AuditEntry> {
    return new Promise<AuditEntry>((resolve, reject) => {
      const size = JSON.stringify(draft).length * 2 + 1024;
      this.#queue.push({ draft, size, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  /** The latest head of the chain, read from storage now (null when the chain is empty). */
  async currentHead(): Promise<AuditHead | null> {
    const h = await this.#findHead();
    this.#head = h;
    return h;
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) {
        const batch: Pending[] = [];
        let bytes = 0;
        while (this.#queue.length > 0 && batch.length < MAX_BATCH_ENTRIES && (batch.length === 0 || bytes + this.#queue[0]!.size <= MAX_BATCH_BYTES)) {
          const p = this.#queue.shift()!;
          bytes += p.size;
          batch.push(p);
        }
        try {
          const entries = await this.#appendBatch(batch.map((p) => p.draft));
          batch.forEach((p, i) => p.resolve(entries[i]!));
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #macKey(): Promise<{ id: string; key: Buffer }> {
    const kek = await this.#keys.active();
    let key = this.#macKeys.get(kek.id);
    if (!key) {
      key = entryMacKey(kek.key.reveal(), kek.id);
      this.#macKeys.set(kek.id, key);
    }
    return { id: kek.id, key };
  }

  async #findHead(): Promise<AuditHead | null> {
    const today = dayOf(this.#now());
    let h = await this.#log.readHead(today);
    if (!h) {
      // The chain is usually on today; otherwise look back a week, then everywhere.
      h = (await this.#log.listHeads({ fromDay: addDays(today, -7) })).at(-1) ?? null;
      h ??= (await this.#log.listHeads()).at(-1) ?? null;
    }
    for (let hops = 0; h?.sealed && h.next && hops < 10_000; hops++) {
      const n = await this.#log.readHead(h.next);
      if (!n) break;
      h = n;
    }
    return h;
  }

  async #appendBatch(drafts: AuditDraft[]): Promise<AuditEntry[]> {
    const mac = await this.#macKey();
    for (let attempt = 0; ; attempt++) {
      try {
        let head = this.#head === undefined ? await this.#findHead() : this.#head;
        const now = this.#now().toISOString();
        let day: string;
        let time: string;
        let expect: { etag: string } | "new";
        let prev: { seq: number; hash: string };
        if (head === null) {
          // First entry ever: whoever claims the genesis row decides the first day.
          day = await this.#log.claimGenesis(dayOf(now));
          time = laterOf(now, startOfDay(day));
          expect = "new";
          prev = { seq: 0, hash: GENESIS_HASH };
        } else if (head.sealed) {
          // A rollover is under way (or its writer died): finish it in the day the seal names.
          day = head.next ?? "";
          if (day <= head.day) throw new LifeboatError("AUDIT.CHAIN_BROKEN", `${this.#log.description}: head of ${head.day} is sealed without a later day`);
          time = laterOf(laterOf(now, head.time), startOfDay(day));
          expect = "new";
          prev = head;
        } else {
          time = laterOf(now, head.time);
          day = dayOf(time);
          if (day === head.day) expect = { etag: head.etag };
          else {
            head = await this.#log.seal(head, day);
            this.#head = head;
            expect = "new";
          }
          prev = head;
        }
        const entries: AuditEntry[] = [];
        let link = prev;
        for (const d of drafts) {
          const e = sealEntry({ ...d, seq: link.seq + 1, time, prevHash: link.hash, kekId: mac.id }, mac.key);
          entries.push(e);
          link = e;
        }
        this.#head = await this.#log.commit(day, entries, expect);
        return entries;
      } catch (err) {
        this.#head = undefined;
        if (!(err instanceof AuditConflictError)) throw err;
        if (attempt + 1 >= MAX_APPEND_ATTEMPTS) {
          throw new LifeboatError(
            "AUDIT.CONTENDED",
            `${this.#log.description}: could not append after ${MAX_APPEND_ATTEMPTS} attempts (other writers kept winning)`,
            { cause: err },
          );
        }
        await sleep(Math.random() * Math.min(1000, 10 * 2 ** Math.min(attempt, 7)));
      }
    }
  }
}
