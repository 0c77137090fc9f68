// The cep node's state as figures (keys, bytes, partial matches alive) and as a checkpoint. A
// snapshot lists every event node once, parents before children, so partial matches that share
// a prefix still share it after a restore (Flink's SharedBuffer snapshot: each entry once).
import type { StateSize } from '../../engine/metrics.js';
import { ARRAY_HEADER, estimateBytes, FIELD, HEAP_NUMBER, keyBytes, MAP_ENTRY, OBJECT_HEADER } from '../../engine/state/size.js';
import type { Key } from '../../engine/state/types.js';
import type { Heap } from '../../engine/heap.js';
import type { KeyState } from './nfa.js';
import type { CepOperator } from './operator.js';
import { type KeyColumn, decodeKeys, encodeKeys } from '../window/columns.js';
import { type RecordColumns, decodeRecords, encodeRecords } from './record-columns.js';
import { EventNode, Partial } from './shared-buffer.js';
import type { State } from './states.js';

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

/**
 * An operator's walk counter (`CepOperator.walk`) is shared by the state figures and the
 * snapshot, which numbers the nodes it saves through `mark` (base + index); it starts again from
 * 0, after clearing every reachable mark, well before the marks would stop being small integers
 * (V8 keeps them unboxed below 2^30).
 */
const WALK_LIMIT = 2 ** 29;

function clearMarks(op: CepOperator): void {
  // Two passes, each visiting a node once: a node made since the last walk has mark 0 while its
  // parents still carry high marks, so a walk that stopped at the first 0 would leave them stale
  // (and the next snapshot would take them for nodes it had already numbered). First every
  // reachable node gets -1 (a walk stops at a -1: its parents have it too), then -1 becomes 0.
  const heads: EventNode[] = [];
  for (const s of op.keys.values()) for (const h of [s.partial, s.completed]) for (const p of h.items) if (p.node !== null) heads.push(p.node);
  for (const head of heads) for (let n: EventNode | null = head; n !== null && n.mark !== -1; n = n.prev) n.mark = -1;
  for (const head of heads) for (let n: EventNode | null = head; n !== null && n.mark === -1; n = n.prev) n.mark = 0;
  op.walk = 0;
}

type SavedPartial = [state: number, node: number, startTs: number, startSeq: number];

/** Version 1 (checkpoints written before binary columns); still restored. */
interface CepSnapshotV1 {
  seq: number;
  arrivals: number;
  /** [step, record, ts, seq, index of the previous node or -1]. */
  nodes: [number, unknown, number, number, number][];
  keys: [Key, SavedPartial[], SavedPartial[]][];
  /** [ts, arrival, key, record], in the buffer's order. */
  buffer: [number, number, Key, unknown][];
}

export interface CepSnapshotV2 {
  seq: number;
  arrivals: number;
  /** Event nodes, parents before children; `prev` is the parent's index or -1. */
  nodes: { step: Int32Array; ts: Float64Array; seq: Float64Array; prev: Int32Array; recs: RecordColumns };
  keys: KeyColumn;
  /** Per key, its partial then its completed matches; the `partials` columns hold them in key order. */
  nPartial: Uint32Array;
  nCompleted: Uint32Array;
  /** Per key, its timer in the operator's timeout queue (KeyState.timerAt, timerSeq). */
  timerAt: Float64Array;
  timerSeq: Float64Array;
  /** State index, event node index (-1: none), first event's time and order (+Infinity: the start state). */
  partials: { state: Int32Array; node: Int32Array; startTs: Float64Array; startSeq: Float64Array };
  /** Records waiting for the watermark, each with its arrival number. */
  buffer: { ts: Float64Array; arrival: Float64Array; keys: KeyColumn; recs: RecordColumns };
}

export function cepStateSize(op: CepOperator): StateSize {
  if (op.walk > WALK_LIMIT) clearMarks(op);
  const mark = ++op.walk;
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

/**
 * Version 2 (binary columns): event nodes, partial matches and buffered records each as a few
 * typed arrays, records as `RecordColumns`. Each event node is saved once however many partial
 * matches share it, parents before children, numbered through its `mark` field (a Map from node
 * to index cost as much as the rest of the copy). Everything is a copy, so the checkpoint is
 * encoded and written after the sources go on.
 */
export function snapshotCep(op: CepOperator, seq: number): CepSnapshotV2 {
  if (op.walk > WALK_LIMIT) clearMarks(op);
  const base = op.walk + 1;
  const order: EventNode[] = [];
  const fresh: EventNode[] = [];
  let partials = 0;
  for (const s of op.keys.values()) partials += s.partial.size + s.completed.size;
  const pState = new Int32Array(partials);
  const pNode = new Int32Array(partials);
  const pStartTs = new Float64Array(partials);
  const pStartSeq = new Float64Array(partials);
  const keys = new Array<Key>(op.keys.size);
  const nPartial = new Uint32Array(op.keys.size);
  const nCompleted = new Uint32Array(op.keys.size);
  const timerAt = new Float64Array(op.keys.size);
  const timerSeq = new Float64Array(op.keys.size);
  let at = 0;
  const save = (h: Heap<Partial>) => {
    for (const p of h.items) {
      // Iterative: a looping step can take thousands of events.
      let n = p.node;
      while (n !== null && n.mark < base) {
        fresh.push(n);
        n = n.prev;
      }
      for (let i = fresh.length - 1; i >= 0; i--) {
        const f = fresh[i]!;
        f.mark = base + order.length;
        order.push(f);
      }
      fresh.length = 0;
      pState[at] = p.state.index;
      pNode[at] = p.node === null ? -1 : p.node.mark - base;
      pStartTs[at] = p.startTs;
      pStartSeq[at++] = p.startSeq;
    }
  };
  let k = 0;
  for (const [key, s] of op.keys) {
    keys[k] = key;
    nPartial[k] = s.partial.size;
    timerAt[k] = s.timerAt;
    timerSeq[k] = s.timerSeq;
    nCompleted[k++] = s.completed.size;
    save(s.partial);
    save(s.completed);
  }
  op.walk = base + order.length;
  const m = order.length;
  const step = new Int32Array(m);
  const ts = new Float64Array(m);
  const eseq = new Float64Array(m);
  const prev = new Int32Array(m);
  const recs = new Array<unknown>(m);
  for (let i = 0; i < m; i++) {
    const n = order[i]!;
    step[i] = n.step;
    ts[i] = n.ts;
    eseq[i] = n.seq;
    prev[i] = n.prev === null ? -1 : n.prev.mark - base;
    recs[i] = n.rec;
  }
  const buf = op.buffer.columns();
  return {
    seq,
    arrivals: op.buffer.arrived,
    nodes: { step, ts, seq: eseq, prev, recs: encodeRecords(recs) },
    keys: encodeKeys(keys),
    nPartial,
    nCompleted,
    timerAt,
    timerSeq,
    partials: { state: pState, node: pNode, startTs: pStartTs, startSeq: pStartSeq },
    buffer: { ts: buf.ts, arrival: buf.arrival, keys: encodeKeys(buf.keys), recs: encodeRecords(buf.recs) },
  };
}

/** Replace the operator's keys and buffer with a snapshot's (version 1 or 2); returns its event counter. */
export function restoreCep(op: CepOperator, version: number, data: unknown): number {
  if (version === 1) return restoreV1(op, data);
  const d = data as CepSnapshotV2;
  const states = op.nfa.compiled.states;
  const m = d.nodes.step.length;
  const recs = decodeRecords(d.nodes.recs);
  if (recs.length !== m || d.nodes.ts.length !== m || d.nodes.seq.length !== m || d.nodes.prev.length !== m) throw new Error('cep checkpoint: its event node columns differ in length');
  const nodes = new Array<EventNode>(m);
  for (let i = 0; i < m; i++) {
    const p = d.nodes.prev[i]!;
    if (p >= i) throw new Error(`cep checkpoint: event node ${i} comes before its parent ${p}`);
    nodes[i] = new EventNode(d.nodes.step[i]!, recs[i], d.nodes.ts[i]!, d.nodes.seq[i]!, p < 0 ? null : nodes[p]!);
  }
  const keys = decodeKeys(d.keys) as Key[];
  const ps = d.partials;
  let at = 0;
  const load = (h: Heap<Partial>, count: number) => {
    h.clear();
    // Pushing a heap's array in order rebuilds the same array, so ties come out as before.
    for (let j = 0; j < count; j++, at++) {
      const startSeq = ps.startSeq[at]!;
      const n = ps.node[at]!;
      if (startSeq === Infinity) h.push(op.nfa.startPartial);
      else h.push(new Partial(stateAt(states, ps.state[at]!), n < 0 ? null : nodes[n]!, ps.startTs[at]!, startSeq));
    }
  };
  for (const s of op.keys.values()) s.live = false;
  op.keys.clear();
  if (d.nPartial.length !== keys.length || d.nCompleted.length !== keys.length || d.timerAt.length !== keys.length || d.timerSeq.length !== keys.length) {
    throw new Error('cep checkpoint: its key columns differ in length');
  }
  for (let k = 0; k < keys.length; k++) {
    const s: KeyState = op.nfa.newKeyState(keys[k]!);
    load(s.partial, d.nPartial[k]!);
    load(s.completed, d.nCompleted[k]!);
    s.timerAt = d.timerAt[k]!;
    s.timerSeq = d.timerSeq[k]!;
    op.keys.set(keys[k]!, s);
  }
  if (at !== ps.state.length) throw new Error(`cep checkpoint: its keys hold ${at} partial matches, its columns ${ps.state.length}`);
  const b = d.buffer;
  const bKeys = decodeKeys(b.keys) as Key[];
  const bRecs = decodeRecords(b.recs);
  const entries = Array.from(b.ts, (ts, i) => ({ ts, arrival: b.arrival[i]!, key: bKeys[i]!, rec: bRecs[i] }));
  op.buffer.load(entries, d.arrivals);
  return d.seq;
}

function stateAt(states: CepOperator['nfa']['compiled']['states'], i: number): State {
  const s = states[i];
  if (s === undefined) throw new Error(`cep checkpoint: no NFA state ${i} (the pattern has ${states.length})`);
  return s;
}

/** Version 1, before binary columns: tuples per event node, partial match and buffered record. */
function restoreV1(op: CepOperator, data: unknown): number {
  const d = structuredClone(data) as CepSnapshotV1;
  const states = op.nfa.compiled.states;
  const nodes: EventNode[] = [];
  for (const [step, rec, ts, seq, prev] of d.nodes) nodes.push(new EventNode(step, rec, ts, seq, prev < 0 ? null : nodes[prev]!));
  const load = (h: Heap<Partial>, saved: SavedPartial[]) => {
    h.clear();
    for (const [st, n, startTs, startSeq] of saved) {
      h.push(startSeq === Infinity ? op.nfa.startPartial : new Partial(stateAt(states, st), n < 0 ? null : nodes[n]!, startTs, startSeq));
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
