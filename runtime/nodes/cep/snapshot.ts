// The cep node's state as figures (keys, bytes, partial matches alive) and as a checkpoint. A
// snapshot lists every event node once, parents before children, so partial matches that share
// a prefix still share it after a restore.
import type { StateSize } from '../../engine/metrics.js';
import { ARRAY_HEADER, estimateBytes, FIELD, HEAP_NUMBER, keyBytes, MAP_ENTRY, OBJECT_HEADER } from '../../engine/state/size.js';
import type { Key } from '../../engine/state/types.js';
import type { Heap } from '../../engine/heap.js';
import type { KeyState } from './nfa.js';
import type { Buffered, CepOperator } from './operator.js';
import { EventNode, Partial } from './shared-buffer.js';

/** EventNode: five fields and a boxed timestamp. */
const NODE_BYTES = OBJECT_HEADER + 5 * FIELD + HEAP_NUMBER;
/** Partial: four fields and a boxed start time. */
const PARTIAL_BYTES = OBJECT_HEADER + 4 * FIELD + HEAP_NUMBER;
/** KeyState with its two heaps and their arrays. */
const KEY_STATE_BYTES = OBJECT_HEADER + 5 * FIELD + 2 * (OBJECT_HEADER + 2 * FIELD + ARRAY_HEADER);
const BUFFERED_BYTES = OBJECT_HEADER + 4 * FIELD + HEAP_NUMBER;

type SavedPartial = [state: number, node: number, startTs: number, startSeq: number];

interface CepSnapshotData {
  seq: number;
  arrivals: number;
  /** [step, record, ts, seq, index of the previous node or -1]. */
  nodes: [number, unknown, number, number, number][];
  keys: [Key, SavedPartial[], SavedPartial[]][];
  /** [ts, arrival, key, record], in the buffer's order. */
  buffer: [number, number, Key, unknown][];
}

export function cepStateSize(op: CepOperator): StateSize {
  let bytes = 0;
  let partialMatches = 0;
  const nodes = new Set<EventNode>();
  const recs = new Set<unknown>();
  const count = (h: Heap<Partial>) => {
    bytes += ARRAY_HEADER + FIELD * h.size;
    for (const p of h.items) {
      if (p.startSeq === Infinity) continue; // the shared start state
      partialMatches++;
      bytes += PARTIAL_BYTES;
      for (let n = p.node; n !== null && !nodes.has(n); n = n.prev) {
        nodes.add(n);
        bytes += NODE_BYTES;
        if (!recs.has(n.rec)) {
          recs.add(n.rec);
          bytes += estimateBytes(n.rec);
        }
      }
    }
  };
  for (const [k, s] of op.keys) {
    bytes += MAP_ENTRY + keyBytes(k) + KEY_STATE_BYTES;
    count(s.partial);
    count(s.completed);
  }
  for (const b of op.buffer.items) bytes += FIELD + BUFFERED_BYTES + estimateBytes(b.rec);
  return { keys: op.keys.size, bytes, partialMatches };
}

export function snapshotCep(op: CepOperator, seq: number, arrivals: number): CepSnapshotData {
  const index = new Map<EventNode, number>();
  const nodes: CepSnapshotData['nodes'] = [];
  const nodeIndex = (last: EventNode | null): number => {
    // Iterative: a looping step can take thousands of events.
    const fresh: EventNode[] = [];
    let n = last;
    while (n !== null && !index.has(n)) {
      fresh.push(n);
      n = n.prev;
    }
    for (let i = fresh.length - 1; i >= 0; i--) {
      const f = fresh[i]!;
      nodes.push([f.step, f.rec, f.ts, f.seq, f.prev === null ? -1 : index.get(f.prev)!]);
      index.set(f, nodes.length - 1);
    }
    return last === null ? -1 : index.get(last)!;
  };
  const save = (h: Heap<Partial>): SavedPartial[] => h.items.map((p) => [p.state.index, nodeIndex(p.node), p.startTs, p.startSeq]);
  const keys: CepSnapshotData['keys'] = [];
  for (const [k, s] of op.keys) keys.push([k, save(s.partial), save(s.completed)]);
  const buffer = op.buffer.items.map((b): [number, number, Key, unknown] => [b.ts, b.arrival, b.key, b.rec]);
  return structuredClone({ seq, arrivals, nodes, keys, buffer });
}

/** Replace the operator's keys and buffer with a snapshot's; returns its counters. */
export function restoreCep(op: CepOperator, data: unknown): { seq: number; arrivals: number } {
  const d = structuredClone(data) as CepSnapshotData;
  const states = op.nfa.compiled.states;
  const nodes: EventNode[] = [];
  for (const [step, rec, ts, seq, prev] of d.nodes) nodes.push(new EventNode(step, rec, ts, seq, prev < 0 ? null : nodes[prev]!));
  const load = (h: Heap<Partial>, saved: SavedPartial[]) => {
    h.clear();
    // Pushing a heap's array in order rebuilds the same array, so ties come out as before.
    for (const [st, n, startTs, startSeq] of saved) {
      h.push(startSeq === Infinity ? op.nfa.startPartial : new Partial(states[st]!, n < 0 ? null : nodes[n]!, startTs, startSeq));
    }
  };
  for (const s of op.keys.values()) s.live = false;
  op.keys.clear();
  for (const [k, partial, completed] of d.keys) {
    const s: KeyState = op.nfa.newKeyState(k);
    load(s.partial, partial);
    load(s.completed, completed);
    op.keys.set(k, s);
  }
  op.buffer.clear();
  for (const [ts, arrival, key, rec] of d.buffer) op.buffer.push({ ts, arrival, key, rec } satisfies Buffered);
  return { seq: d.seq, arrivals: d.arrivals };
}
