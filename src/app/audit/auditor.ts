import type { AuditHead, AuditLog, DigestStore } from "../ports/AuditLog";
import type { KeyProvider } from "../ports/KeyProvider";
import { ChainWriter } from "./chain-writer";
import { verifyAudit, type AuditVerifyOptions, type AuditVerifyReport } from "./verify-audit";
import {
  canonicalJson,
  dayOf,
  GENESIS_HASH,
  toJsonValue,
  type AuditAction,
  type AuditDraft,
  type AuditEntry,
  type AuditOutcome,
  type AuditTarget,
  type JsonObject,
} from "../../core/audit/chain";
import { DIGEST_VERSION, digestMacKey, encodeDigest, signDigest } from "../../core/audit/digest";
import { sanitizeText, sanitizeValue, secretForms } from "../../core/audit/sanitize";
import { AlreadyExistsError, LifeboatError } from "../../core/errors";
import { errorText } from "./audited";
import { sha256Hex } from "../../core/hash";

/** Longest canonical JSON kept for `details`; larger details are replaced by a summary. */
export const MAX_DETAILS_CHARS = 16_000;
const MAX_ERROR_CHARS = 4_000;

/** What to record: who did what to what, and how it ended. */
export interface AuditRecordInput {
  /** From operatorFromHttp / cliOperator / timerOperator. */
  operator: string;
  action: AuditAction;
  /** Tables, containers, point ids…: `{ tables: ["Customers"], point: "…" }`. Undefined values are dropped. */
  target?: Record<string, string | readonly string[] | undefined>;
  outcome: AuditOutcome;
  durationMs?: number;
  /** Why it failed or was refused: an Error (its code and message are kept) or text. */
  error?: unknown;
  /** Counts, bytes, point ids. Sanitized; never put secrets here (they are redacted anyway). */
  details?: Record<string, unknown>;
}

/** A digest just written. */
export interface DigestWritten {
  name: string;
  digestSeq: number;
  headSeq: number;
  headHash: string;
  createdAt: string;
}

/** Ports and settings of an {@link Auditor}. */
export interface AuditorDeps {
  log: AuditLog;
  digests: DigestStore;
  keys: KeyProvider;
  /** The clock (tests inject one). Default: the system clock. */
  now?: () => Date;
  /** Exact values never to record (connection strings, account keys); the active KEK is added automatically. */
  secrets?: readonly string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The audit log as the rest of Lifeboat uses it: `record` appends one sanitized entry
 * to the hash chain, `writeDigest` anchors the chain head in an append-only,
 * HMAC-authenticated digest, `entries` lists, `verify` checks everything. One per
 * process (Services.audit); safe to share between concurrent callers.
 */
export class Auditor {
  /** Where entries and digests live, e.g. "table:LifeboatAudit + blob:lifeboat-audit". */
  readonly description: string;
  readonly #deps: AuditorDeps;
  readonly #now: () => Date;
  readonly #writer: ChainWriter;
  #kekSecrets: { id: string; forms: string[] } | undefined;

  constructor(deps: AuditorDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#writer = new ChainWriter({ log: deps.log, keys: deps.keys, now: this.#now });
    this.description = `${deps.log.description} + ${deps.digests.description}`;
  }

  /**
   * Sanitizes and appends one entry; resolves with it as stored. Throws the storage or
   * key provider's error (or AUDIT.CONTENDED) when it could not be written: callers
   * must fail the action loudly (see {@link audited}), never drop the error.
   */
  async record(input: AuditRecordInput): Promise<AuditEntry> {
    return this.#writer.append(await this.#draft(input));
  }

  /**
   * Writes the next digest: the current chain head, linked to the previous digest and
   * signed with a key derived from the active KEK. Retries when another writer took the
   * same digest number. Throws the storage or key provider's error, or AUDIT.CONTENDED.
   */
  async writeDigest(): Promise<DigestWritten> {
    for (let attempt = 0; attempt < 20; attempt++) {
      // Latest digest first, then the head: a digest never anchors less than the one before it.
      const latest = await this.#deps.digests.latest();
      const head = await this.#writer.currentHead();
      const kek = await this.#deps.keys.active();
      const createdAt = this.#now().toISOString();
      const body = {
        version: DIGEST_VERSION,
        digestSeq: (latest?.seq ?? 0) + 1,
        headSeq: head?.seq ?? 0,
        headHash: head?.hash ?? GENESIS_HASH,
        headTime: head?.time ?? null,
        headDay: head?.day ?? null,
        createdAt,
        previousDigest: latest?.name ?? null,
        previousDigestSha256: latest ? sha256Hex(latest.bytes) : null,
        kekId: kek.id,
      };
      const signed = signDigest(body, digestMacKey(kek.key.reveal(), kek.id));
      try {
        const name = await this.#deps.digests.put(body.digestSeq, encodeDigest(signed), { headSeq: body.headSeq, createdAt });
        return { name, digestSeq: body.digestSeq, headSeq: body.headSeq, headHash: body.headHash, createdAt };
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        await sleep(Math.random() * 50 * (attempt + 1));
      }
    }
    throw new LifeboatError("AUDIT.CONTENDED", `${this.#deps.digests.description}: could not write a digest (other writers kept taking the number)`);
  }

  /** The chain head now (null when nothing was ever recorded). Throws when storage cannot be read. */
  async head(): Promise<Pick<AuditHead, "day" | "seq" | "hash" | "time"> | null> {
    const h = await this.#writer.currentHead();
    return h ? { day: h.day, seq: h.seq, hash: h.hash, time: h.time } : null;
  }

  /**
   * Checks that entries can be written right now (the log answers, the key is there),
   * so a destructive action can refuse to start rather than run unaudited.
   * Throws the storage or key provider's error.
   */
  async ready(): Promise<void> {
    await this.#deps.keys.active();
    await this.#writer.currentHead();
  }

  /**
   * Entries in chain order with time in [from, to] (inclusive) and, when `action` is
   * given, that action or one under it ("backup" matches "backup.full"). Rows that do
   * not parse are skipped here; `verify` reports them. Throws when storage cannot be read.
   */
  async *entries(query: { from?: Date; to?: Date; action?: string } = {}): AsyncIterable<AuditEntry> {
    const from = query.from?.toISOString();
    const to = query.to?.toISOString();
    const range = { ...(query.from ? { fromDay: dayOf(query.from) } : {}), ...(query.to ? { toDay: dayOf(query.to) } : {}) };
    for await (const row of this.#deps.log.rows(range)) {
      if ("malformed" in row) continue;
      const e = row.entry;
      if ((from && e.time < from) || (to && e.time > to)) continue;
      if (query.action && e.action !== query.action && !e.action.startsWith(query.action + ".")) continue;
      yield e;
    }
  }

  /** Verifies the chain and the digests ({@link verifyAudit}). Throws only when storage cannot be read. */
  verify(options: AuditVerifyOptions = {}): Promise<AuditVerifyReport> {
    return verifyAudit(this.#deps, { now: this.#now(), ...options });
  }

  async #secrets(): Promise<string[]> {
    const kek = await this.#deps.keys.active();
    if (this.#kekSecrets?.id !== kek.id) this.#kekSecrets = { id: kek.id, forms: secretForms(kek.key.reveal()) };
    return [...(this.#deps.secrets ?? []), ...this.#kekSecrets.forms];
  }

  async #draft(input: AuditRecordInput): Promise<AuditDraft> {
    const secrets = await this.#secrets();
    const target: AuditTarget = {};
    for (const [k, v] of Object.entries(input.target ?? {})) {
      if (v === undefined) continue;
      const key = sanitizeText(k, secrets, 100);
      if (typeof v === "string") target[key] = sanitizeText(v, secrets, 1000);
      else {
        const items = v.slice(0, 100).map((x) => sanitizeText(String(x), secrets, 256));
        if (v.length > 100) items.push(`… +${v.length - 100} more`);
        target[key] = items;
      }
    }
    let details = sanitizeValue(toJsonValue(input.details ?? {}), secrets) as JsonObject;
    const size = canonicalJson(details).length;
    if (size > MAX_DETAILS_CHARS) details = { truncated: true, chars: size, keys: Object.keys(details).slice(0, 50) };
    const error = errorText(input.error);
    const d = input.durationMs ?? 0;
    return {
      operator: sanitizeText(input.operator, secrets, 300) || "unknown",
      action: input.action,
      target,
      outcome: input.outcome,
      durationMs: Number.isFinite(d) && d > 0 ? Math.round(d) : 0,
      error: error === null ? null : sanitizeText(error, secrets, MAX_ERROR_CHARS),
      details,
    };
  }
}
