// Small integer ids for the interval join's keys, so per-key data can live in typed columns
// indexed by id (side.ts). A key whose records are all gone keeps its id for a while: keys come
// back all the time (a user's next click), and deleting and re-adding Map entries per record was
// the join's largest cost. The idle ones are swept in one pass once they outnumber the rest, so
// the Map holds at most about twice the keys alive at once.

/** Sweep no sooner than this many idle keys. */
const SWEEP_MIN = 4096;

export class KeyIds {
  private readonly ids = new Map<unknown, number>();
  private keyOf: unknown[] = [];
  private free: number[] = [];
  /** Per id: 1 while its key holds nothing. */
  private idle = new Uint8Array(1024);
  private idleCount = 0;
  /** While a batch's ids are out (idsOf … endBatch), released ids are not swept. */
  private holding = false;

  /** Keys holding records. */
  get size(): number {
    return this.ids.size - this.idleCount;
  }

  /** The key's id, assigning one when it has none. */
  idOf(key: unknown): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.free.length > 0 ? this.free.pop()! : this.keyOf.length;
      if (id >= this.idle.length) {
        const grown = new Uint8Array(this.idle.length * 2);
        grown.set(this.idle);
        this.idle = grown;
      }
      this.keyOf[id] = key;
      this.ids.set(key, id);
    } else if (this.idle[id] === 1) {
      this.idle[id] = 0;
      this.idleCount--;
    }
    return id;
  }

  /**
   * Ids for a whole batch of keys, into `out`. Looking them up in one loop of their own lets the
   * CPU overlap the Map's cache misses, which interleaved with the join's work it cannot; a key
   * released while the batch is handled keeps its id until `endBatch` (see `hold`).
   */
  idsOf(keys: readonly unknown[] | null, n: number, out: Int32Array): void {
    this.holding = true;
    if (keys === null) {
      if (n > 0) out.fill(this.idOf(null), 0, n);
    } else for (let i = 0; i < n; i++) out[i] = this.idOf(keys[i]);
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
    if (this.idleCount >= SWEEP_MIN && this.idleCount * 2 > this.ids.size) this.sweep();
  }

  /** One key held (for sizing keys, which are alike). */
  anyKey(): unknown {
    for (const [key, id] of this.ids) if (this.idle[id] === 0) return key;
    return undefined;
  }

  /** Every key holding records, with its id. */
  forEach(fn: (key: unknown, id: number) => void): void {
    for (const [key, id] of this.ids) if (this.idle[id] === 0) fn(key, id);
  }

  clear(): void {
    this.ids.clear();
    this.keyOf = [];
    this.free = [];
    this.idle.fill(0);
    this.idleCount = 0;
    this.holding = false;
  }

  private sweep(): void {
    for (const [key, id] of this.ids) {
      if (this.idle[id] === 0) continue;
      this.ids.delete(key);
      this.keyOf[id] = undefined;
      this.idle[id] = 0;
      this.free.push(id);
    }
    this.idleCount = 0;
  }
}
