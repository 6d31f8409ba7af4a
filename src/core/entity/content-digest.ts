import * as crypto from "node:crypto";
import type { EntityRecord } from "./record";

/**
 * Order-independent content digest of a table: the sum, modulo 2^256, of the SHA-256 of
 * every entity's canonical JSON. Equal sets of entities give equal digests whatever order
 * they are scanned in; any change to a key, property name, type or value changes it.
 * Timestamp and ETag are excluded: a restore gives entities new ones.
 */

/** Strings JSON.stringify would escape: quote, backslash, control characters, surrogates (lone ones get \u escapes). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/** Object.keys sorted by UTF-16 code units; insertion sort beats Array.sort for the few keys an entity has. */
function sortedKeys(o: object): string[] {
  const k = Object.keys(o);
  for (let i = 1; i < k.length; i++) {
    const x = k[i] as string;
    let j = i - 1;
    while (j >= 0 && (k[j] as string) > x) {
      k[j + 1] = k[j] as string;
      j--;
    }
    k[j + 1] = x;
  }
  return k;
}

/**
 * The canonical JSON hashed for an entity: `{"pk":…,"rk":…,"p":{…}}` with properties sorted
 * by name (UTF-16 code unit order, as Array.prototype.sort) and each value `[type, value]`;
 * the same text as JSON.stringify with sorted keys. Never throws.
 */
export function canonicalEntityJson(r: EntityRecord): string {
  const props = r.props;
  let s = '{"pk":' + quote(r.pk) + ',"rk":' + quote(r.rk) + ',"p":{';
  let first = true;
  for (const name of sortedKeys(props)) {
    const pv = props[name];
    if (pv === undefined) continue;
    if (!first) s += ",";
    first = false;
    // EDM type names are plain ASCII words: no escaping needed.
    s += quote(name) + ':["' + pv[0] + '",' + quote(pv[1]) + "]";
  }
  return s + "}}";
}

type OneShotHash = (algorithm: string, data: string, outputEncoding: "buffer") => Buffer;
/** crypto.hash (Node >= 20.12) is about a third faster than createHash for small inputs. */
const oneShot: OneShotHash | undefined = (crypto as { hash?: OneShotHash }).hash;

function entitySha256(r: EntityRecord): Buffer {
  const text = canonicalEntityJson(r);
  return oneShot ? oneShot("sha256", text, "buffer") : crypto.createHash("sha256").update(text, "utf8").digest();
}

/** SHA-256 of the entity's canonical JSON, read as a big-endian 256-bit integer. Never throws. */
export function entityHash(r: EntityRecord): bigint {
  return BigInt("0x" + entitySha256(r).toString("hex"));
}

const LIMBS = 8; // 8 x 32-bit, most significant first
const TWO32 = 0x1_0000_0000;
/** Additions between carry propagations: limbs stay below 2^32 * 2^20 < 2^53, exact in a double. */
const NORMALIZE_EVERY = 1 << 20;

/**
 * Running digest of a set of entities (see module doc). Limbs are summed without carries and
 * normalised every 2^20 additions, so adding an entity costs one SHA-256 and 8 additions.
 */
export class ContentDigest {
  readonly #limbs = new Float64Array(LIMBS);
  #pending = 0;
  #count = 0;

  /** Entities added. */
  get count(): number {
    return this.#count;
  }

  /** Adds one entity (its pk, rk and props; ts and etag are ignored). Never throws. */
  add(r: EntityRecord): void {
    const h = entitySha256(r);
    const l = this.#limbs;
    for (let i = 0; i < LIMBS; i++) l[i] = (l[i] as number) + h.readUInt32BE(i * 4);
    this.#count++;
    if (++this.#pending >= NORMALIZE_EVERY) this.#normalize();
  }

  /** Adds every entity counted by another digest (digests of disjoint sets combine by sum). Never throws. */
  merge(other: ContentDigest): void {
    other.#normalize();
    this.#normalize();
    const l = this.#limbs;
    for (let i = 0; i < LIMBS; i++) l[i] = (l[i] as number) + (other.#limbs[i] as number);
    this.#count += other.#count;
    this.#pending = 1;
    this.#normalize();
  }

  #normalize(): void {
    if (this.#pending === 0) return;
    const l = this.#limbs;
    let carry = 0;
    for (let i = LIMBS - 1; i >= 0; i--) {
      const v = (l[i] as number) + carry;
      const low = v % TWO32;
      l[i] = low;
      carry = (v - low) / TWO32;
    }
    // The carry out of the top limb is dropped: the sum is modulo 2^256.
    this.#pending = 0;
  }

  /** The digest as 64 lowercase hex characters (the sum modulo 2^256, big-endian). Never throws. */
  hex(): string {
    this.#normalize();
    let s = "";
    for (let i = 0; i < LIMBS; i++) s += (this.#limbs[i] as number).toString(16).padStart(8, "0");
    return s;
  }

  /** The digest as a bigint (the same number as hex()). Never throws. */
  value(): bigint {
    return BigInt("0x" + this.hex());
  }

  /** True when both digests cover the same number of entities with the same sum. Never throws. */
  equals(other: ContentDigest): boolean {
    return this.#count === other.#count && this.hex() === other.hex();
  }

  /**
   * A digest restored from a stored hex() and count, to compare against or extend.
   * Throws RangeError when hex is not 64 hex characters or count is not a non-negative integer.
   */
  static fromHex(hex: string, count: number): ContentDigest {
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError("content digest must be 64 hex characters");
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError("content digest count must be a non-negative integer");
    const d = new ContentDigest();
    for (let i = 0; i < LIMBS; i++) d.#limbs[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    d.#count = count;
    return d;
  }
}
