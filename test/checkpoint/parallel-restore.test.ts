// Checkpoints of parallel instances (settings.parallelism > 1), in real worker threads: a run cut
// at several checkpoints and restored ends with the output of an uninterrupted one — for tumbling,
// session and count windows, a process function with event-time timers and cep — at parallelism 2 and
// across parallelisms (2 → 1 → 2 → 4, keyed state redistributed by key group, cep's partial
// matches and buffered records included). State saved with another number of key groups is
// refused with the node and both parallelisms named.
import { describe, expect, it } from 'vitest';
import { killPipeline, scratch } from './pipeline.js';
import { type Doc, runCut, runSegment, sortedOutputs } from './parallel-restore.js';

const COUNT = 60_000;
/** Events per second of the cut runs: paced, so a few checkpoints fall inside each segment. */
const RATE = 20_000;

/** The kill pipeline (tumbling window, cep, process with timers) plus a session and a count window. */
function withSessions(count: number, rate = 0): Doc {
  const { nodes, edges } = killPipeline(count);
  nodes[0]!.params = { ...nodes[0]!.params, rate };
  nodes.push(
    { id: 'sessions', type: 'window', params: { assigner: { kind: 'session', gap: '2m' }, aggregates: { n: { fn: 'count' }, spent: { fn: 'sum', field: 'price' }, first: { fn: 'first', field: 'productId' } }, allowedLateness: '30s' } },
    { id: 'sessionsOut', type: 'sink.file', params: { path: 'out/sessions.jsonl' } },
    { id: 'counts', type: 'window', params: { assigner: { kind: 'global', count: 7 }, aggregates: { n: { fn: 'count' }, types: { fn: 'countDistinct', field: 'eventType' } } } },
    { id: 'countsOut', type: 'sink.file', params: { path: 'out/counts.jsonl' } },
  );
  edges.push({ from: 'byUser', to: 'sessions' }, { from: 'sessions', to: 'sessionsOut' }, { from: 'byUser', to: 'counts' }, { from: 'counts', to: 'countsOut' });
  return { nodes, edges };
}

async function reference(doc: Doc): Promise<Record<string, string[]>> {
  const dir = scratch();
  expect((await runSegment(doc, dir, 1, null)).outcome).toBe('finished');
  const ref = sortedOutputs(doc, dir);
  for (const [id, lines] of Object.entries(ref)) expect(lines.length, id).toBeGreaterThan(50);
  return ref;
}

describe('checkpoints with parallel instances', () => {
  it('a run at parallelism 2 cut at several checkpoints ends with the uninterrupted output (windows, process timers, cep)', { timeout: 300_000 }, async () => {
    const doc = withSessions(COUNT, RATE);
    const ref = await reference(withSessions(COUNT));
    const dir = scratch();
    const segments = await runCut(doc, dir, [2], 2);
    expect(segments.length).toBeGreaterThanOrEqual(3);
    expect(segments.slice(1).every((s) => s.resumed)).toBe(true);
    expect(sortedOutputs(doc, dir)).toEqual(ref);
  });

  it('rescales 2 → 1 → 2 → 4 across restores, each instance taking the keys of its key groups', { timeout: 300_000 }, async () => {
    const doc = withSessions(COUNT, RATE);
    const ref = await reference(withSessions(COUNT));
    const dir = scratch();
    const segments = await runCut(doc, dir, [2, 1, 2, 4], 2);
    expect(segments.length).toBeGreaterThanOrEqual(4);
    expect(segments.slice(1).every((s) => s.resumed)).toBe(true);
    expect(sortedOutputs(doc, dir)).toEqual(ref);
  });

  it('refuses state saved with another number of key groups, naming the node and both parallelisms', { timeout: 120_000 }, async () => {
    const doc = withSessions(COUNT, RATE);
    const dir = scratch();
    expect((await runSegment(doc, dir, 2, 1)).outcome).not.toBe('finished');
    // Parallelism 100 has 256 key groups (KeyGroupRangeAssignment.computeDefaultMaxParallelism).
    const err = await runSegment(doc, dir, 100, 1).then(() => null, (e: unknown) => e as { nodeId?: string; message: string });
    expect(err?.nodeId).toBe('win');
    expect(err?.message).toMatch(/saved at parallelism 2, this run has parallelism 100: its state was saved with 128 key groups, this run has 256/);
  });
});
