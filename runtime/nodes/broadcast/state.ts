// The broadcast state (Flink's BroadcastState behind a MapStateDescriptor): one map for the whole
// operator, written only by the broadcast side. The main side reads it through a read-only view,
// and values are stored as frozen copies, so no key can change what the others see — Flink asks
// this of user code (ReadOnlyBroadcastState); here it is enforced.
import type { MapKey } from '../../engine/state/types.js';

export interface ReadOnlyBroadcast {
  get(k: MapKey): unknown;
  contains(k: MapKey): boolean;
  keys(): MapKey[];
  entries(): [MapKey, unknown][];
  size(): number;
}

export interface WritableBroadcast extends ReadOnlyBroadcast {
  put(k: MapKey, v: unknown): void;
  remove(k: MapKey): void;
  clear(): void;
}

function checkKey(k: unknown): MapKey {
  if (typeof k === 'string' || typeof k === 'boolean' || (typeof k === 'number' && Number.isFinite(k))) return k;
  throw new Error(`a broadcast state key must be a string, a finite number or a boolean, not ${k === null ? 'null' : typeof k}`);
}

function deepFreeze(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

export class BroadcastState {
  private readonly map = new Map<MapKey, unknown>();
  /** The entries as a plain object, what `output` expressions see as `broadcast`; rebuilt on write. */
  object: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>);
  readonly readOnly: ReadOnlyBroadcast;
  readonly writable: WritableBroadcast;

  constructor() {
    const read: ReadOnlyBroadcast = {
      get: (k) => this.map.get(k),
      contains: (k) => this.map.has(k),
      keys: () => [...this.map.keys()],
      entries: () => [...this.map.entries()],
      size: () => this.map.size,
    };
    this.readOnly = Object.freeze(read);
    this.writable = Object.freeze({
      ...read,
      put: (k: MapKey, v: unknown) => this.put(k, v),
      remove: (k: MapKey) => this.remove(k),
      clear: () => this.clear(),
    });
  }

  get size(): number {
    return this.map.size;
  }

  put(k: unknown, v: unknown): void {
    const key = checkKey(k);
    if (v === null || v === undefined) {
      this.remove(key);
      return;
    }
    this.map.set(key, deepFreeze(structuredClone(v)));
    this.rebuild();
  }

  remove(k: unknown): void {
    if (this.map.delete(checkKey(k))) this.rebuild();
  }

  clear(): void {
    if (this.map.size === 0) return;
    this.map.clear();
    this.rebuild();
  }

  /** Entries in insertion order, as copies (snapshots). */
  snapshot(): [MapKey, unknown][] {
    return structuredClone([...this.map.entries()]);
  }

  restore(entries: readonly [MapKey, unknown][]): void {
    this.map.clear();
    for (const [k, v] of entries) this.map.set(k, deepFreeze(structuredClone(v)));
    this.rebuild();
  }

  // Broadcast records are few (rules, a list a minute): rebuilding the object per write keeps the
  // main side's per-record cost at one property read.
  private rebuild(): void {
    const o = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of this.map) o[String(k)] = v;
    this.object = Object.freeze(o);
  }
}
