// Forms derive from node specs alone; completion fields follow the graph; the CEP step editor
// produces params the `cep` node's own validator accepts.
import { describe, expect, it } from 'vitest';
import { validatePipeline } from '../../runtime/format/validate.js';
import { NODE_SPECS, REGISTRY } from '../../runtime/nodes/registry.js';
import { addStep, type CepStep, joinName, moveStep, quantifierFor, quantifierName, updateStep } from '../../renderer/src/model/cep.js';
import { type Doc, emptyDoc } from '../../renderer/src/model/doc.js';
import { inputFields, objectExpressionFields } from '../../renderer/src/model/fields.js';
import { discriminator, initialValue, type JsonSchema, kindOf, listItems, listItemSchema, listValue, objectFields, paramsSchema, parseScalar, variantIndex, variantLabel } from '../../renderer/src/model/form.js';
import { parseJsonPath, placeProblems } from '../../renderer/src/model/problems.js';
import { actionFor } from '../../renderer/src/model/shortcuts.js';

describe('forms from specs', () => {
  it('classifies the window node\'s params: assigner kinds, durations, enums, the aggregates record', () => {
    const fields = objectFields(paramsSchema(REGISTRY.get('window')!));
    const kinds = Object.fromEntries(fields.map((f) => [f.key, f.kind]));
    expect(kinds).toEqual({ assigner: 'variant', time: 'enum', allowedLateness: 'duration', aggregates: 'record' });
    const assigner = fields.find((f) => f.key === 'assigner')!.schema;
    expect(assigner.oneOf!.map((_, i) => variantLabel(assigner, i))).toEqual(['tumbling', 'sliding', 'session', 'global']);
    expect(variantIndex(assigner, { kind: 'session', gap: '5m' })).toBe(2);
    expect(initialValue(assigner.oneOf![1]!)).toEqual({ kind: 'sliding', size: '', slide: '' });
    const agg = fields.find((f) => f.key === 'aggregates')!.schema.additionalProperties as never;
    expect(kindOf(agg)).toBe('object');
    expect(initialValue(agg)).toEqual({ fn: 'count' });
  });

  it('gives every registered node type a form with no field left to raw JSON, down to list items and nested objects', () => {
    const walk = (at: string, s: JsonSchema, depth: number): void => {
      const kind = kindOf(s);
      expect(`${at}:${kind}`).not.toMatch(/:json$/);
      if (depth > 4) return;
      if (kind === 'object') for (const f of objectFields(s)) walk(`${at}.${f.key}`, f.schema, depth + 1);
      if (kind === 'array') walk(`${at}[]`, listItemSchema(s), depth + 1);
      if (kind === 'record') walk(`${at}[*]`, s.additionalProperties as JsonSchema, depth + 1);
      if (kind === 'variant') for (const o of s.oneOf!) walk(`${at}<${String(o.properties?.[discriminator(s)!]?.const)}>`, o, depth + 1);
    };
    for (const spec of NODE_SPECS) walk(spec.type, paramsSchema(spec), 0);
    const filter = objectFields(paramsSchema(REGISTRY.get('filter')!));
    expect(filter.map((f) => [f.key, f.kind])).toEqual([
      ['condition', 'expression'],
      ['code', 'code'],
    ]);
    expect(filter[1]!.schema['x-params']).toEqual(['event', 'ctx']);
  });

  it('shows a list that may be written as its one item (a Kafka topic) as a list, and keeps its form on edits', () => {
    const topic = objectFields(paramsSchema(REGISTRY.get('source.kafka')!)).find((f) => f.key === 'topic')!;
    expect(topic.kind).toBe('array');
    expect(kindOf(listItemSchema(topic.schema))).toBe('string');
    expect(listItems(topic.schema, 'clicks')).toEqual(['clicks']);
    expect(listItems(topic.schema, ['a', 'b'])).toEqual(['a', 'b']);
    expect(listItems(topic.schema, undefined)).toEqual([]);
    // One topic written on its own stays a string; a second makes it a list; a list stays a list.
    expect(listValue(topic.schema, ['views'], 'clicks')).toBe('views');
    expect(listValue(topic.schema, ['clicks', 'views'], 'clicks')).toEqual(['clicks', 'views']);
    expect(listValue(topic.schema, ['clicks'], ['clicks', 'views'])).toEqual(['clicks']);
    expect(listValue(topic.schema, [''], undefined)).toBe('');
    expect(listValue(topic.schema, [], 'clicks')).toBeUndefined();
    // A plain list (the process node's state is a record; the cep pattern a plain array) is always an array.
    const pattern = objectFields(paramsSchema(REGISTRY.get('cep')!)).find((f) => f.key === 'pattern')!.schema;
    expect(listValue(pattern, [{ name: 'a' }], undefined)).toEqual([{ name: 'a' }]);
  });

  it('reads typed text as the format expects: digits are milliseconds, the rest stays a string', () => {
    expect(parseScalar('250')).toBe(250);
    expect(parseScalar(' 5m ')).toBe('5m');
    expect(parseScalar('')).toBeUndefined();
  });
});

describe('fields for completion', () => {
  const doc = (nodes: Doc['nodes'], edges: Doc['edges']): Doc => ({ ...emptyDoc(), nodes, edges });

  it('follows documented source fields through filters, a map\'s object literal and a window\'s aggregates', () => {
    const d = doc(
      [
        { id: 'g', type: 'source.generator', params: {} },
        { id: 'f', type: 'filter', params: { condition: 'true' } },
        { id: 'm', type: 'map', params: { expression: "{ ...event, total: price * quantity, 'odd key': 1 }" } },
        { id: 'k', type: 'keyBy', params: { key: 'userId' } },
        { id: 'w', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { views: { fn: 'count' } } } },
        { id: 's', type: 'sink.console', params: {} },
      ],
      [
        { from: 'g', to: 'f' },
        { from: 'f', to: 'm' },
        { from: 'm', to: 'k' },
        { from: 'k', to: 'w' },
        { from: 'w', to: 's' },
        { from: 'f', fromPort: 'errors', to: 's' },
      ],
    );
    const names = (id: string) => inputFields(d, REGISTRY, id).map((f) => f.name);
    expect(names('f')).toContain('eventType');
    expect(inputFields(d, REGISTRY, 'f').find((f) => f.name === 'price')).toMatchObject({ type: expect.any(String), doc: expect.any(String) });
    expect(names('k')).toEqual(expect.arrayContaining(['eventType', 'total', 'odd key']));
    expect(names('s')).toEqual(['key', 'windowStart', 'windowEnd', 'views', 'node', 'error', 'record']);
    // Without a spread, a map's output is exactly its literal's keys.
    expect(objectExpressionFields('{ a: 1, b }', () => [{ name: 'x' }]).map((f) => f.name)).toEqual(['a', 'b']);
    expect(objectExpressionFields('price * 2', () => [])).toEqual([]);
    // A Redis lookup keeps the record and adds its value; a pattern's select builds its records.
    const enriched = doc(
      [
        { id: 'g', type: 'source.generator', params: {} },
        { id: 'l', type: 'lookup.redis', params: { key: 'profile:{userId}', as: 'profile' } },
        { id: 'k', type: 'keyBy', params: { key: 'userId' } },
        { id: 'c', type: 'cep', params: { pattern: [{ name: 'add', where: 'true' }], select: '{ userId: key, tier: match.add[0].profile.tier }' } },
        { id: 's', type: 'sink.console', params: {} },
      ],
      [
        { from: 'g', to: 'l' },
        { from: 'l', to: 'k' },
        { from: 'k', to: 'c' },
        { from: 'c', to: 's' },
      ],
    );
    expect(inputFields(enriched, REGISTRY, 'k').map((f) => f.name)).toEqual(expect.arrayContaining(['eventType', 'userId', 'profile']));
    expect(inputFields(enriched, REGISTRY, 's').map((f) => f.name)).toEqual(['userId', 'tier']);
    // Records sampled while running add what no spec documents.
    const sampled = inputFields(doc([{ id: 'src', type: 'source.file', params: { path: 'x' } }, { id: 'f', type: 'filter' }], [{ from: 'src', to: 'f' }]), REGISTRY, 'f', { 'src.out->f.in': ['orderId', 'items'] });
    expect(sampled.map((f) => f.name)).toEqual(['orderId', 'items']);
  });
});

describe('problems and shortcuts', () => {
  it('places a validator problem on its node and param', () => {
    expect(parseJsonPath('$.nodes[2].params["odd key"].size')).toEqual(['nodes', 2, 'params', 'odd key', 'size']);
    const d: Doc = { ...emptyDoc(), nodes: [{ id: 'a', type: 'filter' }, { id: 'b', type: 'window' }] };
    expect(placeProblems(d, [{ nodeId: null, path: '$.nodes[1].params.assigner.size', message: 'x' }])[0]).toMatchObject({ nodeId: 'b', param: ['assigner', 'size'], edge: null });
    expect(placeProblems(d, [{ nodeId: null, path: '$.edges[3].to', message: 'x' }])[0]).toMatchObject({ nodeId: null, param: null, edge: 3 });
  });

  it('maps key chords to actions', () => {
    const k = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) =>
      actionFor({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
    expect(k('z', { ctrlKey: true })).toBe('undo');
    expect(k('Z', { metaKey: true, shiftKey: true })).toBe('redo');
    expect(k('s', { ctrlKey: true, shiftKey: true })).toBe('saveAs');
    expect(k('Delete')).toBe('delete');
    expect(k('L', { shiftKey: true })).toBe('layout');
    expect(k('n', { altKey: true })).toBe('new');
    expect(k('x')).toBeNull();
  });
});

describe('CEP step editor', () => {
  it('builds the format\'s cart-abandonment pattern step by step, and the cep node\'s validator accepts it', () => {
    let steps: CepStep[] = addStep([]);
    steps = updateStep(steps, 0, { name: 'add', where: "eventType == 'ADD_TO_CART'" });
    steps = addStep(steps);
    steps = updateStep(steps, 1, { name: 'more', where: "eventType == 'ADD_TO_CART'", quantifier: quantifierFor('oneOrMore', undefined), optional: true });
    steps = addStep(steps);
    steps = updateStep(steps, 2, { name: 'paid', where: "eventType == 'PURCHASE'", negated: true });
    expect(steps).toEqual([
      { name: 'add', where: "eventType == 'ADD_TO_CART'" },
      { name: 'more', contiguity: 'relaxed', where: "eventType == 'ADD_TO_CART'", quantifier: { min: 1, max: null }, optional: true },
      { name: 'paid', contiguity: 'relaxed', where: "eventType == 'PURCHASE'", negated: true },
    ]);
    expect(steps.map(joinName)).toEqual(['followedBy', 'followedBy', 'notFollowedBy']);
    expect(quantifierName(steps[1]!)).toBe('oneOrMore().optional()');
    expect(quantifierName(updateStep(steps, 1, { quantifier: { min: 2, max: 4, inner: 'strict' } })[1]!)).toBe('times(2, 4).consecutive().optional()');

    const registry = REGISTRY;
    const pipeline = {
      format: 'tributary.pipeline/v1',
      nodes: [
        { id: 'g', type: 'source.generator' },
        { id: 'k', type: 'keyBy', params: { key: 'userId' } },
        { id: 'p', type: 'cep', params: { pattern: steps, within: '15m' } },
        { id: 's', type: 'sink.console' },
      ],
      edges: [{ from: 'g', to: 'k' }, { from: 'k', to: 'p' }, { from: 'p', to: 's' }, { from: 'p', fromPort: 'timeout', to: 's' }],
    };
    // The cep node applies Flink's rules, and the problem lands on the step's field.
    expect(validatePipeline(pipeline, registry).problems).toEqual([expect.objectContaining({ nodeId: 'p', path: '$.nodes[2].params.pattern[2].negated', message: expect.stringMatching(/directly follows 'more'.*optional/) })]);
    steps = updateStep(steps, 1, { optional: false });
    pipeline.nodes[2]!.params = { pattern: steps, within: '15m' };
    expect(validatePipeline(pipeline, registry).problems).toEqual([]);
    // The cep node's form: `pattern` (an array of step objects) goes to the step editor; the rest
    // is generated like any other node's.
    expect(objectFields(paramsSchema(REGISTRY.get('cep')!)).map((f) => [f.key, f.kind])).toEqual([
      ['pattern', 'array'],
      ['within', 'duration'],
      ['afterMatch', 'object'],
      ['select', 'expression'],
      ['time', 'enum'],
    ]);
    // Moving a step to the front drops its contiguity: the first step follows nothing.
    expect(moveStep(steps, 1, -1)[0]).toEqual({ name: 'more', where: "eventType == 'ADD_TO_CART'", quantifier: { min: 1, max: null } });
    // A bad condition is the validator's problem at the step's path.
    const bad = { ...pipeline, nodes: pipeline.nodes.map((n) => (n.id === 'p' ? { ...n, params: { pattern: updateStep(steps, 2, { where: 'eventType ==' }) } } : n)) };
    expect(validatePipeline(bad, registry).problems[0]).toMatchObject({ nodeId: 'p', path: '$.nodes[2].params.pattern[2].where' });
  });
});
