// The pipeline the checkpoint tests kill: generator → keyBy → tumbling window, CEP and a process
// function with event-time timers → three files. Deterministic, so an uninterrupted run is the
// reference every interrupted one must equal byte for byte.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OUTPUTS = ['windows', 'alerts', 'quiet'] as const;

export interface Node {
  id: string;
  type: string;
  params?: Record<string, unknown>;
}

export function killPipeline(count: number): { nodes: Node[]; edges: { from: string; to: string }[] } {
  return {
    nodes: [
      { id: 'clicks', type: 'source.generator', params: { rate: 0, count, seed: 11, users: 300, eventTimeRate: 20 } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { n: { fn: 'count' }, spent: { fn: 'sum', field: 'price' }, users: { fn: 'approxCountDistinct', field: 'productId' } } } },
      {
        id: 'abandoned',
        type: 'cep',
        params: {
          pattern: [
            { name: 'add', where: "eventType == 'ADD_TO_CART'" },
            { name: 'purchase', where: "eventType == 'PURCHASE'", contiguity: 'relaxed', negated: true },
          ],
          within: '10m',
          select: '{ userId: key, productId: match.add[0].productId, addedAt: match.add[0].ts }',
        },
      },
      {
        id: 'quiet',
        type: 'process',
        params: {
          code: "const n = ctx.state.value('n'); n.update((n.value() ?? 0) + 1); const at = ctx.state.value('at'); if (at.value() !== undefined) ctx.timers.deleteEventTime(at.value()); at.update(ctx.timestamp + 5 * 60000); ctx.timers.eventTime(at.value());",
          onTimer: "ctx.emit({ userId: ctx.key, events: ctx.state.value('n').value(), at: timer.timestamp }); ctx.state.value('n').clear();",
        },
      },
      { id: 'winOut', type: 'sink.file', params: { path: 'out/windows.jsonl' } },
      { id: 'cepOut', type: 'sink.file', params: { path: 'out/alerts.jsonl' } },
      { id: 'procOut', type: 'sink.file', params: { path: 'out/quiet.jsonl' } },
    ],
    edges: [
      { from: 'clicks', to: 'byUser' },
      { from: 'byUser', to: 'win' },
      { from: 'byUser', to: 'abandoned' },
      { from: 'byUser', to: 'quiet' },
      { from: 'win', to: 'winOut' },
      { from: 'abandoned', to: 'cepOut' },
      { from: 'quiet', to: 'procOut' },
    ],
  };
}

export function writePipeline(dir: string, doc: { nodes: Node[]; edges: { from: string; to: string }[] }, file = 'kill.json'): string {
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ format: 'tributary.pipeline/v1', name: 'kill', ...doc }, null, 2));
  return path;
}

export function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'tributary-ckpt-'));
}

export function outputs(dir: string, which: readonly string[] = OUTPUTS): Record<string, string> {
  return Object.fromEntries(which.map((o) => [o, readFileSync(join(dir, 'out', `${o}.jsonl`), 'utf8')]));
}
