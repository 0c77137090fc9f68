// Data taps: the latest records crossing an edge of a running job, sampled and rate-limited so a
// busy edge costs the job one reference copy per record at most (and nothing once the tap closes).
// Several taps on edges that share a port share one watcher.
import type { Batch } from '../engine/batch.js';
import type { EdgeProbe, EdgeWatcher } from '../engine/probe.js';
import type { HostEvents } from './contract.js';

type TapRecord = HostEvents['tap']['records'][number];

/** Keeps the newest `capacity` records seen since the last drain, in arrival order. */
class Latest {
  private recs: unknown[] = [];
  private ts: number[] = [];
  private keys: unknown[] = [];
  private next = 0;
  private filled = 0;
  seen = 0;

  constructor(private readonly capacity: number) {}

  push(rec: unknown, ts: number, key: unknown): void {
    this.recs[this.next] = rec;
    this.ts[this.next] = ts;
    this.keys[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
    this.seen++;
  }

  /** Only the newest `capacity` records of a batch can survive, so only those are copied. */
  pushBatch(b: Batch): void {
    const n = b.recs.length;
    const from = Math.max(0, n - this.capacity);
    this.seen += from;
    for (let i = from; i < n; i++) this.push(b.recs[i], b.ts[i]!, b.keys === null ? undefined : b.keys[i]);
  }

  drain(): TapRecord[] {
    const out: TapRecord[] = [];
    const start = (this.next - this.filled + this.capacity) % this.capacity;
    for (let i = 0; i < this.filled; i++) {
      const j = (start + i) % this.capacity;
      out.push(this.keys[j] === undefined ? { ts: this.ts[j]!, value: this.recs[j] } : { ts: this.ts[j]!, key: this.keys[j], value: this.recs[j] });
      this.recs[j] = undefined; // let the job's records go
    }
    this.filled = 0;
    return out;
  }
}

interface Tap {
  readonly probe: EdgeProbe;
  readonly buffer: Latest;
  /** The host's own taps (field sampling) are drained by `take`, never sent as events. */
  readonly silent: boolean;
}

/** A JSON-safe copy of a record: a tap must never fail, whatever the pipeline emits. */
function plain(v: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null');
  } catch {
    return String(v);
  }
}

export class TapManager {
  private readonly taps = new Map<number, Tap>();
  private nextId = 1;

  constructor(private readonly flushIntervalMs: number) {}

  open(probe: EdgeProbe, maxPerSecond: number, silent = false): number {
    const id = this.nextId++;
    const perFlush = Math.max(1, Math.round((maxPerSecond * this.flushIntervalMs) / 1000));
    this.taps.set(id, { probe, buffer: new Latest(perFlush), silent });
    this.rewire(probe);
    return id;
  }

  close(id: number): void {
    const tap = this.taps.get(id);
    if (!tap) return;
    this.taps.delete(id);
    this.rewire(tap.probe);
  }

  closeAll(): void {
    const probes = new Set([...this.taps.values()].map((t) => t.probe));
    this.taps.clear();
    for (const p of probes) p.watch(null);
  }

  /** Records one tap saw since it was last drained (raw references; for the host's own use). */
  take(id: number): TapRecord[] {
    return this.taps.get(id)?.buffer.drain() ?? [];
  }

  /** One event per tap that saw records since the last flush. */
  flush(): HostEvents['tap'][] {
    const out: HostEvents['tap'][] = [];
    for (const [tapId, tap] of this.taps) {
      if (tap.silent) continue;
      const records = tap.buffer.drain();
      if (records.length === 0) continue;
      out.push({ tapId, seen: tap.buffer.seen, records: records.map((r) => ({ ...r, value: plain(r.value), ...(r.key === undefined ? {} : { key: plain(r.key) }) })) });
    }
    return out;
  }

  /** Point the probe's watcher at every tap currently open on it (or detach it). */
  private rewire(probe: EdgeProbe): void {
    const buffers = [...this.taps.values()].filter((t) => t.probe === probe).map((t) => t.buffer);
    if (buffers.length === 0) {
      probe.watch(null);
      return;
    }
    const watcher: EdgeWatcher = {
      record(rec, ts, key) {
        for (const b of buffers) b.push(rec, ts, key);
      },
      batch(b: Batch) {
        for (const buf of buffers) buf.pushBatch(b);
      },
    };
    probe.watch(watcher);
  }
}
