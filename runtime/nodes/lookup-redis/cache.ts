// A small time-to-live cache for lookups: insertion-ordered Map, oldest entry evicted first.
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttl: number,
    private readonly max: number,
  ) {}

  /** The cached value, or undefined when absent or expired. */
  get(key: string, now: number): { value: V } | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e.expires <= now) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, value: V, now: number): void {
    this.map.delete(key);
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, { value, expires: now + this.ttl });
  }

  get size(): number {
    return this.map.size;
  }
}
