// Count windows: Flink's `countWindow(n)` — GlobalWindows with PurgingTrigger.of(CountTrigger.of(n)).
// Every n records of a key fire and clear its window. Time plays no part: a global window is never
// late and never closes, so a partial window is not emitted at the end of input, as in Flink.
import type { BuildContext } from '../../engine/factory.js';
import type { StateSize, WindowTiming } from '../../engine/metrics.js';
import type { OperatorSnapshot } from '../../engine/timed.js';
import { MAP_ENTRY_BYTES, WindowBase, keyBytes } from './base.js';
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
    const keys = [...this.open].map(([k, w]) => [k, w.n, w.maxTs, this.acc.save(w.slot)]);
    return { kind: 'window.count', version: 1, data: structuredClone({ keys, arrivals: this.acc.arrivals }) };
  }

  restoreState(s: OperatorSnapshot): void {
    if (s.kind !== 'window.count' || s.version !== 1) throw new Error(`cannot restore ${s.kind} v${s.version} into a count window`);
    for (const w of this.open.values()) this.acc.release(w.slot);
    this.open.clear();
    this.keyBytes = 0;
    const data = structuredClone(s.data) as { keys: [unknown, number, number, unknown[]][]; arrivals: number };
    for (const [k, n, maxTs, saved] of data.keys) {
      this.open.set(k, { slot: this.acc.load(saved), n, maxTs });
      this.keyBytes += keyBytes(k);
    }
    this.acc.arrivals = data.arrivals;
  }
}
