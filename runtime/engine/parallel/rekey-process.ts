// A process node's keyed state and timers split and merged by key (rescale.ts): both are lists
// keyed by the record's key (KeyedStateSnapshot, TimersSnapshot), so a new instance takes the
// entries of its keys. Timers are merged in timestamp order (a stable sort keeps each part's order
// of ties, which is per key the order they were registered in).
import type { KeyedStateSnapshot } from '../state/types.js';
import type { TimersSnapshot } from '../state/timers.js';

type Keep = (key: unknown) => boolean;

function mergeTimers(lists: readonly (readonly [unknown, number][])[], keep: Keep): [unknown, number][] {
  return lists
    .flatMap((l) => l.filter(([k]) => keep(k)))
    .sort((a, b) => a[1] - b[1]);
}

export function rekeyProcess(parts: readonly unknown[], keep: Keep): unknown {
  const ps = parts as { state: KeyedStateSnapshot; timers: TimersSnapshot }[];
  const defs = JSON.stringify(ps[0]!.state.states);
  for (const p of ps) {
    if (p.state.version !== 1 || p.timers.version !== 1) throw new Error('its state or timers were saved in a layout this version cannot split');
    if (JSON.stringify(p.state.states) !== defs) throw new Error('its instances declared different states');
  }
  const state: KeyedStateSnapshot = { version: 1, states: ps[0]!.state.states, keys: ps.flatMap((p) => p.state.keys.filter(([k]) => keep(k))) };
  const timers = { version: 1, event: mergeTimers(ps.map((p) => p.timers.event), keep), processing: mergeTimers(ps.map((p) => p.timers.processing), keep) } as TimersSnapshot;
  return { state, timers };
}
