// An asynchronous stage upstream of parallel instances (a Redis lookup before the keyBy): at a
// checkpoint its records in flight are finished first, and they must reach the instances before
// their barrier, or the lookup's part of the checkpoint no longer holds them, the instances'
// snapshots do not either, and a restore loses them.
import { describe, expect, it } from 'vitest';
import { scratch } from './pipeline.js';
import { type Doc, runCut, runSegment, sortedOutputs } from './parallel-restore.js';

function doc(rate: number): Doc {
  return {
    nodes: [
      { id: 'clicks', type: 'source.generator', params: { rate, count: 20_000, seed: 5, users: 200, eventTimeRate: 20 } },
      // Keys that are never there: the lookup adds `p: null`, the same in every run.
      { id: 'look', type: 'lookup.redis', params: { key: 'tributary-test-missing:{userId}', kind: 'string', as: 'p' } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { n: { fn: 'count' } } } },
      { id: 'winOut', type: 'sink.file', params: { path: 'out/windows.jsonl' } },
    ],
    edges: [
      { from: 'clicks', to: 'look' },
      { from: 'look', to: 'byUser' },
      { from: 'byUser', to: 'win' },
      { from: 'win', to: 'winOut' },
    ],
  };
}

describe('parallel instances behind an asynchronous stage', () => {
  it('a run cut at checkpoints loses none of the records the lookup had in flight', { timeout: 120_000 }, async () => {
    const ref = scratch();
    expect((await runSegment(doc(0), ref, 1, null)).outcome).toBe('finished');
    const dir = scratch();
    const segments = await runCut(doc(10_000), dir, [2], 3);
    expect(segments.length).toBeGreaterThanOrEqual(3);
    expect(sortedOutputs(doc(0), dir)).toEqual(sortedOutputs(doc(0), ref));
  });
});
