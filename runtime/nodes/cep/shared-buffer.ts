// Event storage shared by partial matches, the idea of Flink's SharedBuffer: a record is held
// once, and a partial match is a pointer to the last event it took, each event pointing at the one
// taken before it. Branching partial matches share their common prefix instead of copying lists.
// Flink keys its buffer nodes by (state, event) and tells branches apart with Dewey version
// numbers and reference counts; here each taken event is its own small node and the JavaScript
// garbage collector frees a prefix once no partial match points into it, which extracts the same
// path per partial match.
import type { State } from './states.js';

/** One event taken by a partial match into a step. */
export class EventNode {
  /** Scratch for walks over all nodes (snapshot.ts): the walk that last visited this node, or its number in a snapshot. */
  mark = 0;

  constructor(
    readonly step: number,
    readonly rec: unknown,
    readonly ts: number,
    /** Order of the event among its key's events (Flink's EventId: timestamp, then arrival). */
    readonly seq: number,
    readonly prev: EventNode | null,
  ) {}
}

/** Flink's ComputationState: where a partial match stands in the NFA and what it has taken. */
export class Partial {
  constructor(
    readonly state: State,
    readonly node: EventNode | null,
    /** Timestamp and order of the first event; +Infinity for the start state, as Flink sorts it last. */
    readonly startTs: number,
    readonly startSeq: number,
  ) {}
}

/** NFAState.COMPUTATION_STATE_COMPARATOR: by first event (timestamp, then order); the start state last. */
export function startsBefore(x: Partial, y: Partial): boolean {
  return x.startTs < y.startTs || (x.startTs === y.startTs && x.startSeq < y.startSeq);
}

/** EventId order. */
export function eventBefore(ts: number, seq: number, ts2: number, seq2: number): boolean {
  return ts < ts2 || (ts === ts2 && seq < seq2);
}

/**
 * The match as `{step: [records…]}`: steps in the order of their first event, records in event
 * order (Flink's materializeMatch over extractPatterns).
 */
export function materialize(node: EventNode | null, names: readonly string[]): Record<string, unknown[]> {
  const chain: EventNode[] = [];
  for (let n = node; n !== null; n = n.prev) chain.push(n);
  const out: Record<string, unknown[]> = {};
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i]!;
    const name = names[n.step]!;
    const list = out[name];
    if (list === undefined) out[name] = [n.rec];
    else list.push(n.rec);
  }
  return out;
}
