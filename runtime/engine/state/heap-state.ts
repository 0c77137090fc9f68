// What the heap backend's state handles share: where the current key's slots live, how bytes are
// tallied, and the hooks the backend calls for snapshots and the incremental TTL cleanup.
import type { TtlConfig } from './ttl.js';
import type { SavedState, StateKind } from './types.js';

/**
 * One key's states: index 0 holds the key (so the cleanup can walk the slots alone, without a
 * lookup per key), index `id + 1` the state with that id, undefined where the key has none.
 * A removed key's index 0 is set to REMOVED.
 */
export type Slots = unknown[];

export const REMOVED: unique symbol = Symbol('removed key');

/** The backend as its handles see it. */
export interface HeapStore {
  /** Bytes held by slots (keys and their slot arrays are counted by the backend). */
  bytes: number;
  /** Processing time, for TTL. */
  now(): number;
  /** A state with TTL was accessed: run a bounded step of the incremental cleanup first; returns now. */
  touch(): number;
  /** The cleanup saw an unexpired entry that expires at `at` (for the backend's quiet period). */
  live(at: number): void;
  /** The current key's slots, or undefined when it holds no state. */
  current(): Slots | undefined;
  /** The current key's slots, created when missing. */
  currentForWrite(): Slots;
  /** Empty slot `i` of a key; a key left without state is removed. */
  dropAt(slots: Slots, i: number, bytes: number): void;
}

/** A value with its last-access time (0 without TTL) and the bytes it was counted for. */
export class Cell {
  constructor(
    public v: unknown,
    public t: number,
    public b: number,
  ) {}
}

/** Result of `sweep` when the budget ran out inside a slot: resume at the same slot next time. */
export const UNFINISHED = -1;

export abstract class HeapState {
  protected readonly ttl: number;
  protected readonly refreshOnRead: boolean;
  /** Where this state sits in a key's Slots. */
  readonly slot: number;

  constructor(
    protected readonly store: HeapStore,
    readonly id: number,
    readonly name: string,
    readonly cfg: TtlConfig,
  ) {
    this.slot = id + 1;
    this.ttl = cfg.ttl;
    this.refreshOnRead = cfg.update === 'onReadAndWrite';
  }

  abstract readonly kind: StateKind;

  /** The slot's content as plain data (references; the backend deep-copies the whole snapshot). */
  abstract save(slot: unknown): SavedState;
  /** A slot from saved data, and the bytes it holds. */
  abstract load(saved: SavedState): [unknown, number];
  /**
   * Drop what has expired in one key's slot, spending one unit of `budget` per entry checked.
   * Returns the budget left, or UNFINISHED when it ran out before the slot was done.
   */
  abstract sweep(slots: Slots, slot: unknown, now: number, budget: number): number;

  protected dropCurrent(bytes: number): void {
    this.store.dropAt(this.store.current()!, this.slot, bytes);
  }

  protected fail(what: string): never {
    throw new Error(`state '${this.name}': ${what}`);
  }
}
