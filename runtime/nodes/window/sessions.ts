// Session windows (Flink EventTimeSessionWindows / ProcessingTimeSessionWindows): each record
// opens [t, t + gap); a key's windows that touch or overlap merge (TimeWindow.intersects,
// MergingWindowSet.addWindow), their accumulators folded together (AggregateFunction.merge).
import type { BuildContext } from '../../engine/factory.js';
import type { StateSize, WindowTiming } from '../../engine/metrics.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { intersects } from './assign.js';
import { MAP_ENTRY_BYTES, WindowBase, keyBytes } from './base.js';
import { type KeyColumn, decodeKeys, encodeKeys } from './columns.js';
import type { AggregateSpec } from './spec.js';

interface Session {
  readonly key: unknown;
  readonly start: number;
  readonly end: number;
  readonly slot: number;
  alive: boolean;
  /** Its regular (on-time) firing has happened. */
  fired: boolean;
  /**
   * The places of its fire and cleanup entries in the queue's insertion order (-1: none). Firings
   * due at one time leave in that order; a snapshot keeps it, so a restored run fires sessions of
   * different keys that end together in the order the uninterrupted run does.
   */
  fireSeq: number;
  cleanSeq: number;
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
    const s: Session = { key, start, end, slot, alive: true, fired: behind, fireSeq: -1, cleanSeq: -1 };
    this.insert(key, list, first < 0 ? undefined : first, s);
    this.acc.add(slot);
    if (behind) {
      // EventTimeTrigger.onElement: behind the watermark, fire at once (a late firing).
      this.fire(key, start, end, slot, maxTs);
    } else {
      s.fireSeq = this.queue.push(maxTs, { s, cleanup: false });
    }
    if (this.lateness > 0) s.cleanSeq = this.queue.push(maxTs + this.lateness, { s, cleanup: true });
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
    // Version 2, binary columns (columns.ts says why): each key once, how many sessions it has,
    // then one row per session in key order. A million keys copy as a handful of typed arrays
    // and one joined string instead of a million small objects, and the copy is independent of
    // the live state, so it is encoded after the sources go on.
    const keys = new Array<unknown>(this.byKey.size);
    const counts = new Uint32Array(this.byKey.size);
    const n = this.sessions;
    const start = new Float64Array(n);
    const end = new Float64Array(n);
    const fired = new Uint8Array(n);
    const fireSeq = new Float64Array(n);
    const cleanSeq = new Float64Array(n);
    const slots = new Int32Array(n);
    let k = 0;
    let i = 0;
    for (const [key, list] of this.byKey) {
      keys[k] = key;
      counts[k++] = list.length;
      for (const s of list) {
        start[i] = s.start;
        end[i] = s.end;
        fired[i] = s.fired ? 1 : 0;
        fireSeq[i] = s.fireSeq;
        cleanSeq[i] = s.cleanSeq;
        slots[i++] = s.slot;
      }
    }
    const data: SessionsV2 = { keys: encodeKeys(keys), counts, start, end, fired, fireSeq, cleanSeq, cols: this.acc.saveColumns(slots), arrivals: this.acc.arrivals };
    return { kind: 'window.sessions', version: 2, data };
  }

  restoreState(snap: OperatorSnapshot): void {
    if (snap.kind !== 'window.sessions' || snap.version < 1 || snap.version > 2) {
      throw new Error(`cannot restore ${snap.kind} v${snap.version} into a session window (this version reads v1 and v2)`);
    }
    for (const list of [...this.byKey.values()]) for (const s of [...list]) this.remove(s);
    this.queue.clear();
    if (snap.version === 1) this.restoreV1(snap.data);
    else this.restoreV2(snap.data as SessionsV2);
    if (!this.eventTime) this.wake();
  }

  private restoreV2(d: SessionsV2): void {
    const keys = decodeKeys(d.keys);
    const n = d.start.length;
    if (keys.length !== d.counts.length || d.end.length !== n || d.fired.length !== n || d.fireSeq.length !== n || d.cleanSeq.length !== n) {
      throw new Error('session window checkpoint: its columns differ in length');
    }
    const slots = this.acc.loadColumns(n, d.cols);
    let i = 0;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      for (let j = 0; j < d.counts[k]!; j++, i++) this.add(key, d.start[i]!, d.end[i]!, d.fired[i] === 1, slots[i]!, d.fireSeq[i]!, d.cleanSeq[i]!);
    }
    if (i !== n) throw new Error(`session window checkpoint: its keys hold ${i} sessions, its columns ${n}`);
    this.acc.arrivals = d.arrivals;
  }

  /** Version 1 (before binary columns): one [key, sessions] pair per key, each session an object. */
  private restoreV1(data: unknown): void {
    const d = structuredClone(data) as { keys: [unknown, { start: number; end: number; fired: boolean; acc: unknown[] }[]][]; arrivals: number };
    for (const [key, list] of d.keys) for (const saved of list) this.add(key, saved.start, saved.end, saved.fired, this.acc.load(saved.acc));
    this.acc.arrivals = d.arrivals;
  }

  /**
   * A restored session: into its key's list and the queue, as processRecord would have left it,
   * its entries at their saved places in the queue's order (-1 in both: version 1, which did not
   * save them; they follow the order of restoring).
   */
  private add(key: unknown, start: number, end: number, fired: boolean, slot: number, fireSeq = -1, cleanSeq = -1): void {
    const s: Session = { key, start, end, slot, alive: true, fired, fireSeq: -1, cleanSeq: -1 };
    this.insert(key, this.byKey.get(key), undefined, s);
    const q = this.queue;
    const push = (p: number, seq: number, e: Due) => {
      if (seq < 0) return q.push(p, e);
      q.pushAt(p, seq, e);
      return seq;
    };
    if (!s.fired) s.fireSeq = push(s.end - 1, fireSeq, { s, cleanup: false });
    if (this.lateness > 0 || s.fired) s.cleanSeq = push(s.end - 1 + this.lateness, cleanSeq, { s, cleanup: true });
  }
}

/** Version 2 of a session window's snapshot: binary columns. */
interface SessionsV2 {
  readonly keys: KeyColumn;
  /** Sessions of each key; the session columns hold them in key order. */
  readonly counts: Uint32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly fired: Uint8Array;
  /** Each session's places in the queue's insertion order (Session.fireSeq, cleanSeq; -1: none). */
  readonly fireSeq: Float64Array;
  readonly cleanSeq: Float64Array;
  /** Per aggregate, one column over the sessions (Accumulators.saveColumns). */
  readonly cols: unknown[];
  readonly arrivals: number;
}
