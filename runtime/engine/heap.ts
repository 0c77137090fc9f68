// A binary min-heap ordered by a numeric priority, ties broken by insertion order, so timers and
// window firings due at the same time come out in a reproducible order.

interface Entry<T> {
  p: number;
  seq: number;
  v: T;
}

export class MinHeap<T> {
  private a: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.a.length;
  }

  /** Priority of the smallest entry, or +Infinity when empty. */
  peekPriority(): number {
    return this.a.length > 0 ? this.a[0]!.p : Infinity;
  }

  peek(): T | undefined {
    return this.a[0]?.v;
  }

  push(p: number, v: T): void {
    const a = this.a;
    const e = { p, seq: this.seq++, v };
    let i = a.length;
    a.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(e, a[parent]!)) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = e;
  }

  pop(): T | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(a[r]!, a[l]!) ? r : l;
        if (!less(a[c]!, last)) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top.v;
  }

  /** Every entry, in no particular order (snapshots). */
  entries(): { priority: number; value: T }[] {
    return this.a.map((e) => ({ priority: e.p, value: e.v }));
  }

  clear(): void {
    this.a = [];
  }
}

function less<T>(x: Entry<T>, y: Entry<T>): boolean {
  return x.p < y.p || (x.p === y.p && x.seq < y.seq);
}
