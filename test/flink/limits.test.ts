// Nodes that cannot run on Flink are named with their own reason before anything is built.
import { describe, expect, it } from 'vitest';
import { flinkProblems } from '../../runtime/format/flink.js';
import { validated } from '../support/flink.js';

const cep = (id: string, more: Record<string, unknown> = {}) => ({
  id,
  type: 'cep',
  params: { pattern: [{ name: 'a', where: "t == 'a'" }, { name: 'b', where: "t == 'b'" }], ...more },
});

describe('what cannot run on Flink, and why', () => {
  it('names each node with its own reason, and passes the ones that translate', () => {
    const pipeline = validated({
      nodes: [
        { id: 'src', type: 'source.file', params: { path: 'in.jsonl', eventTime: { field: 'ts' } } },
        { id: 'expand', type: 'flatMap', params: { code: 'return [event];' } },
        cep('ok'),
        cep('withErrors'),
        cep('clock', { time: 'processing' }),
        { id: 'print', type: 'sink.console', params: {} },
        { id: 'errs', type: 'sink.file', params: { path: 'errors.jsonl' } },
      ],
      edges: [
        { from: 'src', to: 'expand' },
        { from: 'expand', to: 'ok' },
        { from: 'src', to: 'withErrors' },
        { from: 'src', to: 'clock' },
        { from: 'ok', to: 'print' },
        { from: 'withErrors', to: 'print' },
        { from: 'clock', to: 'print' },
        { from: 'withErrors', fromPort: 'errors', to: 'errs' },
      ],
    });
    const problems = Object.fromEntries(flinkProblems(pipeline).map((p) => [p.nodeId, p.reason]));
    // flatMap's code runs in GraalJS on Flink.
    expect(Object.keys(problems).sort()).toEqual(['clock', 'withErrors']);
    expect(problems.withErrors).toMatch(/edge from `errors`.*CepOperator cannot/);
    expect(problems.clock).toMatch(/processing-time cep/);
  });
});
