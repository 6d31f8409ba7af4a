import type { EntityKey } from "../entity/record";

const BLOCK_BYTES = 1 << 20;

interface Block {
  buf: Buffer;
  used: number;
}

/**
 * An append-only list of entity keys kept off the V8 heap: each key is stored as
 * [u32 byte length][pk UTF-8][u32 byte length][rk UTF-8] in 1 MiB blocks, so a million
 * keys cost a few tens of MB outside the heap instead of ~150 MB of objects on it, and
 * cannot push a worker with a capped heap out of memory. Iterates in the order added.
 */
export class KeyLog {
  readonly #blocks: Block[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Appends a key. Never throws (a key longer than a block gets a block of its own). */
  add(k: EntityKey): void {
    const pkLen = Buffer.byteLength(k.pk, "utf8");
    const rkLen = Buffer.byteLength(k.rk, "utf8");
    const need = 8 + pkLen + rkLen;
    let b = this.#blocks[this.#blocks.length - 1];
    if (!b || b.used + need > b.buf.length) {
      b = { buf: Buffer.allocUnsafe(Math.max(BLOCK_BYTES, need)), used: 0 };
      this.#blocks.push(b);
    }
    let o = b.buf.writeUInt32LE(pkLen, b.used);
    o += b.buf.write(k.pk, o, "utf8");
    o = b.buf.writeUInt32LE(rkLen, o);
    o += b.buf.write(k.rk, o, "utf8");
    b.used = o;
    this.#size++;
  }

  *[Symbol.iterator](): IterableIterator<EntityKey> {
    for (const { buf, used } of this.#blocks) {
      let o = 0;
      while (o < used) {
        const pkLen = buf.readUInt32LE(o);
        const pk = buf.toString("utf8", o + 4, o + 4 + pkLen);
        o += 4 + pkLen;
        const rkLen = buf.readUInt32LE(o);
        const rk = buf.toString("utf8", o + 4, o + 4 + rkLen);
        o += 4 + rkLen;
        yield { pk, rk };
      }
    }
  }
}
