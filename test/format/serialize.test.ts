import { describe, expect, it } from 'vitest';
import { serializePipeline } from '../../runtime/format/serialize.js';

describe('serializePipeline', () => {
  const doc = {
    edges: [{ to: 'f', from: 'gen', fromPort: 'out', toPort: 'in' }, { toPort: 'in', fromPort: 'errors', to: 'dlq', from: 'f' }],
    nodes: [
      { params: { seed: 1, rate: 0, preset: 'ecommerce', zzz: 1, aaa: 2 }, position: { y: 2, x: 1 }, type: 'source.generator', id: 'gen' },
      { type: 'filter', id: 'f', params: { condition: 'true' }, label: 'F' },
      { id: 'dlq', type: 'sink.file', params: { format: 'jsonl', path: 'x' } },
    ],
    name: 'n',
    settings: { checkpoint: { interval: '10s' }, parallelism: 2 },
    format: 'tributary.pipeline/v1',
  };

  it('orders keys as the format and the specs declare them, pretty-printed', () => {
    const text = serializePipeline(doc);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['format', 'name', 'settings', 'nodes', 'edges']);
    expect(Object.keys(parsed.settings)).toEqual(['parallelism', 'checkpoint']);
    expect(Object.keys(parsed.nodes[0])).toEqual(['id', 'type', 'position', 'params']);
    expect(Object.keys(parsed.nodes[0].position)).toEqual(['x', 'y']);
    // Declared params first in spec order, unknown ones after, sorted.
    expect(Object.keys(parsed.nodes[0].params)).toEqual(['preset', 'rate', 'seed', 'aaa', 'zzz']);
    expect(Object.keys(parsed.nodes[1])).toEqual(['id', 'type', 'label', 'params']);
    expect(Object.keys(parsed.nodes[2].params)).toEqual(['path', 'format']);
    expect(text).toContain('\n  "nodes": [\n');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('leaves default ports out of edges', () => {
    const parsed = JSON.parse(serializePipeline(doc));
    expect(parsed.edges).toEqual([{ from: 'gen', to: 'f' }, { from: 'f', fromPort: 'errors', to: 'dlq' }]);
  });

  it('is stable: serializing its own output changes nothing, whatever the input order', () => {
    const once = serializePipeline(doc);
    expect(serializePipeline(JSON.parse(once))).toBe(once);
    const shuffled = JSON.parse(once);
    shuffled.nodes.reverse();
    shuffled.nodes.reverse();
    expect(serializePipeline({ edges: shuffled.edges, nodes: shuffled.nodes, format: shuffled.format, settings: shuffled.settings, name: 'n' })).toBe(once);
  });

  it('keeps the user\'s order inside maps the user names', () => {
    const parsed = JSON.parse(serializePipeline({ format: 'tributary.pipeline/v1', nodes: [{ id: 'x', type: 'unknown.type', params: { b: 1, a: { d: 1, c: 2 } } }] }));
    // Unknown types have no spec: keys are sorted, so the output is still stable.
    expect(Object.keys(parsed.nodes[0].params)).toEqual(['a', 'b']);
    expect(Object.keys(parsed.nodes[0].params.a)).toEqual(['c', 'd']);
  });
});
