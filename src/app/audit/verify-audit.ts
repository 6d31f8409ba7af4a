import type { AuditHead, AuditLog, DigestInfo, DigestStore } from "../ports/AuditLog";
import type { KeyProvider } from "../ports/KeyProvider";
import { addDays, dayOf, entryHash, entryMacKey, GENESIS_HASH, hexEqual, hmacHex, startOfDay } from "../../core/audit/chain";
import { sha256Hex } from "../../core/hash";
import { digestHmacValid, digestMacKey, parseDigest, type SignedDigest } from "../../core/audit/digest";
import { ensureErrorType } from "../../core/errors";

/** What kind of damage a verification found. */
export type AuditProblemKind =
  | "entry-edited"
  | "entry-forged"
  | "entry-missing"
  | "entry-out-of-order"
  | "entry-malformed"
  | "link-broken"
  | "head-mismatch"
  | "digest-missing"
  | "digest-forged"
  | "digest-malformed"
  | "digest-chain-broken"
  | "digest-mismatch"
  | "unanchored"
  | "key-unavailable";

/** One problem: where (entry seq and day, or digest name) and what is wrong. */
export interface AuditProblem {
  kind: AuditProblemKind;
  seq?: number;
  day?: string;
  digest?: string;
  message: string;
}

/** The result of {@link verifyAudit}. `ok` is true when `problems` is empty. */
export interface AuditVerifyReport {
  ok: boolean;
  /** The days verified (whole days covering --from/--to); null ends are open. */
  fromDay: string | null;
  toDay: string | null;
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  days: number;
  digests: number;
  latestDigest: { name: string; headSeq: number; createdAt: string } | null;
  /** The earliest problem in chain order (entries first, then digests). */
  firstBroken: AuditProblem | null;
  problems: AuditProblem[];
  /** Things worth a look that are not evidence of tampering. */
  warnings: string[];
}

/** Options of {@link verifyAudit}. */
export interface AuditVerifyOptions {
  from?: Date;
  to?: Date;
  /** Entries newer than the latest digest but older than this are reported as unanchored. Default 2 hours. */
  unanchoredGraceMs?: number;
  now?: Date;
}

/** Ports {@link verifyAudit} reads. */
export interface AuditVerifyDeps {
  log: AuditLog;
  digests: DigestStore;
  keys: KeyProvider;
}

/** Default of {@link AuditVerifyOptions.unanchoredGraceMs}: twice the hourly digest interval. */
export const DEFAULT_UNANCHORED_GRACE_MS = 2 * 60 * 60 * 1000;

type Keys = { entry: Buffer; digest: Buffer };

interface LoadedDigest {
  info: DigestInfo;
  bytes: Buffer;
  digest: SignedDigest | null;
}

/**
 * Recomputes the audit chain over whole UTC days covering [from, to] (everything by
 * default) and checks it against the digests. Detects an entry edited (hash), forged
 * without the KEK (MAC), removed or inserted (seq gap, broken prevHash link, head
 * mismatch), reordered or duplicated; a digest forged (HMAC), removed (digest seq gap,
 * broken digest chain), or contradicted (anchored hash differs: the chain was rewritten);
 * and entries older than the grace period that no digest anchors (a latest digest
 * deleted, or digests not being written). Returns a report; throws only when storage
 * cannot be read.
 */
export async function verifyAudit(deps: AuditVerifyDeps, options: AuditVerifyOptions = {}): Promise<AuditVerifyReport> {
  const now = options.now ?? new Date();
  const grace = options.unanchoredGraceMs ?? DEFAULT_UNANCHORED_GRACE_MS;
  const fromDay = options.from ? dayOf(options.from) : null;
  const toDay = options.to ? dayOf(options.to) : null;
  const includesTail = toDay === null || toDay >= dayOf(now);
  const problems: AuditProblem[] = [];
  const warnings: string[] = [];
  const keyCache = new Map<string, Promise<Keys | Error>>();
  const keysFor = (kekId: string): Promise<Keys | Error> => {
    let p = keyCache.get(kekId);
    if (!p) {
      p = deps.keys.byId(kekId).then(
        (k) => ({ entry: entryMacKey(k.key.reveal(), k.id), digest: digestMacKey(k.key.reveal(), k.id) }),
        (err: unknown) => ensureErrorType(err),
      );
      keyCache.set(kekId, p);
    }
    return p;
  };
  const reportedKeys = new Set<string>();
  const keyProblem = (kekId: string, err: Error, where: Partial<AuditProblem>): void => {
    if (reportedKeys.has(kekId)) return;
    reportedKeys.add(kekId);
    problems.push({ kind: "key-unavailable", ...where, message: `cannot check MACs made with key ${kekId}: ${err.message}` });
  };

  // --- Digests: their own chain, and the anchors they give the entries.
  const infos = await deps.digests.list();
  for (let i = 0; i < infos.length; i++) {
    const expected = i === 0 ? 1 : infos[i - 1]!.seq + 1;
    const got = infos[i]!.seq;
    if (got > expected) {
      problems.push({ kind: "digest-missing", digest: infos[i]!.name, message: `digest${got - expected > 1 ? "s" : ""} ${expected}${got - expected > 1 ? `..${got - 1}` : ""} missing before ${infos[i]!.name} (deleted?)` });
    }
  }
  const lo = fromDay ? startOfDay(addDays(fromDay, -1)) : null;
  const hi = toDay ? startOfDay(addDays(toDay, 2)) : null;
  const selected = infos.filter((d) => !d.createdAt || ((!lo || d.createdAt >= lo) && (!hi || d.createdAt < hi)));
  const loaded: LoadedDigest[] = [];
  for (let i = 0; i < selected.length; i += 16) {
    const part = await Promise.all(selected.slice(i, i + 16).map(async (info) => ({ info, bytes: await deps.digests.get(info.name) })));
    for (const { info, bytes } of part) {
      try {
        loaded.push({ info, bytes, digest: parseDigest(bytes, info.name) });
      } catch (err) {
        problems.push({ kind: "digest-malformed", digest: info.name, message: ensureErrorType(err).message });
        loaded.push({ info, bytes, digest: null });
      }
    }
  }
  const anchors = new Map<number, { name: string; hash: string; seen: boolean }[]>();
  let maxAnchor = 0;
  let latestDigest: AuditVerifyReport["latestDigest"] = null;
  for (let i = 0; i < loaded.length; i++) {
    const { info, digest: d } = loaded[i]!;
    if (!d) continue;
    const name = info.name;
    if (d.digestSeq !== info.seq) {
      problems.push({ kind: "digest-forged", digest: name, message: `digest ${name} says it is digest ${d.digestSeq}` });
      continue;
    }
    const k = await keysFor(d.kekId);
    if (k instanceof Error) {
      keyProblem(d.kekId, k, { digest: name });
      continue;
    }
    if (!digestHmacValid(d, k.digest)) {
      problems.push({ kind: "digest-forged", digest: name, message: `digest ${name}: HMAC does not match (forged or edited without the key)` });
      continue;
    }
    const prev = loaded[i - 1];
    if (d.digestSeq === 1 && (d.previousDigest !== null || d.previousDigestSha256 !== null)) {
      problems.push({ kind: "digest-chain-broken", digest: name, message: `digest ${name} is the first but names a previous digest` });
    } else if (prev && prev.info.seq === d.digestSeq - 1) {
      if (d.previousDigest !== prev.info.name || d.previousDigestSha256 === null || !hexEqual(d.previousDigestSha256, sha256Hex(prev.bytes))) {
        problems.push({ kind: "digest-chain-broken", digest: name, message: `digest ${name} does not match the digest before it (${prev.info.name} was replaced or edited)` });
      } else if (prev.digest && d.headSeq < prev.digest.headSeq) {
        problems.push({ kind: "digest-chain-broken", digest: name, message: `digest ${name} anchors seq ${d.headSeq}, before its predecessor's ${prev.digest.headSeq}` });
      }
    }
    if (d.headSeq > 0) {
      const list = anchors.get(d.headSeq) ?? [];
      list.push({ name, hash: d.headHash, seen: false });
      anchors.set(d.headSeq, list);
    }
    maxAnchor = Math.max(maxAnchor, d.headSeq);
    latestDigest = { name, headSeq: d.headSeq, createdAt: d.createdAt };
  }
  if (includesTail && latestDigest && now.getTime() - Date.parse(latestDigest.createdAt) > grace) {
    warnings.push(`the latest digest (${latestDigest.name}) is from ${latestDigest.createdAt}: is the auditDigest timer running?`);
  }

  // --- Entries, day by day, in chain order.
  const heads = await deps.log.listHeads();
  const headByDay = new Map<string, AuditHead>(heads.map((h) => [h.day, h]));
  const before = fromDay ? heads.filter((h) => h.day < fromDay).at(-1) : undefined;
  let prev: { seq: number; hash: string | null; time: string } = before
    ? { seq: before.seq, hash: before.hash, time: before.time }
    : { seq: 0, hash: GENESIS_HASH, time: "" };
  let entries = 0;
  let firstSeq: number | null = null;
  const daysSeen: string[] = [];
  let dayLast: { seq: number; hash: string | null } | null = null;
  let unanchored: { first: number; last: number; time: string } | null = null;
  const cutoff = new Date(now.getTime() - grace).toISOString();

  const finishDay = (day: string, last: { seq: number; hash: string | null }, nextDay: string | null): void => {
    const h = headByDay.get(day);
    if (!h) {
      problems.push({ kind: "head-mismatch", day, seq: last.seq, message: `day ${day} has entries but no head row` });
      return;
    }
    if (h.seq !== last.seq || (last.hash !== null && h.hash !== last.hash)) {
      const kind = h.seq > last.seq ? "entry-missing" : "head-mismatch";
      problems.push({ kind, day, seq: Math.min(h.seq, last.seq) + 1, message: h.seq > last.seq ? `day ${day} ends at seq ${last.seq} but its head says ${h.seq}: entries were removed (or the head was edited)` : `day ${day}: head (seq ${h.seq}) does not match its last entry (seq ${last.seq})` });
    }
    if (nextDay !== null && (!h.sealed || h.next !== nextDay)) {
      problems.push({ kind: "head-mismatch", day, seq: last.seq, message: `day ${day} is followed by ${nextDay} but its head ${h.sealed ? `names ${h.next ?? "no day"}` : "is not sealed"}` });
    }
  };

  for await (const row of deps.log.rows({ ...(fromDay ? { fromDay } : {}), ...(toDay ? { toDay } : {}) })) {
    if (daysSeen.at(-1) !== row.day) {
      if (dayLast && daysSeen.length > 0) finishDay(daysSeen.at(-1)!, dayLast, row.day);
      daysSeen.push(row.day);
    }
    if ("malformed" in row) {
      const seq = /^\d{16}$/.test(row.rowKey) ? Number(row.rowKey) : undefined;
      problems.push({ kind: "entry-malformed", day: row.day, ...(seq ? { seq } : {}), message: `row ${row.rowKey} on ${row.day}: ${row.malformed}` });
      if (seq) prev = { seq, hash: null, time: prev.time };
      dayLast = { seq: prev.seq, hash: null };
      continue;
    }
    const e = row.entry;
    entries++;
    firstSeq ??= e.seq;
    const at = { seq: e.seq, day: row.day };
    if (e.seq <= prev.seq) {
      problems.push({ kind: "entry-out-of-order", ...at, message: `seq ${e.seq} on ${row.day} comes after seq ${prev.seq}: duplicated, moved or forked` });
    } else if (e.seq > prev.seq + 1) {
      problems.push({ kind: "entry-missing", ...at, seq: prev.seq + 1, message: `entr${e.seq - prev.seq > 2 ? "ies" : "y"} ${prev.seq + 1}${e.seq - prev.seq > 2 ? `..${e.seq - 1}` : ""} missing before seq ${e.seq} on ${row.day}` });
    } else if (prev.hash !== null && e.prevHash !== prev.hash) {
      problems.push({ kind: "link-broken", ...at, message: `seq ${e.seq} on ${row.day} does not link to seq ${prev.seq} (prevHash differs: an entry was replaced or inserted)` });
    }
    let edited = false;
    try {
      edited = entryHash(e) !== e.hash;
    } catch {
      edited = true;
    }
    if (edited) problems.push({ kind: "entry-edited", ...at, message: `seq ${e.seq} on ${row.day}: its fields do not match its hash (edited)` });
    const k = await keysFor(e.kekId);
    if (k instanceof Error) keyProblem(e.kekId, k, at);
    else if (!hexEqual(hmacHex(k.entry, e.hash), e.mac)) {
      problems.push({ kind: "entry-forged", ...at, message: `seq ${e.seq} on ${row.day}: MAC does not match (written without the key)` });
    }
    if (dayOf(e.time) < row.day || (prev.time && e.time < prev.time)) {
      problems.push({ kind: "entry-out-of-order", ...at, message: `seq ${e.seq} on ${row.day}: time ${e.time} is earlier than its day or the entry before` });
    }
    for (const a of anchors.get(e.seq) ?? []) {
      a.seen = true;
      if (!hexEqual(a.hash, e.hash)) problems.push({ kind: "digest-mismatch", ...at, digest: a.name, message: `digest ${a.name} anchors seq ${e.seq} with another hash: the chain was rewritten after it` });
    }
    if (includesTail && e.seq > maxAnchor && e.time < cutoff) {
      if (unanchored) unanchored.last = e.seq;
      else unanchored = { first: e.seq, last: e.seq, time: e.time };
    }
    prev = { seq: e.seq, hash: e.hash, time: e.time };
    dayLast = { seq: e.seq, hash: e.hash };
  }
  if (dayLast && daysSeen.length > 0) finishDay(daysSeen.at(-1)!, dayLast, null);
  for (const h of heads) {
    if ((!fromDay || h.day >= fromDay) && (!toDay || h.day <= toDay) && !daysSeen.includes(h.day)) {
      problems.push({ kind: "entry-missing", day: h.day, seq: h.seq, message: `day ${h.day} has a head (seq ${h.seq}) but no entries: removed` });
    }
  }
  const lastSeq = entries > 0 ? prev.seq : null;
  for (const [seq, list] of anchors) {
    for (const a of list) {
      if (a.seen) continue;
      const inRange = (firstSeq !== null && seq >= firstSeq && seq <= prev.seq) || (includesTail && seq > prev.seq);
      if (inRange) problems.push({ kind: "entry-missing", seq, digest: a.name, message: `digest ${a.name} anchors seq ${seq}, which is missing: entries were removed` });
    }
  }
  if (unanchored) {
    problems.push({
      kind: "unanchored",
      seq: unanchored.first,
      message: `entries ${unanchored.first}..${unanchored.last} (from ${unanchored.time}) are older than ${Math.round(grace / 60000)} min but no digest anchors them: a digest is missing (deleted?) or digests are not being written`,
    });
  }
  const order = (p: AuditProblem): number => p.seq ?? Number.MAX_SAFE_INTEGER;
  const sorted = [...problems].sort((a, b) => order(a) - order(b));
  return {
    ok: problems.length === 0,
    fromDay,
    toDay,
    entries,
    firstSeq,
    lastSeq,
    days: daysSeen.length,
    digests: loaded.length,
    latestDigest,
    firstBroken: sorted[0] ?? null,
    problems: sorted,
    warnings,
  };
}
