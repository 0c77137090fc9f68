// Keyed state in JavaScript objects (Flink's HeapKeyedStateBackend): one Map from key to that
// key's slots, one slot per registered state. A key whose last slot empties is removed, so a
// stream of ever-new keys with TTL'd state keeps a flat footprint.
//
// Expired state goes away three ways, as on Flink's heap backend: an access that finds it expired
// removes it; every access to a state with TTL, and every record (`cleanupStep`), advances a
// cursor over all keys by a few entries and drops what has expired there (Flink's
// `StateTtlConfig.cleanupIncrementally(5, true)`); and a read never returns it meanwhile.
//
// A cleanup step is skipped while nothing can have expired yet: each full pass of the cursor
// notes the earliest expiry it saw, and anything written since the pass began expires at least
// the shortest TTL after that, so until the earlier of the two no entry can be due. On a run
// whose TTLs are longer than the time since the last pass (as is usual: minutes or hours against
// milliseconds per record), a state access then costs one clock read instead of a walk over a few
// entries of other keys. What a read returns does not depend on it: reads check expiry themselves.
import type { ProcessingClock } from '../clock.js';
import type { StateSize } from '../metrics.js';
import { HeapListState } from './heap-list.js';
import { HeapMapState } from './heap-map.js';
import { type HeapState, type HeapStore, REMOVED, type Slots, UNFINISHED } from './heap-state.js';
import { HeapValueState } from './heap-value.js';
import { ARRAY_HEADER, FIELD, MAP_ENTRY, keyBytes } from './size.js';
import { describeState, sameTtl, ttlConfig, type TtlConfig } from './ttl.js';
import type { Key, KeyedStateBackend, KeyedStateSnapshot, ListState, MapState, SavedState, StateKind, StateOptions, ValueState } from './types.js';

/** Entries checked per cleanup step (Flink's default cleanupSize for incremental cleanup). */
export const CLEANUP_SIZE = 5;

export class HeapKeyedStateBackend implements KeyedStateBackend, HeapStore {
  bytes = 0;
  private keyBytesTotal = 0;
  private readonly keys = new Map<Key, Slots>();
  private readonly states: HeapState[] = [];
  private readonly byName = new Map<string, HeapState>();
  private ttlStates = 0;
  private key: Key = null;
  /** The current key's slots once looked up (`curKnown`); undefined when it holds none. */
  private cur: Slots | undefined = undefined;
  private curKnown = false;
  /** Inside withoutKey: there is no current key. */
  private keyless = false;
  /** Between freezeTime and thawTime: the processing time TTL reads. Freezes nest (`depth`). */
  private frozen = false;
  private frozenAt = 0;
  private depth = 0;
  /** Incremental cleanup cursor: a live iterator over the keys' slots, the slots it is at and where in them. */
  private sweepIt: MapIterator<Slots> | null = null;
  private sweepSlots: Slots | null = null;
  private sweepAt = 1;
  /** Shortest TTL of any state (Infinity: none has a TTL). */
  private minTtl = Infinity;
  /**
   * No entry can be expired before this processing time: cleanup steps until then are skipped.
   * Empty state has nothing to expire; a state with TTL created at `now` has nothing due before
   * `now + ttl`; a restore brings entries of any age (-Infinity until a full pass).
   */
  private quietUntil = Infinity;
  /** The current pass of the cursor: when it began and the earliest expiry it has seen. */
  private passStart = 0;
  private passMin = Infinity;

  constructor(
    private readonly clock: ProcessingClock,
    private readonly cleanupSize = CLEANUP_SIZE,
  ) {}

  get currentKey(): Key {
    return this.key;
  }

  setCurrentKey(key: Key): void {
    this.key = key;
    this.cur = undefined;
    this.curKnown = false;
  }

  withoutKey(fn: () => void): void {
    const was = this.keyless;
    this.keyless = true;
    this.curKnown = false;
    try {
      fn();
    } finally {
      this.keyless = was;
      this.curKnown = false;
    }
  }

  value(name: string, opts?: StateOptions): ValueState {
    return this.register('value', name, opts) as HeapValueState;
  }

  list(name: string, opts?: StateOptions): ListState {
    return this.register('list', name, opts) as HeapListState;
  }

  map(name: string, opts?: StateOptions): MapState {
    return this.register('map', name, opts) as HeapMapState;
  }

  freezeTime(): void {
    if (this.depth++ > 0 || this.ttlStates === 0) return;
    this.frozenAt = this.clock.now();
    this.frozen = true;
  }

  thawTime(): void {
    if (this.depth > 0 && --this.depth === 0) this.frozen = false;
  }

  cleanupStep(): void {
    if (this.ttlStates === 0) return;
    const now = this.frozen ? this.frozenAt : this.clock.now();
    if (now >= this.quietUntil) this.sweep(now, this.cleanupSize);
  }

  stateSize(): StateSize {
    const n = this.keys.size;
    return { keys: n, bytes: this.bytes + this.keyBytesTotal + n * (MAP_ENTRY + ARRAY_HEADER + FIELD * (1 + this.states.length)) };
  }

  snapshot(): KeyedStateSnapshot {
    const states = this.states.map((s) => ({ name: s.name, kind: s.kind, ttl: s.cfg.ttl === 0 ? null : s.cfg.ttl, ttlUpdate: s.cfg.update }));
    const keys: [Key, (SavedState | null)[]][] = [];
    for (const [k, slots] of this.keys) {
      const saved: (SavedState | null)[] = [];
      for (const st of this.states) {
        const slot = slots[st.slot];
        saved.push(slot === undefined ? null : st.save(slot));
      }
      keys.push([k, saved]);
    }
    return structuredClone({ version: 1, states, keys });
  }

  restore(snap: KeyedStateSnapshot): void {
    if (snap.version !== 1) throw new Error(`cannot restore keyed state snapshot version ${String(snap.version)}`);
    const s = structuredClone(snap);
    const ids = s.states.map((d) => {
      const cfg = ttlConfig(d.name, d.ttl === null ? undefined : { ttl: d.ttl, ttlUpdate: d.ttlUpdate });
      const have = this.byName.get(d.name);
      if (have !== undefined && (have.kind !== d.kind || !sameTtl(have.cfg, cfg))) {
        throw new Error(`cannot restore state '${d.name}': the snapshot holds a ${describeState(d.kind, cfg)}, this operator has a ${describeState(have.kind, have.cfg)}`);
      }
      return have ?? this.create(d.kind, d.name, cfg);
    });
    this.keys.clear();
    this.bytes = 0;
    this.keyBytesTotal = 0;
    this.sweepIt = null;
    this.sweepSlots = null;
    this.quietUntil = -Infinity;
    this.setCurrentKey(this.key);
    for (const [k, saved] of s.keys) {
      const slots = this.newSlots(k);
      let any = false;
      for (let j = 0; j < saved.length; j++) {
        const one = saved[j];
        if (one === null || one === undefined) continue;
        const st = ids[j]!;
        const [slot, bytes] = st.load(one);
        slots[st.slot] = slot;
        this.bytes += bytes;
        any = true;
      }
      if (!any) continue;
      this.keys.set(k, slots);
      this.keyBytesTotal += keyBytes(k);
    }
  }

  // HeapStore: what the handles use.

  now(): number {
    return this.frozen ? this.frozenAt : this.clock.now();
  }

  touch(): number {
    const now = this.frozen ? this.frozenAt : this.clock.now();
    if (now >= this.quietUntil) this.sweep(now, this.cleanupSize);
    return now;
  }

  live(at: number): void {
    if (at < this.passMin) this.passMin = at;
  }

  current(): Slots | undefined {
    if (!this.curKnown) {
      if (this.keyless) throw new Error('no current key: keyed state is read and written in code and onTimer, not in open');
      this.cur = this.keys.get(this.key);
      this.curKnown = true;
    }
    return this.cur;
  }

  currentForWrite(): Slots {
    let slots = this.current();
    if (slots === undefined) {
      slots = this.newSlots(this.key);
      this.keys.set(this.key, slots);
      this.keyBytesTotal += keyBytes(this.key);
      this.cur = slots;
    }
    return slots;
  }

  dropAt(slots: Slots, i: number, bytes: number): void {
    slots[i] = undefined;
    this.bytes -= bytes;
    for (let j = 1; j < slots.length; j++) if (slots[j] !== undefined) return;
    const key = slots[0] as Key;
    slots[0] = REMOVED;
    this.keys.delete(key);
    this.keyBytesTotal -= keyBytes(key);
    if (slots === this.cur) this.cur = undefined;
  }

  private newSlots(key: Key): Slots {
    const slots: Slots = new Array(1 + this.states.length);
    slots[0] = key;
    return slots;
  }

  // Registration and cleanup.

  private register(kind: StateKind, name: string, opts: StateOptions | undefined): HeapState {
    const have = this.byName.get(name);
    if (have !== undefined) {
      if (have.kind !== kind) throw new Error(`state '${name}' is a ${have.kind} state; it cannot also be used as a ${kind} state`);
      // Code asks with the same options on every record: compare them as given before validating.
      const same =
        opts === undefined ||
        (have.cfg.ttl === 0 ? opts.ttl === undefined && opts.ttlUpdate === undefined : opts.ttl === have.cfg.ttl && (opts.ttlUpdate ?? 'onCreateAndWrite') === have.cfg.update);
      if (!same) {
        const cfg = ttlConfig(name, opts);
        if (!sameTtl(cfg, have.cfg)) throw new Error(`state '${name}' is a ${describeState(have.kind, have.cfg)}; it was asked for as a ${describeState(kind, cfg)}`);
      }
      return have;
    }
    if (typeof name !== 'string' || name === '') throw new Error('a state needs a name (a non-empty string)');
    return this.create(kind, name, ttlConfig(name, opts));
  }

  private create(kind: StateKind, name: string, cfg: TtlConfig): HeapState {
    const id = this.states.length;
    const s = kind === 'value' ? new HeapValueState(this, id, name, cfg) : kind === 'list' ? new HeapListState(this, id, name, cfg) : new HeapMapState(this, id, name, cfg);
    this.states.push(s);
    this.byName.set(name, s);
    if (cfg.ttl > 0) {
      this.ttlStates++;
      this.minTtl = Math.min(this.minTtl, cfg.ttl);
      this.quietUntil = Math.min(this.quietUntil, this.clock.now() + cfg.ttl);
    }
    return s;
  }

  /** Check up to `budget` entries from the cursor on, dropping expired state (TtlIncrementalCleanup). */
  private sweep(now: number, budget: number): void {
    if (this.keys.size === 0) return;
    let restarts = 0;
    while (budget > 0) {
      if (this.sweepSlots === null) {
        if (this.sweepIt === null) {
          this.sweepIt = this.keys.values();
          this.passStart = now;
          this.passMin = Infinity;
        }
        const n = this.sweepIt.next();
        if (n.done === true) {
          this.sweepIt = null;
          // A full pass: nothing can expire before what it saw, nor before the shortest TTL
          // after it began (a clock that goes back only delays the cleanup, never a read's check).
          this.quietUntil = Math.min(this.passMin, this.passStart + this.minTtl);
          if (now < this.quietUntil) return;
          if (++restarts > 1) return; // at most one full pass per step
          continue;
        }
        this.sweepSlots = n.value;
        this.sweepAt = 1;
        budget--;
      }
      const slots = this.sweepSlots;
      // Resuming a previous step: the key may have lost all its state since (REMOVED); then its
      // slots are garbage and the iterator moves on.
      if (slots[0] !== REMOVED) {
        for (; this.sweepAt < slots.length; this.sweepAt++) {
          const slot = slots[this.sweepAt];
          const s = this.states[this.sweepAt - 1]!;
          if (slot === undefined || s.cfg.ttl === 0) continue;
          budget = s.sweep(slots, slot, now, budget);
          if (budget === UNFINISHED) return;
          if (slots[0] === REMOVED) break;
        }
      }
      this.sweepSlots = null;
    }
  }
}
