// Count windows: Flink's `countWindow(n)` — GlobalWindows with PurgingTrigger.of(CountTrigger.of(n)).
// Every n records of a key fire and clear its window. Time plays no part: a global window is never
// late and never closes, so a partial window is not emitted at the end of input, as in Flink.
import type { BuildContext } from '../../engine/factory.js';
import type { StateSize, WindowTiming } from '../../engine/metrics.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { MAP_ENTRY_BYTES, WindowBase, keyBytes } from './base.js';
import { type KeyColumn, decodeKeys, encodeKeys } from './columns.js';
import type { AggregateSpec } from './spec.js';

interface Open {
  slot: number;
  n: number;
  maxTs: number;
}

export class CountWindows extends WindowBase<never> {
  private readonly open = new Map<unknown, Open>();
  private keyBytes = 0;

  constructor(
    ctx: BuildContext,
    aggregates: Readonly<Record<string, AggregateSpec>>,
    private readonly count: number,
  ) {
    super(ctx, aggregates, 'event', 0);
  }

  protected processRecord(rec: unknown, ts: number, key: unknown): void {
    if (!this.prepared(rec, ts)) return;
    let w = this.open.get(key);
    if (w === undefined) {
      w = { slot: this.acc.alloc(), n: 0, maxTs: ts };
      this.open.set(key, w);
      this.keyBytes += keyBytes(key);
    }
    this.acc.add(w.slot);
    if (ts > w.maxTs) w.maxTs = ts;
    if (++w.n < this.count) return;
    // Flink stamps a global window's result with Long.MAX_VALUE, which would make it late for
    // every event-time node downstream; the newest record's timestamp is the useful one.
    this.fire(key, null, null, w.slot, w.maxTs);
    this.acc.release(w.slot);
    this.open.delete(key);
    this.keyBytes -= keyBytes(key);
  }

  protected due(): void {}

  /** Count windows fire on their n-th record, not at a time. */
  protected timing(): Omit<WindowTiming, 'processingTime'> {
    return { nextFire: null, openWindows: this.open.size };
  }

  stateSize(): StateSize {
    return { keys: this.open.size, bytes: this.acc.bytes() + this.open.size * (MAP_ENTRY_BYTES + 48) + this.keyBytes };
  }

  snapshotState(): OperatorSnapshot {
    // Version 2, binary columns (columns.ts says why): keys, the records each window has taken
    // and its newest timestamp, and the accumulators, one column each.
    const size = this.open.size;
    const keys = new Array<unknown>(size);
    const n = new Float64Array(size);
    const maxTs = new Float64Array(size);
    const slots = new Int32Array(size);
    let i = 0;
    for (const [k, w] of this.open) {
      keys[i] = k;
      n[i] = w.n;
      maxTs[i] = w.maxTs;
      slots[i++] = w.slot;
    }
    const data: CountV2 = { keys: encodeKeys(keys), n, maxTs, cols: this.acc.saveColumns(slots), arrivals: this.acc.arrivals };
    return { kind: 'window.count', version: 2, data };
  }

  restoreState(s: OperatorSnapshot): void {
    if (s.kind !== 'window.count' || s.version < 1 || s.version > 2) throw new Error(`cannot restore ${s.kind} v${s.version} into a count window (this version reads v1 and v2)`);
    for (const w of this.open.values()) this.acc.release(w.slot);
    this.open.clear();
    this.keyBytes = 0;
    const set = (k: unknown, slot: number, n: number, maxTs: number) => {
      this.open.set(k, { slot, n, maxTs });
      this.keyBytes += keyBytes(k);
    };
    if (s.version === 1) {
      // Before binary columns: one [key, n, maxTs, saved accumulators] row per key.
      const data = structuredClone(s.data) as { keys: [unknown, number, number, unknown[]][]; arrivals: number };
      for (const [k, n, maxTs, saved] of data.keys) set(k, this.acc.load(saved), n, maxTs);
      this.acc.arrivals = data.arrivals;
      return;
    }
    const d = s.data as CountV2;
    const keys = decodeKeys(d.keys);
    if (d.n.length !== keys.length || d.maxTs.length !== keys.length) throw new Error('count window checkpoint: its columns differ in length');
    const slots = this.acc.loadColumns(keys.length, d.cols);
    for (let i = 0; i < keys.length; i++) set(keys[i], slots[i]!, d.n[i]!, d.maxTs[i]!);
    this.acc.arrivals = d.arrivals;
  }
}

/** Version 2 of a count window's snapshot: binary columns, one row per open window (key). */
interface CountV2 {
  readonly keys: KeyColumn;
  readonly n: Float64Array;
  readonly maxTs: Float64Array;
  readonly cols: unknown[];
  readonly arrivals: number;
}
