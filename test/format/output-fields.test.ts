// Field schemas through the two-input nodes (joins, broadcast, connect) and infer: what they emit
// is known from their params, so a misspelled field after them is a warning too.
import { describe, expect, it } from 'vitest';
import { pipelineWarnings } from '../../runtime/format/warnings.js';

const F = 'tributary.pipeline/v1';
const gen = (id: string) => ({ id, type: 'source.generator', params: { rate: 100 } });
const by = (id: string) => ({ id, type: 'keyBy', params: { key: 'userId' } });
const sink = { id: 'out', type: 'sink.console', params: {} };

/** Two keyed generators into `node`, whose output feeds a filter on `condition`, then a sink. */
function twoInputs(node: Record<string, unknown>, condition: string, ports = ['left', 'right']) {
  return {
    format: F,
    name: 't',
    nodes: [gen('a'), gen('b'), by('ka'), by('kb'), node, { id: 'f', type: 'filter', params: { condition } }, sink],
    edges: [
      { from: 'a', to: 'ka' },
      { from: 'b', to: 'kb' },
      { from: 'ka', to: 'j', toPort: ports[0] },
      { from: 'kb', to: 'j', toPort: ports[1] },
      { from: 'j', to: 'f' },
      { from: 'f', to: 'out' },
    ],
  };
}

const messages = (doc: unknown) => pipelineWarnings(doc).filter((w) => w.nodeId === 'f').map((w) => w.message);

describe('outputFields of joins, broadcast, connect and infer', () => {
  it('interval join: the output expression\'s keys, and a spread side\'s fields', () => {
    const join = { id: 'j', type: 'join.interval', params: { lowerBound: '-1m', upperBound: '1m', output: '{ ...left, order: right.orderId }' } };
    expect(messages(twoInputs(join, 'order != null && price > 0'))).toEqual([]);
    expect(messages(twoInputs(join, 'ordr != null'))[0]).toMatch(/^unknown field 'ordr'.*did you mean 'order'\?/);
  });

  it('window join: a closed output without a spread', () => {
    const join = { id: 'j', type: 'join.window', params: { assigner: { kind: 'tumbling', size: '1m' }, output: '{ userId: key, viewed: left.productId }' } };
    expect(messages(twoInputs(join, 'viewed != null'))).toEqual([]);
    expect(messages(twoInputs(join, 'price > 1'))[0]).toBe("unknown field 'price': the records arriving here have userId, viewed (column 1)");
  });

  it('a join\'s late port carries {side, record}', () => {
    const join = { id: 'j', type: 'join.interval', params: { lowerBound: '-1m', upperBound: '1m', output: '{ a: 1 }' } };
    const doc = twoInputs(join, 'sid == \'left\'');
    doc.edges[4] = { from: 'j', fromPort: 'late', to: 'f' } as never;
    doc.nodes.push({ id: 'o2', type: 'sink.console', params: {} });
    doc.edges.push({ from: 'j', to: 'o2' });
    expect(messages(doc)[0]).toMatch(/^unknown field 'sid'.*have side, record; did you mean 'side'\?/);
  });

  it('broadcast: output spreads the main record', () => {
    const b = { id: 'j', type: 'broadcast', params: { key: "'trending'", output: '{ ...event, hot: broadcast.trending }' } };
    expect(messages(twoInputs(b, 'hot != null && price > 0', ['main', 'broadcast']))).toEqual([]);
    expect(messages(twoInputs(b, 'hott != null', ['main', 'broadcast']))[0]).toMatch(/did you mean 'hot'\?/);
    const bad = { ...b, params: { ...b.params, output: '{ ...event, x: prise }' } };
    expect(pipelineWarnings(twoInputs(bad, 'true', ['main', 'broadcast'])).filter((w) => w.nodeId === 'j')[0]?.message).toMatch(/'prise'.*did you mean 'price'/);
  });

  it('connect: code emits anything, so nothing after it is flagged', () => {
    const c = { id: 'j', type: 'connect', params: { onLeft: 'ctx.emit(event)', onRight: 'ctx.emit(event)' } };
    expect(messages(twoInputs(c, 'whatever > 1'))).toEqual([]);
  });

  it('infer: the record plus the mapped outputs and the version field; unset ONNX outputs stay open', () => {
    const doc = (params: Record<string, unknown>, condition: string) => ({
      format: F,
      name: 't',
      nodes: [gen('a'), { id: 'm', type: 'infer', params: { model: { kind: 'onnx', path: 'models/churn.onnx' }, features: ['price'], ...params } }, { id: 'f', type: 'filter', params: { condition } }, sink],
      edges: [{ from: 'a', to: 'm' }, { from: 'm', to: 'f' }, { from: 'f', to: 'out' }],
    });
    expect(messages(doc({ outputs: { score: 'output_probability[1]' } }, 'score > 0.5 && modelVersion != null && price > 0'))).toEqual([]);
    expect(messages(doc({ outputs: { score: 'output_probability[1]' } }, 'scor > 0.5'))[0]).toMatch(/did you mean 'score'\?/);
    expect(messages(doc({}, 'output_label == 1'))).toEqual([]);
  });
});
