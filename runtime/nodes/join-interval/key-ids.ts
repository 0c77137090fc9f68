// Small integer ids for the interval join's keys, so per-key data can live in typed columns
// indexed by id (side.ts). An open-addressing table (linear probing over one Int32Array of
// [id + 1, hash] pairs) maps a key to its id: a lookup reads one table entry and compares the key
// only when the hashes agree, where a Map walks a bucket, an entry and the key. Keys are strings,
// finite numbers or booleans (keyBy's rule), or null on an unkeyed input, and meet as in a Map
// (SameValueZero: `===`, except that NaN is one key; 0 and −0 alike). Any other value still works,
// by identity, with one shared hash.
//
// A key whose records are all gone keeps its id for a while: keys come back all the time (a
// user's next click), and deleting and re-adding entries per record would be the join's largest
// cost. The idle ones are swept in one pass once they outnumber the rest (the table is rebuilt
// without them), so it holds at most about twice the keys alive at once.

/** Sweep no sooner than this many idle keys. */
const SWEEP_MIN = 4096;
/** Table slots at least (a power of two). */
const MIN_SLOTS = 2048;
/** keyOf's mark of a free id (undefined is a value a key could take). */
const FREE: unique symbol = Symbol('free');

const scratch = new Float64Array(1);
const words = new Int32Array(scratch.buffer);

/** Murmur3's finaliser: spreads every input bit over the low bits the table indexes by. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Seeds the string hash once per process, as V8 seeds its own: user ids come from outside (Kafka,
 * files), and with a fixed seed someone could craft keys that all collide and make every lookup
 * walk them. Only the table's layout depends on it, never an output.
 */
const STRING_SEED = (Math.random() * 0x1_0000_0000) | 0;

/** A 32-bit hash of a key; keys a Map takes for one (SameValueZero) hash alike. */
export function hashKey(key: unknown): number {
  if (typeof key === 'string') {
    // FNV-1a over the UTF-16 code units, from a per-process seed.
    let h = 0x811c9dc5 ^ STRING_SEED;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return mix(h ^ key.length);
  }
  if (typeof key === 'number') {
    // Integers (and −0, which is 0 to `===`) by value, other numbers by their bits.
    if ((key | 0) === key) return mix((key | 0) ^ 0x3c6ef372);
    // Every NaN alike, whatever its bits.
    if (key !== key) return 0x2f1e3d4c;
    scratch[0] = key;
    return mix(words[0]! ^ Math.imul(words[1]!, 0x9e3779b1));
  }
  if (key === true) return 0x1b873593;
  if (key === false) return 0x5bd1e995;
  // null (an unkeyed input); anything else (undefined, objects) only collides, never mixes up keys.
  return 0x27d4eb2f;
}

/** Map's SameValueZero: `===`, and NaN meets NaN (which hashKey hashes alike). */
function sameKey(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

export class KeyIds {
  /** Per slot: [id + 1, hash]; 0 marks an empty slot. */
  private table = new Int32Array(2 * MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  /** Keys in the table, idle ones included. */
  private used = 0;
  /** Per id: its key, or FREE while the id is free. */
  private keyOf: unknown[] = [];
  private hashOf = new Int32Array(1024);
  private free: number[] = [];
  /** Scratch: the hashes of a batch's keys. */
  private hashes = new Int32Array(4096);
  /** Per id: 1 while its key holds nothing. */
  private idle = new Uint8Array(1024);
  private idleCount = 0;
  /** While a batch's ids are out (idsOf … endBatch), released ids are not swept. */
  private holding = false;

  /** Keys holding records. */
  get size(): number {
    return this.used - this.idleCount;
  }

  /** The key's id, assigning one when it has none. */
  idOf(key: unknown): number {
    return this.find(key, hashKey(key));
  }

  private find(key: unknown, h: number): number {
    const t = this.table;
    const mask = this.mask;
    let p = h & mask;
    for (let e = t[2 * p]!; e !== 0; e = t[2 * p]!) {
      if (t[2 * p + 1] === h && sameKey(this.keyOf[e - 1], key)) {
        const id = e - 1;
        if (this.idle[id] === 1) {
          this.idle[id] = 0;
          this.idleCount--;
        }
        return id;
      }
      p = (p + 1) & mask;
    }
    const id = this.free.length > 0 ? this.free.pop()! : this.keyOf.length;
    if (id >= this.idle.length) this.growIds();
    this.keyOf[id] = key;
    this.hashOf[id] = h;
    t[2 * p] = id + 1;
    t[2 * p + 1] = h;
    // Load at most one half: linear probing stays short.
    if (2 * ++this.used > mask + 1) this.rebuild(2 * (mask + 1));
    return id;
  }

  /**
   * Ids for a whole batch of keys, into `out`. Looking them up in one loop of their own lets the
   * CPU overlap the table's cache misses, which interleaved with the join's work it cannot; a key
   * released while the batch is handled keeps its id until `endBatch` (see `hold`).
   */
  idsOf(keys: readonly unknown[] | null, n: number, out: Int32Array): void {
    this.holding = true;
    if (keys === null) {
      if (n > 0) out.fill(this.idOf(null), 0, n);
      return;
    }
    // Two short loops: the hashes (reading only the batch's own keys), then the probes, whose
    // table reads do not depend on one another and so overlap.
    if (this.hashes.length < n) this.hashes = new Int32Array(n);
    const hashes = this.hashes;
    for (let i = 0; i < n; i++) hashes[i] = hashKey(keys[i]);
    for (let i = 0; i < n; i++) out[i] = this.find(keys[i], hashes[i]!);
  }

  /** Every id handed out is below this. */
  get bound(): number {
    return this.keyOf.length;
  }

  /** The key of `id` holds a record again (it may have been released since `idsOf`). */
  hold(id: number): void {
    if (this.idle[id] === 1) {
      this.idle[id] = 0;
      this.idleCount--;
    }
  }

  /** The batch is done: ids handed out by `idsOf` may be swept again. */
  endBatch(): void {
    this.holding = false;
    this.maybeSweep();
  }

  /** The key of `id` holds nothing any more. */
  release(id: number): void {
    if (this.idle[id] === 1) return;
    this.idle[id] = 1;
    this.idleCount++;
    if (!this.holding) this.maybeSweep();
  }

  private maybeSweep(): void {
    if (this.idleCount >= SWEEP_MIN && this.idleCount * 2 > this.used) this.sweep();
  }

  /** One key held (for sizing keys, which are alike). */
  anyKey(): unknown {
    for (let id = 0; id < this.keyOf.length; id++) if (this.keyOf[id] !== FREE && this.idle[id] === 0) return this.keyOf[id];
    return undefined;
  }

  /** Every key holding records, with its id, in id order. */
  forEach(fn: (key: unknown, id: number) => void): void {
    for (let id = 0; id < this.keyOf.length; id++) if (this.keyOf[id] !== FREE && this.idle[id] === 0) fn(this.keyOf[id], id);
  }

  clear(): void {
    this.table = new Int32Array(2 * MIN_SLOTS);
    this.mask = MIN_SLOTS - 1;
    this.used = 0;
    this.keyOf = [];
    this.free = [];
    this.idle.fill(0);
    this.idleCount = 0;
    this.holding = false;
  }

  private growIds(): void {
    const idle = new Uint8Array(this.idle.length * 2);
    idle.set(this.idle);
    this.idle = idle;
    const hashOf = new Int32Array(this.hashOf.length * 2);
    hashOf.set(this.hashOf);
    this.hashOf = hashOf;
  }

  /** Free every idle id and rebuild the table from the keys left, sized for them. */
  private sweep(): void {
    for (let id = 0; id < this.keyOf.length; id++) {
      if (this.idle[id] === 0 || this.keyOf[id] === FREE) continue;
      this.keyOf[id] = FREE;
      this.idle[id] = 0;
      this.free.push(id);
    }
    this.used -= this.idleCount;
    this.idleCount = 0;
    let slots = MIN_SLOTS;
    while (slots < 4 * this.used) slots *= 2;
    this.rebuild(slots);
  }

  /** Re-insert every key into a table of `slots` slots. */
  private rebuild(slots: number): void {
    const t = new Int32Array(2 * slots);
    const mask = slots - 1;
    for (let id = 0; id < this.keyOf.length; id++) {
      if (this.keyOf[id] === FREE) continue;
      const h = this.hashOf[id]!;
      let p = h & mask;
      while (t[2 * p] !== 0) p = (p + 1) & mask;
      t[2 * p] = id + 1;
      t[2 * p + 1] = h;
    }
    this.table = t;
    this.mask = mask;
  }
}
