// Undo/redo over immutable documents: a stack of snapshots. Edits that belong together (the
// keystrokes typed into one field, the frames of one drag) share a key and collapse into one step
// when they follow each other closely, as editors commonly group typing.

export interface History<T> {
  readonly past: readonly T[];
  readonly future: readonly T[];
  /** Key and time of the last recorded edit, for grouping. */
  readonly lastKey: string | null;
  readonly lastAt: number;
}

export const GROUP_MS = 1200;
const LIMIT = 200;

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [], lastKey: null, lastAt: 0 };
}

/** Record that `before` is being replaced by a new present. */
export function record<T>(h: History<T>, before: T, key: string | null, now: number): History<T> {
  if (key !== null && key === h.lastKey && now - h.lastAt < GROUP_MS) return { ...h, future: [], lastAt: now };
  const past = h.past.length >= LIMIT ? h.past.slice(h.past.length - LIMIT + 1) : h.past;
  return { past: [...past, before], future: [], lastKey: key, lastAt: now };
}

export function undo<T>(h: History<T>, present: T): { history: History<T>; present: T } | null {
  if (h.past.length === 0) return null;
  return {
    present: h.past[h.past.length - 1]!,
    history: { past: h.past.slice(0, -1), future: [present, ...h.future], lastKey: null, lastAt: 0 },
  };
}

export function redo<T>(h: History<T>, present: T): { history: History<T>; present: T } | null {
  if (h.future.length === 0) return null;
  return {
    present: h.future[0]!,
    history: { past: [...h.past, present], future: h.future.slice(1), lastKey: null, lastAt: 0 },
  };
}
