// The interval join's pending cleanups of one side: (due time, key id) pairs, IntervalJoinOperator's
// cleanup timers. Each side's cleanup delay is fixed and records mostly arrive in event-time
// order, so due times mostly arrive in order too: those go to a ring of two typed arrays (no
// allocation per entry), and only an entry earlier than the ring's last goes to a typed binary
// heap. A cleanup emits nothing, so the order among entries due at one watermark does not matter;
// `popDue` takes every entry ≤ the watermark from both.

const INITIAL = 1024;

export class DueQueue {
  // Ring: capacity a power of two; live entries from `head` for `count`.
  private rDue = new Float64Array(INITIAL);
  private rId = new Int32Array(INITIAL);
  private head = 0;
  private count = 0;
  private lastDue = -Infinity;
  // Heap of the out-of-order ones.
  private hDue = new Float64Array(64);
  private hId = new Int32Array(64);
  private hSize = 0;

  get size(): number {
    return this.count + this.hSize;
  }

  push(due: number, id: number): void {
    if (this.count === 0 || due >= this.lastDue) {
      if (this.count === this.rDue.length) this.growRing();
      const at = (this.head + this.count) & (this.rDue.length - 1);
      this.rDue[at] = due;
      this.rId[at] = id;
      this.count++;
      this.lastDue = due;
    } else {
      this.heapPush(due, id);
    }
  }

  /** The earliest due time queued, or +Infinity when empty. */
  nextDue(): number {
    const r = this.count > 0 ? this.rDue[this.head]! : Infinity;
    const h = this.hSize > 0 ? this.hDue[0]! : Infinity;
    return r <= h ? r : h;
  }

  /** Remove the earliest entry due at or before `wm` and return its id, or -1 when none is due. */
  popDue(wm: number): number {
    const r = this.count > 0 ? this.rDue[this.head]! : Infinity;
    const h = this.hSize > 0 ? this.hDue[0]! : Infinity;
    if (r <= h) {
      // The final watermark is +Infinity, which an empty queue's +Infinity must not match.
      if (this.count === 0 || !(r <= wm)) return -1;
      const id = this.rId[this.head]!;
      this.head = (this.head + 1) & (this.rDue.length - 1);
      this.count--;
      return id;
    }
    if (!(h <= wm)) return -1;
    return this.heapPop();
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.lastDue = -Infinity;
    this.hSize = 0;
  }

  private growRing(): void {
    const n = this.rDue.length;
    const due = new Float64Array(n * 2);
    const id = new Int32Array(n * 2);
    for (let i = 0; i < this.count; i++) {
      const j = (this.head + i) & (n - 1);
      due[i] = this.rDue[j]!;
      id[i] = this.rId[j]!;
    }
    this.rDue = due;
    this.rId = id;
    this.head = 0;
  }

  private heapPush(due: number, id: number): void {
    if (this.hSize === this.hDue.length) {
      const d = new Float64Array(this.hSize * 2);
      const k = new Int32Array(this.hSize * 2);
      d.set(this.hDue);
      k.set(this.hId);
      this.hDue = d;
      this.hId = k;
    }
    const hd = this.hDue;
    const hk = this.hId;
    let i = this.hSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hd[p]! <= due) break;
      hd[i] = hd[p]!;
      hk[i] = hk[p]!;
      i = p;
    }
    hd[i] = due;
    hk[i] = id;
  }

  private heapPop(): number {
    const hd = this.hDue;
    const hk = this.hId;
    const top = hk[0]!;
    const n = --this.hSize;
    const due = hd[n]!;
    const id = hk[n]!;
    let i = 0;
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      if (c + 1 < n && hd[c + 1]! < hd[c]!) c++;
      if (hd[c]! >= due) break;
      hd[i] = hd[c]!;
      hk[i] = hk[c]!;
      i = c;
    }
    hd[i] = due;
    hk[i] = id;
    return top;
  }
}
