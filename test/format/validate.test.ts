import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatProblem } from '../../runtime/format/problems.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { makeRegistry, NODE_SPECS } from '../../runtime/nodes/registry.js';
import { defineNode } from '../../runtime/nodes/spec.js';

const gen = { id: 'gen', type: 'source.generator', params: { count: 10 } };
const sink = { id: 'out', type: 'sink.console' };

function pipeline(nodes: unknown[], edges: unknown[] = []) {
  return { format: 'tributary.pipeline/v1', name: 't', nodes, edges };
}

function lines(doc: unknown, registry?: Parameters<typeof validatePipeline>[1]): string[] {
  return validatePipeline(doc, registry).problems.map(formatProblem);
}

describe('validatePipeline', () => {
  it('accepts a valid pipeline and applies defaults', () => {
    const r = validatePipeline(
      pipeline(
        [gen, { id: 'f', type: 'filter', params: { condition: "eventType == 'VIEW'" } }, sink],
        [{ from: 'gen', to: 'f' }, { from: 'f', to: 'out' }],
      ),
    );
    expect(r.problems).toEqual([]);
    const g = r.pipeline!.nodes[0]!;
    expect(g.params).toMatchObject({ rate: 1000, seed: 42, preset: 'ecommerce', disorder: '2s' });
    expect(r.pipeline!.edges[0]).toEqual({ from: 'gen', fromPort: 'out', to: 'f', toPort: 'in' });
    expect(r.pipeline!.codeNodes).toEqual([]);
  });

  it('rejects unknown node types with a suggestion', () => {
    expect(lines(pipeline([gen, { id: 'f', type: 'fliter', params: {} }]))).toContain("f $.nodes[1].type: unknown node type 'fliter'; did you mean 'filter'?");
  });

  it('rejects unknown params, naming the node and the path', () => {
    expect(lines(pipeline([{ ...gen, params: { count: 10, sed: 3 } }, sink], [{ from: 'gen', to: 'out' }]))).toEqual([
      "gen $.nodes[0].params.sed: unknown param 'sed'; did you mean 'seed'?",
    ]);
  });

  it('rejects wrong types and missing required params', () => {
    const l = lines(pipeline([{ ...gen, params: { rate: 'fast' } }, { id: 'k', type: 'keyBy', params: {} }, sink], [{ from: 'gen', to: 'k' }, { from: 'k', to: 'out' }]));
    expect(l).toContain('gen $.nodes[0].params.rate: expected number, received string');
    expect(l).toContain('k $.nodes[1].params.key: required: expected string');
  });

  it('checks nested params and durations', () => {
    const l = lines(
      pipeline(
        [{ id: 'src', type: 'source.file', params: { path: 'x.jsonl', eventTime: { field: 'ts', maxOutOfOrderness: '5 minutes' } } }, sink],
        [{ from: 'src', to: 'out' }],
      ),
    );
    expect(l).toEqual(['src $.nodes[0].params.eventTime.maxOutOfOrderness: invalid duration "5 minutes": use milliseconds or "<n><unit>" with unit ms, s, m, h or d (e.g. "15m")']);
  });

  it('reports a bad expression with its column', () => {
    const l = lines(pipeline([gen, { id: 'f', type: 'filter', params: { condition: 'price = 3' } }, sink], [{ from: 'gen', to: 'f' }, { from: 'f', to: 'out' }]));
    expect(l).toHaveLength(1);
    expect(l[0]).toMatch(/^f \$\.nodes\[1\]\.params\.condition: .*assignment.*\(column 7\)$/);
  });

  it('reports a syntax error in code with line and column', () => {
    const l = lines(pipeline([gen, { id: 'f', type: 'filter', params: { code: 'const a = 1;\nreturn a +;' } }, sink], [{ from: 'gen', to: 'f' }, { from: 'f', to: 'out' }]));
    expect(l[0]).toMatch(/^f \$\.nodes\[1\]\.params\.code: .*\(line 2, column 11\)$/);
  });

  it('needs exactly one of condition and code', () => {
    const both = lines(pipeline([gen, { id: 'f', type: 'filter', params: { condition: 'true', code: 'return true' } }, sink], [{ from: 'gen', to: 'f' }, { from: 'f', to: 'out' }]));
    expect(both).toEqual(["f $.nodes[1].params: give either 'condition' or 'code', not both"]);
    const none = lines(pipeline([gen, { id: 'f', type: 'filter', params: {} }, sink], [{ from: 'gen', to: 'f' }, { from: 'f', to: 'out' }]));
    expect(none).toEqual(["f $.nodes[1].params: 'condition' or 'code' is required"]);
  });

  it('lists code nodes, which need trust', () => {
    const r = validatePipeline(pipeline([gen, { id: 'f', type: 'filter', params: { code: 'return true' } }, sink], [{ from: 'gen', to: 'f' }, { from: 'f', to: 'out' }]));
    expect(r.pipeline!.codeNodes).toEqual(['f']);
  });

  it('rejects dangling edges and unknown ports', () => {
    const l = lines(
      pipeline([gen, sink], [
        { from: 'gen', to: 'nowhere' },
        { from: 'gen', fromPort: 'late', to: 'out' },
        { from: 'gen', to: 'out', toPort: 'left' },
        { from: 'gen', to: 'out' },
      ]),
    );
    expect(l).toEqual([
      "- $.edges[0].to: edge to unknown node 'nowhere'",
      'gen $.edges[1].fromPort: source.generator has no output port \'late\' (outputs: out)',
      "out $.edges[2].toPort: sink.console has no input port 'left' (inputs: in)",
    ]);
  });

  it('rejects duplicate ids, bad ids, duplicate edges and unconnected inputs', () => {
    const l = lines(
      pipeline([gen, { ...sink }, { ...sink }, { id: '9lives', type: 'union' }, { id: 'u', type: 'union' }], [
        { from: 'gen', to: 'out' },
        { from: 'gen', to: 'out' },
      ]),
    );
    expect(l).toContain("out $.nodes[2].id: duplicate node id 'out' (also $.nodes[1])");
    expect(l).toContain('9lives $.nodes[3].id: node id must start with a letter and contain only letters, digits, _ and -');
    expect(l).toContain('out $.edges[1]: duplicate edge gen.out → out.in');
    expect(l).toContain("u $.nodes[4]: input 'in' is not connected");
  });

  it('rejects two edges into a single-edge input', () => {
    const l = lines(
      pipeline([gen, { ...gen, id: 'gen2' }, { id: 'f', type: 'filter', params: { condition: 'true' } }], [
        { from: 'gen', to: 'f' },
        { from: 'gen2', to: 'f' },
      ]),
    );
    expect(l).toEqual(["f $.nodes[2]: input 'in' takes one edge, got 2 (merge them with a union)"]);
  });

  it('rejects cycles, naming every node on them and none downstream', () => {
    const l = lines(
      pipeline(
        [gen, { id: 'u', type: 'union' }, { id: 'a', type: 'map', params: { expression: 'event' } }, { id: 'b', type: 'filter', params: { condition: 'true' } }, sink],
        [{ from: 'gen', to: 'u' }, { from: 'u', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'u' }, { from: 'b', to: 'out' }],
      ),
    );
    expect(l).toEqual([
      'u $.nodes[1]: is on a cycle (u, a, b); pipelines must be acyclic',
      'a $.nodes[2]: is on a cycle (u, a, b); pipelines must be acyclic',
      'b $.nodes[3]: is on a cycle (u, a, b); pipelines must be acyclic',
    ]);
  });

  describe('keyed nodes need an upstream keyBy', () => {
    const keyedSpec = defineNode({
      type: 'test.keyed', title: 'Keyed', category: 'keyed', doc: 'test', params: z.strictObject({}),
      inputs: [{ name: 'in', doc: '' }], outputs: [{ name: 'out', doc: '' }], keyed: 'required', keyOutput: 'clear', flinkExport: false, example: {},
    });
    const registry = makeRegistry([...NODE_SPECS, keyedSpec]);
    const node = { id: 'w', type: 'test.keyed' };

    it('rejects a keyed node fed by an unkeyed stream', () => {
      expect(lines(pipeline([gen, node], [{ from: 'gen', to: 'w' }]), registry)).toEqual([
        'w $.nodes[1]: test.keyed needs a keyed input: add a keyBy upstream (stateless nodes in between keep the key)',
      ]);
    });

    it('accepts keyBy upstream, also through stateless nodes', () => {
      const nodes = [gen, { id: 'k', type: 'keyBy', params: { key: 'userId' } }, { id: 'f', type: 'filter', params: { condition: 'true' } }, node];
      expect(lines(pipeline(nodes, [{ from: 'gen', to: 'k' }, { from: 'k', to: 'f' }, { from: 'f', to: 'w' }]), registry)).toEqual([]);
    });

    it('an errors port is not keyed, and a union is keyed only if all inputs are', () => {
      const nodes = [gen, { id: 'k', type: 'keyBy', params: { key: 'userId' } }, { id: 'u', type: 'union' }, node];
      const l = lines(pipeline(nodes, [{ from: 'gen', to: 'k' }, { from: 'k', to: 'u' }, { from: 'k', fromPort: 'errors', to: 'u' }, { from: 'u', to: 'w' }]), registry);
      expect(l).toHaveLength(1);
      expect(l[0]).toMatch(/^w .*needs a keyed input/);
    });
  });

  it('rejects a pipeline that is not an object, has no nodes, or has no source', () => {
    expect(lines([])).toEqual(['- $: a pipeline must be a JSON object']);
    expect(lines(pipeline([]))).toEqual(['- $.nodes: the pipeline has no nodes']);
    expect(lines(pipeline([{ id: 'u', type: 'union' }]))).toContain('- $.nodes: the pipeline has no source');
  });

  it('rejects envelope problems with paths', () => {
    const l = lines({ format: 'tributary.pipeline/v1', nodes: [{ id: 'gen', type: 'source.generator', parms: {} }], edges: [{ from: 'gen' }], extra: 1 });
    expect(l).toContain("gen $.nodes[0].parms: unknown field 'parms'; did you mean 'params'?");
    expect(l).toContain('- $.edges[0].to: required: expected string');
    expect(l).toContain("- $.extra: unknown field 'extra' (known: format, name, description, settings, nodes, edges)");
  });

  it('rejects unknown and future format versions', () => {
    expect(lines({ format: 'something', nodes: [] })).toEqual(['- $.format: not a Tributary pipeline: "format" must be "tributary.pipeline/v1", got "something"']);
    expect(lines({ format: 'tributary.pipeline/v9', nodes: [] })).toEqual(['- $.format: written by a newer Tributary (format v9); this version reads up to v1']);
  });
});
