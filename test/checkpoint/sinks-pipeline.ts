// The pipeline the server-sink kill tests run: generator → keyBy → tumbling window → the sinks the
// test gives. Deterministic, so an uninterrupted run is the reference an interrupted one must equal.
import { join } from 'node:path';
import type { Node } from './pipeline.js';

/**
 * `npm run test:long` (which sets CHECKPOINT_KILLS) runs the server-sink kill tests at full size;
 * the default run is smaller and kills twice, which already fails with at-least-once sinks.
 */
export const LONG = process.env.CHECKPOINT_KILLS !== undefined;
export const KILLS = Number(process.env.CHECKPOINT_KILLS ?? 2);

export function windowPipeline(count: number, sinks: Node[], filter?: string): { nodes: Node[]; edges: { from: string; to: string }[] } {
  // Throttled to last about 4 s (event time is set by eventTimeRate, so output is the same): on a
  // fast machine an unthrottled run ended before its first checkpoint, so it was never killed.
  const nodes: Node[] = [
    { id: 'clicks', type: 'source.generator', params: { rate: Math.ceil(count / 4), count, seed: 11, users: 300, eventTimeRate: 20 } },
    { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
    { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { n: { fn: 'count' }, spent: { fn: 'sum', field: 'price' } } } },
  ];
  const edges = [
    { from: 'clicks', to: 'byUser' },
    { from: 'byUser', to: 'win' },
  ];
  let last = 'win';
  if (filter !== undefined) {
    nodes.push({ id: 'some', type: 'filter', params: { condition: filter } });
    edges.push({ from: 'win', to: 'some' });
    last = 'some';
  }
  for (const s of sinks) {
    nodes.push(s);
    edges.push({ from: last, to: s.id });
  }
  return { nodes, edges };
}

export const ckptDirOf = (dir: string, name = 'kill') => join(dir, '.tributary', 'checkpoints', name);
