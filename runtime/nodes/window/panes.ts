// Tumbling and sliding windows (Flink TumblingEventTimeWindows / SlidingEventTimeWindows and
// their processing-time twins, with EventTimeTrigger / ProcessingTimeTrigger). Every key's state
// for one window lives in one pane, so a window fires all its keys together.
import type { BuildContext } from '../../engine/factory.js';
import type { StateSize, WindowTiming } from '../../engine/metrics.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { slidingStarts, windowStart } from './assign.js';
import { MAP_ENTRY_BYTES, WindowBase, keyBytes } from './base.js';
import { type KeyColumn, decodeKeys, encodeKeys } from './columns.js';
import type { AggregateSpec } from './spec.js';

class Pane {
  readonly keys = new Map<unknown, number>();
  keyBytes = 0;
  /** The watermark (or clock) has passed the window's end: its regular firing is done. */
  fired = false;
  dead = false;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
}

interface Due {
  readonly pane: Pane;
  readonly cleanup: boolean;
}

export interface PaneOptions {
  readonly size: number;
  /** Equal to size for tumbling windows. */
  readonly slide: number;
  readonly offset: number;
}

export class PaneWindows extends WindowBase<Due> {
  private readonly panes = new Map<number, Pane>();
  private last: Pane | null = null;
  private readonly starts: number[] = [];
  /** Sliding windows: the panes of the last record's windows, reused while they stay the same. */
  private lastPanes: Pane[] = [];

  constructor(
    ctx: BuildContext,
    aggregates: Readonly<Record<string, AggregateSpec>>,
    time: 'event' | 'processing',
    lateness: number,
    private readonly w: PaneOptions,
  ) {
    super(ctx, aggregates, time, time === 'event' ? lateness : 0);
  }

  protected processRecord(rec: unknown, ts: number, key: unknown): void {
    const t = this.eventTime ? ts : this.procNow;
    const { size, slide, offset } = this.w;
    const starts = this.starts;
    let n = 1;
    if (size === slide) starts[0] = windowStart(t, offset, size);
    else n = slidingStarts(t, size, slide, offset, starts);
    let accepted = false;
    for (let j = 0; j < n; j++) {
      const start = starts[j]!;
      const maxTs = start + size - 1;
      // Flink WindowOperator.isWindowLate: the window's cleanup time has passed.
      if (this.eventTime && maxTs + this.lateness <= this.wmNow) continue;
      if (!accepted) {
        if (!this.prepared(rec, ts)) return;
        accepted = true;
      }
      let pane = this.lastPanes[j];
      if (pane === undefined || pane.start !== start || pane.dead) pane = this.lastPanes[j] = this.paneFor(start);
      let slot = pane.keys.get(key);
      if (slot === undefined) {
        slot = this.acc.alloc();
        pane.keys.set(key, slot);
        pane.keyBytes += keyBytes(key);
      }
      this.acc.add(slot);
      // EventTimeTrigger.onElement: the watermark is already past the window: fire now (late firing).
      if (this.eventTime && maxTs <= this.wmNow) this.fire(key, start, start + size, slot, maxTs);
    }
    if (!accepted) this.late(rec, ts);
  }

  private paneFor(start: number): Pane {
    const last = this.last;
    if (last !== null && last.start === start) return last;
    let pane = this.panes.get(start);
    if (pane === undefined) pane = this.open(start);
    this.last = pane;
    return pane;
  }

  private open(start: number, fired?: boolean): Pane {
    const pane = new Pane(start, start + this.w.size);
    const maxTs = pane.end - 1;
    this.panes.set(start, pane);
    pane.fired = fired ?? (this.eventTime && maxTs <= this.wmNow);
    if (!pane.fired) this.queue.push(maxTs, { pane, cleanup: false });
    // With lateness the state outlives the firing; without, the firing also cleans up.
    if (this.lateness > 0) this.queue.push(maxTs + this.lateness, { pane, cleanup: true });
    else if (pane.fired) this.queue.push(maxTs, { pane, cleanup: true });
    return pane;
  }

  protected due(e: Due): void {
    const pane = e.pane;
    if (pane.dead) return;
    if (!e.cleanup) {
      pane.fired = true;
      const maxTs = pane.end - 1;
      for (const [key, slot] of pane.keys) this.fire(key, pane.start, pane.end, slot, maxTs);
      if (this.lateness > 0) return;
    }
    this.purge(pane);
  }

  private purge(pane: Pane): void {
    pane.dead = true;
    for (const slot of pane.keys.values()) this.acc.release(slot);
    this.panes.delete(pane.start);
    if (this.last === pane) this.last = null;
  }

  protected timing(): Omit<WindowTiming, 'processingTime'> {
    // Few panes are open at a time (one per window, whatever the keys): an exact answer is cheap.
    let nextFire = Infinity;
    let openWindows = 0;
    for (const p of this.panes.values()) {
      if (p.fired || p.dead) continue;
      openWindows++;
      if (p.end - 1 < nextFire) nextFire = p.end - 1;
    }
    return { nextFire: openWindows === 0 ? null : nextFire, openWindows };
  }

  stateSize(): StateSize {
    let keys = 0;
    let bytes = this.acc.bytes() + 48 * this.queue.size;
    for (const p of this.panes.values()) {
      keys += p.keys.size;
      bytes += 96 + p.keys.size * MAP_ENTRY_BYTES + p.keyBytes;
    }
    return { keys, bytes };
  }

  snapshotState(): OperatorSnapshot {
    // Binary columns (version 3, columns.ts): keys as one string and their lengths, numeric
    // accumulators as Float64Arrays. Everything here is a fresh copy, so the checkpoint is encoded
    // and written after the sources go on.
    const panes = [...this.panes.values()].map((p) => {
      const n = p.keys.size;
      const keys = new Array<unknown>(n);
      const slots = new Int32Array(n);
      let i = 0;
      for (const [k, slot] of p.keys) {
        keys[i] = k;
        slots[i++] = slot;
      }
      return { start: p.start, fired: p.fired, keys: encodeKeys(keys), cols: this.acc.saveColumns(slots) };
    });
    return { kind: 'window.panes', version: 3, data: { panes, arrivals: this.acc.arrivals } };
  }

  restoreState(s: OperatorSnapshot): void {
    if (s.kind !== 'window.panes' || s.version < 1 || s.version > 3) throw new Error(`cannot restore ${s.kind} v${s.version} into a tumbling/sliding window (this version reads v1 to v3)`);
    for (const p of [...this.panes.values()]) this.purge(p);
    this.queue.clear();
    // Earlier layouts: v1 one [key, saved values] pair per key; v2 keys and per-aggregate columns
    // of saved values as plain arrays. Both are read as they were written.
    type V1 = { start: number; fired: boolean; keys: [unknown, unknown[]][] };
    type V2 = { start: number; fired: boolean; keys: unknown[]; cols: unknown[][] };
    type V3 = { start: number; fired: boolean; keys: KeyColumn; cols: unknown[] };
    const data = (s.version === 3 ? s.data : structuredClone(s.data)) as { panes: (V1 | V2 | V3)[]; arrivals: number };
    for (const p of data.panes) {
      const pane = this.open(p.start, p.fired);
      const add = (k: unknown, slot: number) => {
        pane.keys.set(k, slot);
        pane.keyBytes += keyBytes(k);
      };
      if (s.version === 1) {
        for (const [k, saved] of (p as V1).keys) add(k, this.acc.load(saved));
      } else if (s.version === 2) {
        const { keys, cols } = p as V2;
        for (let j = 0; j < keys.length; j++) add(keys[j], this.acc.load(cols.map((c) => c[j])));
      } else {
        const keys = decodeKeys((p as V3).keys);
        const slots = this.acc.loadColumns(keys.length, (p as V3).cols);
        for (let j = 0; j < keys.length; j++) add(keys[j], slots[j]!);
      }
    }
    this.acc.arrivals = data.arrivals;
    if (!this.eventTime) this.wake();
  }
}
