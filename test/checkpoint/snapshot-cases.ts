// Operators and inputs the snapshot-format tests share: a session window, a count window and a
// cep node, each fed a deterministic stream and cut after `cut` records. The checkpoints in
// fixtures/ were written at the cut by the code before the columnar formats (version 1 of each),
// with `writeFixtures` below; the tests restore them and the current formats alike.
import { writeFileSync } from 'node:fs';
import { encodeCheckpoint } from '../../runtime/connectors/files/checkpoints.js';
import { CHECKPOINT_VERSION, type CheckpointData } from '../../runtime/engine/checkpoint/snapshot.js';
import type { OperatorSnapshot, Stateful } from '../../runtime/engine/timed.js';
import { OperatorHarness } from '../support/harness.js';

export interface Rec {
  value: { user: string; v: number; tag: string; nested?: { x: number; list: number[] } };
  ts: number;
  key: unknown;
  wmAfter?: number;
}

/** Every aggregate kind: numeric columns and boxed cells (first/last values, lists, sets, sketches). */
const AGGS = {
  n: { fn: 'count' },
  s: { fn: 'sum', field: 'v' },
  a: { fn: 'avg', field: 'v' },
  lo: { fn: 'min', field: 'v' },
  hi: { fn: 'max', field: 'v' },
  f: { fn: 'first' },
  l: { fn: 'last', field: 'tag' },
  c: { fn: 'collect', field: 'v' },
  d: { fn: 'countDistinct', field: 'tag' },
  k: { fn: 'topK', field: 'v', k: 3 },
  ad: { fn: 'approxCountDistinct', field: 'tag' },
  ak: { fn: 'approxTopK', field: 'v', k: 3 },
};

/** A small deterministic generator (mulberry32), so the stream is the same in every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` records over `keys` keys (strings and numbers mixed: one key column of either kind), with
 * gaps in time so sessions close and reopen, some records out of order, a watermark 6 behind.
 * `flat`: without the nested field (records a snapshot keeps as columns rather than copies).
 */
export function stream(n: number, keys: number, seed: number, flat = false): Rec[] {
  const r = rng(seed);
  const out: Rec[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += r() < 0.1 ? 9 : r() < 0.5 ? 1 : 0;
    const k = Math.floor(r() * keys);
    const key = k % 4 === 0 ? k : `u${k}`;
    const ts = Math.max(0, t - (r() < 0.15 ? Math.floor(r() * 5) : 0));
    const value: Rec['value'] = { user: String(key), v: Math.floor(r() * 13), tag: `t${Math.floor(r() * 9)}`, nested: { x: i, list: [i] } };
    if (flat) delete value.nested;
    out.push({ value, ts, key, wmAfter: t - 6 });
  }
  return out;
}

export interface SnapshotCase {
  readonly name: string;
  /** Stream seed, for variants of the input. */
  readonly seed: number;
  readonly keys: number;
  /** Fixture file (in fixtures/) of the version 1 snapshot taken at `cut`. */
  readonly fixture: string;
  make(): OperatorHarness;
  readonly input: Rec[];
  readonly cut: number;
  /**
   * After restoring version 1, outputs of one timestamp may come out in another order: it did not
   * save the order of session firings across keys (version 2 does).
   */
  readonly v1SameTimeUnordered?: boolean;
  /** Output ports compared. */
  readonly ports: readonly string[];
}

export const SNAPSHOT_CASES: readonly SnapshotCase[] = [
  {
    name: 'window (session)',
    fixture: 'session-v1.ckpt',
    make: () => new OperatorHarness('window', { assigner: { kind: 'session', gap: 4 }, aggregates: AGGS, allowedLateness: 3 }, { keyed: true }),
    seed: 1,
    keys: 23,
    input: stream(600, 23, 1),
    cut: 350,
    v1SameTimeUnordered: true,
    ports: ['out', 'late'],
  },
  {
    name: 'window (count)',
    fixture: 'count-v1.ckpt',
    make: () => new OperatorHarness('window', { assigner: { kind: 'global', count: 5 }, aggregates: AGGS }, { keyed: true }),
    seed: 2,
    keys: 23,
    input: stream(600, 23, 2),
    cut: 333,
    ports: ['out'],
  },
  {
    name: 'cep',
    fixture: 'cep-v1.ckpt',
    make: () =>
      new OperatorHarness(
        'cep',
        {
          pattern: [
            { name: 'a', where: 'v > 8' },
            { name: 'b', where: 'v < 6', contiguity: 'relaxed', quantifier: { min: 1, max: null } },
            { name: 'c', where: 'v == 12', contiguity: 'relaxed' },
          ],
          within: 30,
          afterMatch: { strategy: 'skipPastLastEvent' },
        },
        { keyed: true, connect: ['out', 'timeout', 'late'] },
      ),
    seed: 3,
    keys: 7,
    input: stream(600, 7, 3),
    cut: 301,
    ports: ['out', 'timeout', 'late'],
  },
];

export function asCheckpoint(s: OperatorSnapshot): CheckpointData {
  return { version: CHECKPOINT_VERSION, id: 1, kind: 'checkpoint', pipeline: 'p', takenAt: 0, nodes: { n: { type: 't', state: s } } };
}

export function snapshotOf(h: OperatorHarness): OperatorSnapshot {
  return (h.op as unknown as Stateful).snapshotState();
}

/** Write each case's snapshot at its cut into `dir` (run once, by the code of the old format). */
export function writeFixtures(dir: string): void {
  for (const c of SNAPSHOT_CASES) {
    const h = c.make();
    h.push(c.input.slice(0, c.cut));
    writeFileSync(`${dir}/${c.fixture}`, encodeCheckpoint(asCheckpoint(snapshotOf(h))));
  }
}
