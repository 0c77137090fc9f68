// The cep node's state as figures (keys, bytes, partial matches alive) and as a checkpoint. A
// snapshot lists every event node once, parents before children, so partial matches that share
// a prefix still share it after a restore.
import type { StateSize } from '../../engine/metrics.js';
import { ARRAY_HEADER, estimateBytes, FIELD, HEAP_NUMBER, keyBytes, MAP_ENTRY, OBJECT_HEADER } from '../../engine/state/size.js';
import type { Key } from '../../engine/state/types.js';
import type { Heap } from '../../engine/heap.js';
import type { KeyState } from './nfa.js';
import type { CepOperator } from './operator.js';
import { EventNode, Partial } from './shared-buffer.js';

/** EventNode: six fields and a boxed timestamp. */
const NODE_BYTES = OBJECT_HEADER + 6 * FIELD + HEAP_NUMBER;
/** Partial: four fields and a boxed start time. */
const PARTIAL_BYTES = OBJECT_HEADER + 4 * FIELD + HEAP_NUMBER;
/** KeyState with its two heaps and their arrays. */
const KEY_STATE_BYTES = OBJECT_HEADER + 5 * FIELD + 2 * (OBJECT_HEADER + 2 * FIELD + ARRAY_HEADER);
/** A waiting record's slots in the buffer's parallel arrays (timestamp, arrival, key, record). */
const BUFFERED_BYTES = 4 * FIELD;
/** Records measured per figure; the rest are taken to be of the same average size (records of one stream share a shape). */
const RECORD_SAMPLE = 256;

let walk = 0;

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
  const mark = ++walk;
  let bytes = 0;
  let partialMatches = 0;
  let records = 0;
  let sampled = 0;
  let sampledBytes = 0;
  const measure = (rec: unknown) => {
    records++;
    if (sampled < RECORD_SAMPLE) {
      sampled++;
      sampledBytes += estimateBytes(rec);
    }
  };
  const count = (h: Heap<Partial>) => {
    bytes += ARRAY_HEADER + FIELD * h.size;
    for (const p of h.items) {
      if (p.startSeq === Infinity) continue; // the shared start state
      partialMatches++;
      bytes += PARTIAL_BYTES;
      // Each event node once, however many partial matches share it.
      for (let n = p.node; n !== null && n.mark !== mark; n = n.prev) {
        n.mark = mark;
        bytes += NODE_BYTES;
        measure(n.rec);
      }
    }
  };
  for (const [k, s] of op.keys) {
    bytes += MAP_ENTRY + keyBytes(k) + KEY_STATE_BYTES;
    count(s.partial);
    count(s.completed);
  }
  bytes += op.buffer.size * BUFFERED_BYTES;
  op.buffer.forEachRecord(measure);
  if (sampled > 0) bytes += Math.round((sampledBytes / sampled) * records);
  return { keys: op.keys.size, bytes, partialMatches };
}

export function snapshotCep(op: CepOperator, seq: number): CepSnapshotData {
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
  const buffer = op.buffer.entries().map((b): [number, number, Key, unknown] => [b.ts, b.arrival, b.key, b.rec]);
  return structuredClone({ seq, arrivals: op.buffer.arrived, nodes, keys, buffer });
}

/** Replace the operator's keys and buffer with a snapshot's; returns its event counter. */
export function restoreCep(op: CepOperator, data: unknown): number {
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
  op.buffer.load(d.buffer.map(([ts, arrival, key, rec]) => ({ ts, arrival, key, rec })), d.arrivals);
  return d.seq;
}
