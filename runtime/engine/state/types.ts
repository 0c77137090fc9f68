// Keyed state, as Flink's KeyedStateBackend exposes it: an operator registers named states once
// and reads or writes them for the current key. The interface is what a process function sees;
// HeapKeyedStateBackend keeps everything in JavaScript objects, and a disk-backed backend can
// implement the same interface later (the snapshot format below is backend-independent).
import type { StateSize } from '../metrics.js';

/** A record's key: what keyBy produces, or `null` for the one global key of an unkeyed input. */
export type Key = string | number | boolean | null;

/** Keys inside a map state (Flink's MapState user keys): values with a stable identity. */
export type MapKey = string | number | boolean;

export type StateKind = 'value' | 'list' | 'map';

/** Flink's StateTtlConfig.UpdateType: what refreshes an entry's last-access time. */
export type TtlUpdate = 'onCreateAndWrite' | 'onReadAndWrite';

export interface StateOptions {
  /** Time to live in milliseconds of processing time (StateTtlConfig.newBuilder(ttl)); unset: no TTL. */
  readonly ttl?: number;
  /** Default `onCreateAndWrite`. */
  readonly ttlUpdate?: TtlUpdate;
}

/** Flink's ValueState. */
export interface ValueState {
  /** The current key's value, or undefined when there is none (or it expired). */
  value(): unknown;
  /** Replace the value; `null` or `undefined` clears it (as Flink's ValueState.update(null)). */
  update(v: unknown): void;
  clear(): void;
}

/**
 * Flink's ListState; with TTL every element expires on its own (TtlListState). `size`, `at` and
 * `forEach` read in place, without the copy `get` makes; each is a read (OnReadAndWrite refreshes).
 */
export interface ListState {
  /** A copy of the current key's unexpired elements, oldest first ([] when none). */
  get(): unknown[];
  /** How many elements there are. */
  size(): number;
  /** The element at `i`, oldest first from 0; a negative `i` counts from the newest (-1). Undefined outside. */
  at(i: number): unknown;
  /** `fn(element, index)` for each element, oldest first, over the list as it was when called. */
  forEach(fn: (value: unknown, index: number) => void): void;
  /** Drop the oldest elements so that at most `n` remain. */
  keepLast(n: number): void;
  add(v: unknown): void;
  addAll(vs: readonly unknown[]): void;
  /** Replace all elements; an empty array clears the list. */
  update(vs: readonly unknown[]): void;
  clear(): void;
}

/**
 * Flink's MapState; with TTL every entry expires on its own (TtlMapState). `forEach` and `size`
 * read in place; `top` answers from an index kept up to date by every write (no sort per call).
 */
export interface MapState {
  get(k: MapKey): unknown;
  put(k: MapKey, v: unknown): void;
  /** Add `by` (default 1) to the number at `k` (0 when absent) and return the sum; a write. */
  increment(k: MapKey, by?: number): number;
  /**
   * The `n` entries with the largest numeric values, largest first, ties by key ascending
   * (booleans, then numbers, then strings); entries whose value is not a number do not rank.
   * A read of the entries it returns (OnReadAndWrite refreshes those).
   */
  top(n: number): [MapKey, number][];
  /** `fn(value, key)` for each entry, in insertion order. */
  forEach(fn: (value: unknown, key: MapKey) => void): void;
  /** How many entries there are. */
  size(): number;
  remove(k: MapKey): void;
  contains(k: MapKey): boolean;
  /** Copies, in insertion order. */
  entries(): [MapKey, unknown][];
  keys(): MapKey[];
  values(): unknown[];
  isEmpty(): boolean;
  clear(): void;
}

export interface KeyedStateBackend {
  /** Every state access that follows is for this key (Flink's setCurrentKey). */
  setCurrentKey(key: Key): void;
  readonly currentKey: Key;
  /** Run `fn` with no current key: a state read or write in it throws (Flink: no key set in open). */
  withoutKey(fn: () => void): void;
  /**
   * The handle for a named state: created on first use, the same handle afterwards. Asking for a
   * name with another kind, or with options that differ from the registered ones, is an error that
   * names the state; asking without options returns the registered state whatever its options.
   */
  value(name: string, opts?: StateOptions): ValueState;
  list(name: string, opts?: StateOptions): ListState;
  map(name: string, opts?: StateOptions): MapState;
  /**
   * Until thawTime, TTL reads the processing time once, now: operators freeze it around one
   * input batch (the process node) or one record or timer, handled at one instant, so state
   * accesses cost no clock read. Freezes nest: only the outermost pair reads and releases.
   */
  freezeTime(): void;
  thawTime(): void;
  /** A bounded step of the incremental cleanup of expired state; operators call it once per record. */
  cleanupStep(): void;
  /** Keys holding state and approximate heap bytes of everything held. */
  stateSize(): StateSize;
  snapshot(): KeyedStateSnapshot;
  /** Replace all state with a snapshot's; registered handles stay valid. */
  restore(s: KeyedStateSnapshot): void;
}

/** One registered state, as saved. `ttl` null means no TTL. */
export interface SavedStateDef {
  readonly name: string;
  readonly kind: StateKind;
  readonly ttl: number | null;
  readonly ttlUpdate: TtlUpdate;
}

/** A value and its last-access time (0 without TTL). */
export interface SavedValue {
  readonly v: unknown;
  readonly t: number;
}

/** List elements, oldest first, with their last-access times (null without TTL). */
export interface SavedList {
  readonly v: unknown[];
  readonly t: number[] | null;
}

/** Map entries in insertion order: [key, value, last-access time]. */
export type SavedMap = [MapKey, unknown, number][];

export type SavedState = SavedValue | SavedList | SavedMap;

/**
 * All keyed state, deep-copied and structuredClone-able: last-access times are absolute
 * processing times, so TTL continues where it was after a restore (as Flink restores TtlValue).
 */
export interface KeyedStateSnapshot {
  readonly version: 1;
  readonly states: readonly SavedStateDef[];
  /** Per key, one saved state (or null) per entry of `states`, in that order. */
  readonly keys: readonly [Key, (SavedState | null)[]][];
}
