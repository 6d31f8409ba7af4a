import { LifeboatError } from "../errors";
import { keyDigest } from "../entity/record-lines";

const ID_BYTES = 16;
const MIN_CAPACITY = 1024;

/**
 * A map from entity key to a small state (1–255), kept off the V8 heap so that a million keys
 * cost ~36 MB of one Buffer instead of ~60 MB of strings and Map entries that the garbage
 * collector has to walk. Keys are the first 16 bytes of sha256(pk + "\0" + rk) (see keyId:
 * 128 bits make a collision negligible), stored in an open-addressing table with linear
 * probing; the table doubles past 75% load. Nothing is ever removed.
 */
export class KeyStates {
  #ids: Buffer;
  #states: Uint8Array;
  #mask: number;
  #size = 0;

  /** `expected`: how many keys will likely be added (sizes the table once, avoiding regrowth). */
  constructor(expected = 0) {
    const capacity = KeyStates.#capacityFor(expected);
    this.#ids = allocIds(capacity);
    this.#states = new Uint8Array(capacity);
    this.#mask = capacity - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The key's state, or 0 when it was never set. Never throws. */
  get(pk: string, rk: string): number {
    const id = keyDigest(pk, rk);
    const slot = this.#find(id);
    return this.#states[slot] as number;
  }

  /**
   * Adds the key with `state` (an integer 1–255) unless it is already there, and returns the
   * state it had (0 if it is new; an existing state is kept). Throws RangeError for a bad state.
   */
  add(pk: string, rk: string, state: number): number {
    if (!Number.isInteger(state) || state < 1 || state > 255) throw new RangeError(`KeyStates.add: state must be 1–255, got ${state}`);
    const id = keyDigest(pk, rk);
    let slot = this.#find(id);
    const previous = this.#states[slot] as number;
    if (previous !== 0) return previous;
    if ((this.#size + 1) * 4 > this.#states.length * 3) {
      this.#grow();
      slot = this.#find(id);
    }
    id.copy(this.#ids, slot * ID_BYTES, 0, ID_BYTES);
    this.#states[slot] = state;
    this.#size++;
    return 0;
  }

  /** Bytes held by the table (for progress and benchmark output). */
  get bytes(): number {
    return this.#ids.length + this.#states.length;
  }

  /** The slot holding `id`, or the empty slot where it would go. */
  #find(id: Buffer): number {
    const a = id.readUInt32LE(0);
    const b = id.readUInt32LE(4);
    const c = id.readUInt32LE(8);
    const d = id.readUInt32LE(12);
    const ids = this.#ids;
    let slot = a & this.#mask;
    for (;;) {
      if (this.#states[slot] === 0) return slot;
      const o = slot * ID_BYTES;
      if (ids.readUInt32LE(o) === a && ids.readUInt32LE(o + 4) === b && ids.readUInt32LE(o + 8) === c && ids.readUInt32LE(o + 12) === d) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  #grow(): void {
    const oldIds = this.#ids;
    const oldStates = this.#states;
    const capacity = oldStates.length * 2;
    this.#ids = allocIds(capacity);
    this.#states = new Uint8Array(capacity);
    this.#mask = capacity - 1;
    for (let s = 0; s < oldStates.length; s++) {
      const state = oldStates[s] as number;
      if (state === 0) continue;
      const id = oldIds.subarray(s * ID_BYTES, (s + 1) * ID_BYTES);
      const slot = this.#find(id);
      id.copy(this.#ids, slot * ID_BYTES);
      this.#states[slot] = state;
    }
  }

  static #capacityFor(expected: number): number {
    let capacity = MIN_CAPACITY;
    while (capacity * 3 < expected * 4) capacity *= 2;
    return capacity;
  }
}

/** The id table; a clear error instead of a bare RangeError when it cannot be had. */
function allocIds(capacity: number): Buffer {
  try {
    return Buffer.alloc(capacity * ID_BYTES);
  } catch (err) {
    const mb = Math.ceil((capacity * (ID_BYTES + 1)) / 2 ** 20);
    throw new LifeboatError(
      "MEMORY.KEY_SET",
      `cannot allocate ${mb} MB to track ${Math.floor(capacity * 0.75).toLocaleString("en-US")} entity keys; ` +
        `the table has more keys than this process can track (~36 MB per million)`,
      { cause: err },
    );
  }
}
