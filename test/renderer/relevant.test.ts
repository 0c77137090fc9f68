// Forms leave out params that cannot apply (unless set), and state figures know a keyBy upstream.
import { describe, expect, it } from 'vitest';
import { keyedInput } from '../../renderer/src/model/keyed.js';
import { hiddenFields } from '../../renderer/src/model/relevant.js';
import { REGISTRY } from '../../runtime/nodes/registry.js';

describe('hiddenFields', () => {
  it('a window aggregate shows k only for topK kinds and precision only for approxCountDistinct', () => {
    expect([...hiddenFields('window', ['aggregates', 'n'], { fn: 'count' })].sort()).toEqual(['k', 'precision']);
    expect([...hiddenFields('window', ['aggregates', 't'], { fn: 'topK', field: 'x' })]).toEqual(['precision']);
    expect([...hiddenFields('window', ['aggregates', 'd'], { fn: 'approxCountDistinct', field: 'x' })]).toEqual(['k']);
    // A wrongly set k stays in view, beside its problem.
    expect([...hiddenFields('window', ['aggregates', 'n'], { fn: 'count', k: 5 })]).toEqual(['precision']);
  });

  it('filter and map show the expression or the code, never both (both set: both, to fix)', () => {
    expect([...hiddenFields('filter', [], {})]).toEqual(['code']);
    expect([...hiddenFields('filter', [], { condition: 'x' })]).toEqual(['code']);
    expect([...hiddenFields('filter', [], { code: 'return 1' })]).toEqual(['condition']);
    expect([...hiddenFields('map', [], { code: 'return event' })]).toEqual(['expression']);
    expect([...hiddenFields('map', [], { code: 'a', expression: 'b' })]).toEqual([]);
    expect([...hiddenFields('keyBy', [], {})]).toEqual([]);
  });
});

describe('keyedInput', () => {
  const doc = (withKeyBy: boolean) => ({
    format: 'tributary.pipeline/v1',
    nodes: [
      { id: 'g', type: 'source.generator', params: {} },
      ...(withKeyBy ? [{ id: 'k', type: 'keyBy', params: { key: 'userId' } }] : []),
      { id: 'f', type: 'filter', params: { condition: 'true' } },
      { id: 'w', type: 'window', params: {} },
    ],
    edges: withKeyBy
      ? [{ from: 'g', to: 'k' }, { from: 'k', to: 'f' }, { from: 'f', to: 'w' }]
      : [{ from: 'g', to: 'f' }, { from: 'f', to: 'w' }],
  });
  it('a window after keyBy (through a filter) is keyed; without one it is not', () => {
    expect(keyedInput(doc(true), REGISTRY, 'w')).toBe(true);
    expect(keyedInput(doc(false), REGISTRY, 'w')).toBe(false);
  });
});
