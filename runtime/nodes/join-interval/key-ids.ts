// Small integer ids for the interval join's keys, so per-key data can live in typed columns
// indexed by id (side.ts). An id is freed once neither side holds records for its key, and
// reused by a later key, so the columns stay as large as the keys alive at once.

export class KeyIds {
  private readonly ids = new Map<unknown, number>();
  private keyOf: unknown[] = [];
  private free: number[] = [];

  get size(): number {
    return this.ids.size;
  }

  /** The key's id, assigning one when it has none. */
  idOf(key: unknown): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.free.length > 0 ? this.free.pop()! : this.keyOf.length;
      this.keyOf[id] = key;
      this.ids.set(key, id);
    }
    return id;
  }

  release(id: number): void {
    this.ids.delete(this.keyOf[id]);
    this.keyOf[id] = undefined;
    this.free.push(id);
  }

  /** One key held (for sizing keys, which are alike). */
  anyKey(): unknown {
    return this.ids.keys().next().value;
  }

  forEach(fn: (key: unknown, id: number) => void): void {
    for (const [key, id] of this.ids) fn(key, id);
  }

  clear(): void {
    this.ids.clear();
    this.keyOf = [];
    this.free = [];
  }
}
