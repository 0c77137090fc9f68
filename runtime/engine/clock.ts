// Processing time for operators: windows on the wall clock, processing-time timers and state TTL.
// Behind an interface so tests drive time by hand and runs stay reproducible.

export interface ProcessingClock {
  /** Current processing time, epoch milliseconds. */
  now(): number;
  /** Call `fn` once the clock has reached `at`. Returns a function that cancels the call. */
  schedule(at: number, fn: () => void): () => void;
}

/** The wall clock. Pending calls are cancelled by the job when it settles. */
export class SystemClock implements ProcessingClock {
  private readonly pending = new Set<ReturnType<typeof setTimeout>>();

  now(): number {
    return Date.now();
  }

  schedule(at: number, fn: () => void): () => void {
    const t = setTimeout(() => {
      this.pending.delete(t);
      fn();
    }, Math.max(0, at - Date.now()));
    this.pending.add(t);
    return () => {
      clearTimeout(t);
      this.pending.delete(t);
    };
  }

  cancelAll(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}

/** A clock that moves only when told to; due calls run in time order (ties in scheduling order). */
export class ManualClock implements ProcessingClock {
  private calls: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  schedule(at: number, fn: () => void): () => void {
    const call = { at, seq: this.seq++, fn };
    this.calls.push(call);
    return () => {
      this.calls = this.calls.filter((c) => c !== call);
    };
  }

  /** Move to `time` (never backwards), running every call that falls due on the way. */
  advanceTo(time: number): void {
    for (;;) {
      let next: { at: number; seq: number; fn: () => void } | null = null;
      for (const c of this.calls) if (c.at <= time && (next === null || c.at < next.at || (c.at === next.at && c.seq < next.seq))) next = c;
      if (next === null) break;
      this.calls = this.calls.filter((c) => c !== next);
      if (next.at > this.time) this.time = next.at;
      next.fn();
    }
    if (time > this.time) this.time = time;
  }

  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }

  get pendingCalls(): number {
    return this.calls.length;
  }
}
