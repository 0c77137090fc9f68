// Named input ports: edges name the port of a two-input node, and validation checks that inputs
// that must be keyed are, naming the port.
import { describe, expect, it } from 'vitest';
import { validatePipeline } from '../../runtime/format/validate.js';

function doc(opts: { keyLeft?: boolean; keyRight?: boolean; type?: string; params?: Record<string, unknown>; ports?: [string, string] } = {}) {
  const [a, b] = opts.ports ?? ['left', 'right'];
  return {
    format: 'tributary.pipeline/v1',
    nodes: [
      { id: 'clicks', type: 'source.generator', params: { rate: 0, count: 10 } },
      { id: 'orders', type: 'source.generator', params: { rate: 0, count: 10, seed: 2 } },
      { id: 'k1', type: opts.keyLeft === false ? 'filter' : 'keyBy', params: opts.keyLeft === false ? { condition: 'true' } : { key: 'userId' } },
      { id: 'k2', type: opts.keyRight === false ? 'filter' : 'keyBy', params: opts.keyRight === false ? { condition: 'true' } : { key: 'userId' } },
      { id: 'j', type: opts.type ?? 'join.interval', params: opts.params ?? { lowerBound: '-1m', upperBound: '1m', output: '{ a: left.userId }' } },
      { id: 'out', type: 'sink.console' },
    ],
    edges: [
      { from: 'clicks', to: 'k1' },
      { from: 'orders', to: 'k2' },
      { from: 'k1', to: 'j', toPort: a },
      { from: 'k2', to: 'j', toPort: b },
      { from: 'j', to: 'out' },
    ],
  };
}

describe('two-input nodes in validation', () => {
  it('accepts both sides keyed', () => {
    expect(validatePipeline(doc()).problems).toEqual([]);
  });

  it('names the input that is not keyed', () => {
    const { problems } = validatePipeline(doc({ keyRight: false }));
    expect(problems).toEqual([{ nodeId: 'j', path: '$.nodes[4]', message: expect.stringContaining("join.interval input 'right' needs a keyed stream") }]);
    expect(problems[0]!.message).toContain("keyed alike with 'left'");
  });

  it('rejects an edge without a port name (the default `in`) and a second edge into one port', () => {
    const d = doc();
    delete (d.edges[3] as { toPort?: string }).toPort;
    const { problems } = validatePipeline(d);
    expect(problems.map((p) => p.message)).toEqual(expect.arrayContaining([
      "join.interval has no input port 'in' (inputs: left, right)",
      "input 'right' is not connected",
    ]));
    const twice = doc({ ports: ['left', 'left'] });
    expect(validatePipeline(twice).problems.map((p) => p.message)).toEqual(expect.arrayContaining(["input 'left' takes one edge, got 2 (merge them with a union)"]));
  });

  it('broadcast takes an unkeyed broadcast input and a keyed or unkeyed main input', () => {
    const params = { key: "'x'", output: '{...event}' };
    expect(validatePipeline(doc({ type: 'broadcast', params, ports: ['main', 'broadcast'], keyRight: false })).problems).toEqual([]);
    expect(validatePipeline(doc({ type: 'broadcast', params, ports: ['main', 'broadcast'], keyLeft: false, keyRight: false })).problems).toEqual([]);
  });

  it('connect and join.window need both sides keyed too', () => {
    const c = validatePipeline(doc({ type: 'connect', params: { onLeft: '', onRight: '' }, keyLeft: false }));
    expect(c.problems.map((p) => p.message)).toEqual([expect.stringContaining("connect input 'left' needs a keyed stream")]);
    const w = validatePipeline(doc({ type: 'join.window', params: { assigner: { kind: 'tumbling', size: '1m' }, output: '{}' }, keyLeft: false, keyRight: false }));
    expect(w.problems).toHaveLength(2);
  });
});
