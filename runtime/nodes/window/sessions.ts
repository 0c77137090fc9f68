// Session windows (Flink EventTimeSessionWindows / ProcessingTimeSessionWindows): each record
// opens [t, t + gap); a key's windows that touch or overlap merge (TimeWindow.intersects,
// MergingWindowSet.addWindow), their accumulators folded together (AggregateFunction.merge).
import type { BuildContext } from '../../engine/factory.js';
import type { StateSize, WindowTiming } from '../../engine/metrics.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { intersects } from './assign.js';
import { MAP_ENTRY_BYTES, WindowBase, keyBytes } from './base.js';
import type { AggregateSpec } from './spec.js';

interface Session {
  readonly key: unknown;
  readonly start: number;
  readonly end: number;
  readonly slot: number;
  alive: boolean;
  /** Its regular (on-time) firing has happened. */
  fired: boolean;
}

interface Due {
  readonly s: Session;
  readonly cleanup: boolean;
}

/** Heap bytes of a session object and its array cell. */
const SESSION_BYTES = 72;

export class SessionWindows extends WindowBase<Due> {
  /** Each key's open sessions, sorted by start, pairwise apart (they would have merged). */
  private readonly byKey = new Map<unknown, Session[]>();
  private sessions = 0;
  private keyBytes = 0;

  constructor(
    ctx: BuildContext,
    aggregates: Readonly<Record<string, AggregateSpec>>,
    time: 'event' | 'processing',
    lateness: number,
    private readonly gap: number,
  ) {
    super(ctx, aggregates, time, time === 'event' ? lateness : 0);
  }

  protected processRecord(rec: unknown, ts: number, key: unknown): void {
    const t = this.eventTime ? ts : this.procNow;
    let start = t;
    let end = t + this.gap;
    const list = this.byKey.get(key);
    // The sessions the new window touches; existing ones never touch each other.
    let first = -1;
    let count = 0;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!;
        if (!intersects(s.start, s.end, t, t + this.gap)) continue;
        if (first < 0) first = i;
        count++;
        if (s.start < start) start = s.start;
        if (s.end > end) end = s.end;
      }
    }
    const maxTs = end - 1;
    // WindowOperator: a merged window that is already late is dropped, and so is the record.
    if (this.eventTime && maxTs + this.lateness <= this.wmNow) {
      this.late(rec, ts);
      return;
    }
    if (!this.prepared(rec, ts)) return;
    let slot: number;
    if (count === 0) {
      slot = this.acc.alloc();
    } else {
      // The merged window keeps the first window's state (MergingWindowSet's state window).
      const merged = list!.splice(first, count);
      slot = merged[0]!.slot;
      for (const s of merged) {
        s.alive = false;
        if (s.slot !== slot) this.acc.merge(slot, s.slot);
      }
      this.sessions -= count;
    }
    const behind = this.eventTime && maxTs <= this.wmNow;
    const s: Session = { key, start, end, slot, alive: true, fired: behind };
    this.insert(key, list, first < 0 ? undefined : first, s);
    this.acc.add(slot);
    if (behind) {
      // EventTimeTrigger.onElement: behind the watermark, fire at once (a late firing).
      this.fire(key, start, end, slot, maxTs);
    } else {
      this.queue.push(maxTs, { s, cleanup: false });
    }
    if (this.lateness > 0) this.queue.push(maxTs + this.lateness, { s, cleanup: true });
  }

  private insert(key: unknown, list: Session[] | undefined, at: number | undefined, s: Session): void {
    this.sessions++;
    if (list === undefined) {
      this.byKey.set(key, [s]);
      this.keyBytes += keyBytes(key);
      return;
    }
    let i = at ?? list.length;
    if (at === undefined) while (i > 0 && list[i - 1]!.start > s.start) i--;
    list.splice(i, 0, s);
  }

  protected due(e: Due): void {
    const s = e.s;
    if (!s.alive) return;
    if (!e.cleanup) {
      s.fired = true;
      this.fire(s.key, s.start, s.end, s.slot, s.end - 1);
      if (this.lateness > 0) return;
    }
    this.remove(s);
  }

  private remove(s: Session): void {
    s.alive = false;
    this.acc.release(s.slot);
    this.sessions--;
    const list = this.byKey.get(s.key)!;
    list.splice(list.indexOf(s), 1);
    if (list.length === 0) {
      this.byKey.delete(s.key);
      this.keyBytes -= keyBytes(s.key);
    }
  }

  protected timing(): Omit<WindowTiming, 'processingTime'> {
    // The queue's head is the earliest due entry; one of a merged-away session is skipped when
    // due, so this may name a time a little early, never late.
    return { nextFire: this.sessions === 0 || this.queue.size === 0 ? null : this.queue.peekPriority(), openWindows: this.sessions };
  }

  stateSize(): StateSize {
    const bytes = this.acc.bytes() + 48 * this.queue.size + this.byKey.size * (MAP_ENTRY_BYTES + 32) + this.keyBytes + this.sessions * SESSION_BYTES;
    return { keys: this.byKey.size, bytes };
  }

  snapshotState(): OperatorSnapshot {
    const keys = [...this.byKey].map(([k, list]) => [k, list.map((s) => ({ start: s.start, end: s.end, fired: s.fired, acc: this.acc.save(s.slot) }))]);
    return { kind: 'window.sessions', version: 1, data: structuredClone({ keys, arrivals: this.acc.arrivals }) };
  }

  restoreState(snap: OperatorSnapshot): void {
    if (snap.kind !== 'window.sessions' || snap.version !== 1) throw new Error(`cannot restore ${snap.kind} v${snap.version} into a session window`);
    for (const list of [...this.byKey.values()]) for (const s of [...list]) this.remove(s);
    this.queue.clear();
    const data = structuredClone(snap.data) as { keys: [unknown, { start: number; end: number; fired: boolean; acc: unknown[] }[]][]; arrivals: number };
    for (const [key, list] of data.keys) {
      for (const saved of list) {
        const s: Session = { key, start: saved.start, end: saved.end, slot: this.acc.load(saved.acc), alive: true, fired: saved.fired };
        this.insert(key, this.byKey.get(key), undefined, s);
        if (!s.fired) this.queue.push(s.end - 1, { s, cleanup: false });
        if (this.lateness > 0 || s.fired) this.queue.push(s.end - 1 + this.lateness, { s, cleanup: true });
      }
    }
    this.acc.arrivals = data.arrivals;
    if (!this.eventTime) this.wake();
  }
}
