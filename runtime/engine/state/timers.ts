// Per-key timers in event time and processing time, with the semantics of Flink's
// InternalTimerServiceImpl:
// - a timer is identified by (key, timestamp) within its domain: registering it twice keeps one;
// - event-time timers fire when the watermark reaches them (timestamp ≤ watermark), in timestamp
//   order (ties: registration order); the watermark is already the new one while they fire, and a
//   timer registered while firing for a time already reached fires in the same advance;
// - processing-time timers fire once the clock reaches them, through one clock call scheduled for
//   the earliest pending timer and moved earlier when an earlier timer is registered.
// The end of a bounded input is the end of time for both domains (as in Flink's BATCH execution
// mode): `endOfTime` fires every pending event-time timer, then every processing-time timer.
// Timers registered while that happens fire too unless they are later than everything that was
// pending and than the time already reached, and a timer fires at most once in that pass, so a
// timer that re-arms itself ends there instead of looping forever. `close` (an interrupted run)
// cancels the clock call: nothing fires after.
import type { ProcessingClock } from '../clock.js';
import { TimerQueue } from './timer-queue.js';
import type { Key } from './types.js';

export type TimeDomain = 'event' | 'processing';

/** Where due timers go; the timer's key is passed, and is the current key while it fires. */
export interface TimerTarget {
  onTimer(domain: TimeDomain, key: Key, timestamp: number): void;
}

export interface TimersSnapshot {
  readonly version: 1;
  /** [key, timestamp] in firing order. */
  readonly event: [Key, number][];
  readonly processing: [Key, number][];
}

export class TimerService {
  private readonly eventQ = new TimerQueue();
  private readonly procQ = new TimerQueue();
  private wm = -Infinity;
  private cancelWake: (() => void) | null = null;
  private wakeAt = Infinity;
  /** Processing-time timers are firing: the clock call is rescheduled once they are done. */
  private firingProc = false;
  private closed = false;
  /** During the end-of-time pass: the timers already fired in it, as `domain:type:key:ts`. */
  private firedAtEnd: Set<string> | null = null;
  private readonly onWake = (): void => {
    this.cancelWake = null;
    this.wakeAt = Infinity;
    this.runOnClock(this.fireDueProc);
  };
  private readonly fireDueProc = (): void => {
    this.fireProcessing(this.clock.now());
  };

  /**
   * @param runOnClock wraps the firing of processing-time timers from the clock (operators pass
   *   TimedOperator.onClock, which skips stopped jobs and sends what the timers emitted)
   */
  constructor(
    private readonly clock: ProcessingClock,
    private readonly target: TimerTarget,
    private readonly runOnClock: (fn: () => void) => void = (fn) => fn(),
  ) {}

  /** The watermark the event-time timers have been advanced to (Flink's currentWatermark). */
  get watermark(): number {
    return this.wm;
  }

  registerEventTime(key: Key, ts: number): void {
    if (this.firedAtEnd !== null && this.firedAtEnd.has(timerId('event', key, ts))) return;
    this.eventQ.add(key, ts);
  }

  deleteEventTime(key: Key, ts: number): void {
    this.eventQ.delete(key, ts);
  }

  registerProcessingTime(key: Key, ts: number): void {
    if (this.firedAtEnd !== null && this.firedAtEnd.has(timerId('processing', key, ts))) return;
    if (this.procQ.add(key, ts) && ts < this.wakeAt && !this.firingProc) this.schedule(ts);
  }

  deleteProcessingTime(key: Key, ts: number): void {
    // The clock call stays; when it comes it finds nothing due and waits for the next timer.
    this.procQ.delete(key, ts);
  }

  /** Fire every event-time timer ≤ `wm`, including those registered meanwhile for ≤ `wm`. */
  advanceWatermark(wm: number): void {
    if (wm === Infinity) {
      this.endOfTime();
      return;
    }
    this.wm = wm;
    this.fire('event', this.eventQ, wm);
  }

  /** The input is exhausted: fire everything pending, event time first (see the header). */
  endOfTime(): void {
    const eventUpTo = Math.max(this.eventQ.maxTs(), this.wm);
    const procUpTo = Math.max(this.procQ.maxTs(), this.clock.now());
    this.close();
    this.wm = Infinity;
    this.firingProc = true;
    this.firedAtEnd = new Set();
    while (this.fire('event', this.eventQ, eventUpTo) + this.fire('processing', this.procQ, procUpTo) > 0);
    this.eventQ.clear();
    this.procQ.clear();
    this.firedAtEnd = null;
  }

  /** Stop: cancel the pending clock call; nothing fires after this. */
  close(): void {
    this.closed = true;
    this.cancelWake?.();
    this.cancelWake = null;
    this.wakeAt = Infinity;
  }

  get size(): number {
    return this.eventQ.size + this.procQ.size;
  }

  bytes(): number {
    return this.eventQ.bytes() + this.procQ.bytes();
  }

  snapshot(): TimersSnapshot {
    return structuredClone({ version: 1, event: this.eventQ.saved(), processing: this.procQ.saved() });
  }

  /** Replace all timers with a snapshot's, registered in firing order so ties keep their order. */
  restore(s: TimersSnapshot): void {
    if (s.version !== 1) throw new Error(`cannot restore timers snapshot version ${String(s.version)}`);
    this.eventQ.clear();
    this.procQ.clear();
    for (const [k, ts] of s.event) this.eventQ.add(k, ts);
    for (const [k, ts] of s.processing) this.procQ.add(k, ts);
    this.cancelWake?.();
    this.cancelWake = null;
    this.wakeAt = Infinity;
    if (!this.closed) this.scheduleNext();
  }

  /** Processing time `now` has come: fire what is due, then wait for the next timer. */
  private fireProcessing(now: number): void {
    this.firingProc = true;
    try {
      this.fire('processing', this.procQ, now);
    } finally {
      this.firingProc = false;
    }
    this.scheduleNext();
  }

  private fire(domain: 'event' | 'processing', q: TimerQueue, upTo: number): number {
    let n = 0;
    while (q.peekTs() <= upTo) {
      const t = q.pop()!;
      n++;
      this.firedAtEnd?.add(timerId(domain, t.key, t.ts));
      this.target.onTimer(domain, t.key, t.ts);
    }
    return n;
  }

  private scheduleNext(): void {
    const at = this.procQ.peekTs();
    if (at < this.wakeAt) this.schedule(at);
  }

  private schedule(at: number): void {
    if (this.closed) return;
    this.cancelWake?.();
    this.wakeAt = at;
    this.cancelWake = this.clock.schedule(at, this.onWake);
  }
}

function timerId(domain: TimeDomain, key: Key, ts: number): string {
  return `${domain}:${typeof key}:${String(key)}:${ts}`;
}
