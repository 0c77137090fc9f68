// Warnings: unknown field references (with did-you-mean) follow field schemas through the graph;
// loose ends (an output that goes nowhere, a source that reaches no sink). Warnings never block.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FieldFlow } from '../../runtime/format/fields.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { pipelineWarnings } from '../../runtime/format/warnings.js';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { PIPELINES_DIR } from '../support/pipelines.js';

const F = 'tributary.pipeline/v1';
const gen = { id: 'clicks', type: 'source.generator', params: { rate: 100 } };
const sink = { id: 'out', type: 'sink.console', params: {} };

function chain(...nodes: Record<string, unknown>[]) {
  const all = [gen, ...nodes, sink];
  return { format: F, name: 't', nodes: all, edges: all.slice(1).map((n, i) => ({ from: all[i]!.id, to: n.id })) };
}

describe('field checks', () => {
  it('warns about a misspelled field in a filter, with did-you-mean and the column', () => {
    const doc = chain({ id: 'buys', type: 'filter', params: { condition: "evntType == 'PURCHASE'" } });
    expect(validatePipeline(doc).problems).toEqual([]); // still valid: a warning, not an error
    const w = pipelineWarnings(doc);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ nodeId: 'buys', path: '$.nodes[1].params.condition', severity: 'warning' });
    expect(w[0]!.message).toMatch(/^unknown field 'evntType'.*did you mean 'eventType'\? \(column 1\)$/);
  });

  it('follows a map\'s object expression: fields it drops are unknown downstream', () => {
    const doc = chain(
      { id: 'slim', type: 'map', params: { expression: '{ userId, total: price * quantity }' } },
      { id: 'norm', type: 'map', params: { expression: '{ ...event, c: lower(coupon), u: event.userId, p: price }' } },
    );
    const w = pipelineWarnings(doc).map((p) => p.message);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/unknown field 'coupon'.*\(column 22\)/);
    expect(w[1]).toBe("unknown field 'price': the records arriving here have userId, total (column 51)");
  });

  it('knows a window\'s results and checks its aggregate fields', () => {
    const doc = chain(
      { id: 'by', type: 'keyBy', params: { key: 'userId' } },
      { id: 'w', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { n: { fn: 'count' }, rev: { fn: 'sum', field: 'prise' } } } },
      { id: 'big', type: 'filter', params: { condition: 'n > 3 && windowEnd > 0 && revv > 1' } },
    );
    const w = pipelineWarnings(doc);
    expect(w.map((p) => p.path)).toEqual(['$.nodes[2].params.aggregates.rev.field', '$.nodes[3].params.condition']);
    expect(w[0]!.message).toMatch(/'prise'.*did you mean 'price'/);
    expect(w[1]!.message).toMatch(/'revv'.*have key, windowStart, windowEnd, n, rev; did you mean 'rev'/);
  });

  it('stays quiet after code (process, flatMap) and for sources that declared nothing; a declared source is checked', () => {
    const afterCode = chain({ id: 'p', type: 'process', params: { code: 'ctx.emit(event)' } }, { id: 'f', type: 'filter', params: { condition: 'anything > 1' } });
    expect(pipelineWarnings(afterCode)).toEqual([]);
    const file = (fields?: string[]) => ({
      format: F,
      name: 't',
      nodes: [{ id: 'in', type: 'source.file', params: { path: 'x.jsonl', ...(fields ? { fields } : {}) } }, { id: 'f', type: 'filter', params: { condition: 'amout > 1' } }, sink],
      edges: [{ from: 'in', to: 'f' }, { from: 'f', to: 'out' }],
    });
    expect(pipelineWarnings(file())).toEqual([]);
    expect(validatePipeline(file(['amount', 'id'])).problems).toEqual([]);
    expect(pipelineWarnings(file(['amount', 'id'])).map((p) => p.message)).toEqual([expect.stringMatching(/'amout'.*did you mean 'amount'/)]);
  });

  it('cep: where reads the record (event), select does not', () => {
    const doc = chain(
      { id: 'by', type: 'keyBy', params: { key: 'userId' } },
      { id: 'p', type: 'cep', params: { pattern: [{ name: 'a', where: "evntType == 'VIEW'" }], select: '{ user: key, n: match.a.length }' } },
      { id: 'f', type: 'filter', params: { condition: 'user != null && n > 0' } },
    );
    expect(pipelineWarnings(doc).map((p) => [p.path, p.message.slice(0, 26)])).toEqual([['$.nodes[2].params.pattern[0].where', "unknown field 'evntType': "]]);
  });

  it('flow: the spec hooks give completion the same fields', () => {
    const n = (id: string, type: string, params: object) => ({ id, spec: REGISTRY.get(type)!, params: REGISTRY.get(type)!.params.parse(params) });
    const flow = new FieldFlow(
      [n('g', 'source.generator', {}), n('m', 'map', { expression: '{ ...event, total: 1 }' }), n('k', 'source.kafka', { brokers: 'x:1', topic: 't', format: 'string' })],
      [{ from: 'g', fromPort: 'out', to: 'm', toPort: 'in' }],
    );
    expect(flow.output('m', 'out').fields.map((f) => f.name)).toContain('total');
    expect(flow.output('m', 'out').fields.map((f) => f.name)).toContain('eventType');
    expect(flow.output('m', 'errors').fields.map((f) => f.name)).toEqual(['node', 'error', 'record']);
    expect(flow.output('k', 'out')).toMatchObject({ open: false, fields: [{ name: 'value' }, { name: 'kafka' }] });
  });
});

describe('loose ends', () => {
  it('an output that goes nowhere and a source that reaches no sink are warnings', () => {
    const doc = {
      format: F,
      name: 't',
      nodes: [gen, { id: 'f', type: 'filter', params: { condition: 'price > 1' } }, { id: 'g2', type: 'source.generator', params: {} }, { id: 'm', type: 'map', params: { expression: '{ a: 1 }' } }, { id: 'u', type: 'union' }],
      edges: [{ from: 'clicks', to: 'f' }, { from: 'g2', to: 'u' }, { from: 'u', to: 'm' }],
    };
    expect(validatePipeline(doc).problems).toEqual([]);
    expect(pipelineWarnings(doc).map((p) => `${p.nodeId}: ${p.message}`)).toEqual([
      'clicks: no sink downstream: this source\'s records reach no output',
      "f: output 'out' goes nowhere: its records are dropped (connect it to a sink)",
      'g2: no sink downstream: this source\'s records reach no output',
      "m: output 'out' goes nowhere: its records are dropped (connect it to a sink)",
    ]);
  });

  it('a node with invalid params (an error already) does not make what feeds it go nowhere', () => {
    const doc = chain({ id: 'bad', type: 'map', params: { expression: 42 } }, { id: 'after', type: 'filter', params: { condition: 'anything > 1' } });
    expect(validatePipeline(doc).problems.map((p) => p.nodeId)).toContain('bad');
    // Nothing about 'clicks' going nowhere, nor about fields after the unknown output.
    expect(pipelineWarnings(doc)).toEqual([]);
  });

  it('no template warns', () => {
    for (const f of readdirSync(PIPELINES_DIR).filter((f) => f.endsWith('.json'))) {
      expect(pipelineWarnings(JSON.parse(readFileSync(join(PIPELINES_DIR, f), 'utf8'))), f).toEqual([]);
    }
  });
});
