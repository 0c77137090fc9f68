// State time-to-live, as Flink's StateTtlConfig defines it:
// - the TTL is a duration of processing time (TtlTimeCharacteristic.ProcessingTime, the only one
//   Flink offers), read from the job's clock;
// - UpdateType.OnCreateAndWrite (default) refreshes an entry's last-access time when it is written,
//   UpdateType.OnReadAndWrite also when it is read;
// - StateVisibility.NeverReturnExpired: an expired entry is never returned, even before it is
//   cleaned up;
// - an entry last accessed at t is expired once now ≥ t + ttl (TtlUtils.expired).
import type { StateKind, StateOptions, TtlUpdate } from './types.js';

export interface TtlConfig {
  /** Milliseconds; 0 means no TTL. */
  readonly ttl: number;
  readonly update: TtlUpdate;
}

export const NO_TTL: TtlConfig = Object.freeze({ ttl: 0, update: 'onCreateAndWrite' });

/** Validated options; throws an error naming the state when they make no sense. */
export function ttlConfig(name: string, opts: StateOptions | undefined): TtlConfig {
  if (opts === undefined) return NO_TTL;
  const update = opts.ttlUpdate ?? 'onCreateAndWrite';
  if (update !== 'onCreateAndWrite' && update !== 'onReadAndWrite') {
    throw new Error(`state '${name}': ttlUpdate must be 'onCreateAndWrite' or 'onReadAndWrite', not ${JSON.stringify(update)}`);
  }
  if (opts.ttl === undefined) {
    if (opts.ttlUpdate !== undefined) throw new Error(`state '${name}': ttlUpdate needs a ttl`);
    return NO_TTL;
  }
  if (typeof opts.ttl !== 'number' || !Number.isFinite(opts.ttl) || opts.ttl <= 0) {
    throw new Error(`state '${name}': ttl must be a positive number of milliseconds, not ${JSON.stringify(opts.ttl)}`);
  }
  return { ttl: opts.ttl, update };
}

export function sameTtl(a: TtlConfig, b: TtlConfig): boolean {
  return a.ttl === b.ttl && (a.ttl === 0 || a.update === b.update);
}

export function describeState(kind: StateKind, c: TtlConfig): string {
  return c.ttl === 0 ? `${kind} state without TTL` : `${kind} state with ttl ${c.ttl} ms (${c.update})`;
}

/** TtlUtils.expired: last access + ttl ≤ now. */
export function expired(lastAccess: number, ttl: number, now: number): boolean {
  return lastAccess + ttl <= now;
}
