// The trust check and the resolver read environment references with one parser: whatever value a
// run would take from the environment, the check named its variable first. And a reference in any
// string param counts, not only in the params declared as environment strings.
import { describe, expect, it } from 'vitest';
import { resolveEnvLeniently, setEnvNames } from '../../runtime/connectors/env.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { trustReasons } from '../../runtime/host/trust-needs.js';

const ENV = { A: 'valueOfA', B: 'valueOfB', a: 'valueOfLowerA', EMPTY: '' };

function pipeline(sink: { type: string; params: Record<string, unknown> }) {
  return {
    format: 'tributary.pipeline/v1',
    name: 'env',
    nodes: [
      { id: 'gen', type: 'source.generator', params: { count: 1 } },
      { id: 'out', ...sink },
    ],
    edges: [{ from: 'gen', to: 'out' }],
  };
}

describe('one parser for the check and the run', () => {
  const forms = ['${A}', '$${A}', '${A:-x}', '${A:-${B}}', '${a}', '${A}${B}', '${A:-}', '${ A}', '$A', '${A:=x}', '${A-x}', '${EMPTY:-d}', '${{A}}', '${A}}', 'x${A', '\\${A}'];
  it('no value from the environment reaches a run unless the check named its variable', () => {
    for (const form of forms) {
      const resolved = resolveEnvLeniently(form, ENV);
      const named = setEnvNames(form, ENV);
      for (const [name, value] of Object.entries(ENV)) {
        if (value !== '' && resolved.includes(value)) expect(named, `${form} → ${resolved}`).toContain(name);
      }
    }
  });

  it('a set but empty variable brings nothing in and needs nothing', () => {
    expect(setEnvNames('${EMPTY:-fallback}', ENV)).toEqual([]);
    expect(resolveEnvLeniently('${EMPTY:-fallback}', ENV)).toBe('fallback');
  });

  it('a default holding another reference is refused, not sent as text', () => {
    const { problems } = validatePipeline(pipeline({ type: 'sink.http', params: { url: 'http://127.0.0.1:1/?s=${A:-${B}}' } }));
    expect(problems.map((p) => p.message).join('\n')).toMatch(/default cannot hold another reference/);
  });
});

describe('every string param counts', () => {
  it('a reference in a param not declared as an environment string still needs trust when set', async () => {
    // sink.redis `key` is a key template that no connector resolves today: should one ever do so,
    // the check has already asked.
    const { pipeline: p, problems } = validatePipeline(pipeline({ type: 'sink.redis', params: { command: 'SET', key: 'k:${A}', value: 'gen' } }));
    expect(problems).toEqual([]);
    const reasons = await trustReasons(p!, process.cwd(), undefined, ENV);
    expect(reasons.join('\n')).toMatch(/node 'out' \(params\.key\) reads the environment variable A/);
    expect(await trustReasons(p!, process.cwd(), undefined, {})).toEqual(expect.not.arrayContaining([expect.stringMatching(/params\.key/)]));
  });

  it('names differ by case: ${a} names a, not A', () => {
    expect(setEnvNames('${a}', ENV)).toEqual(['a']);
    expect(setEnvNames('${a}', { A: 'x' })).toEqual([]);
  });
});

describe('Kafka brokers as a list', () => {
  it('a reference in a list entry needs trust exactly as in the one-string form', async () => {
    const asString = validatePipeline(pipeline({ type: 'sink.kafka', params: { brokers: '127.0.0.1:9092,${A}', topic: 't' } }));
    const asList = validatePipeline(pipeline({ type: 'sink.kafka', params: { brokers: ['127.0.0.1:9092', '${A}'], topic: 't' } }));
    expect(asString.problems).toEqual([]);
    expect(asList.problems).toEqual([]);
    expect((await trustReasons(asString.pipeline!, process.cwd(), undefined, ENV)).join('\n')).toMatch(/node 'out' \(params\.brokers\) reads the environment variable A/);
    expect((await trustReasons(asList.pipeline!, process.cwd(), undefined, ENV)).join('\n')).toMatch(/node 'out' \(params\.brokers\.1\) reads the environment variable A/);
    // Unset, the entry brings nothing in and asks nothing, as in the string form.
    expect(await trustReasons(asList.pipeline!, process.cwd(), undefined, {})).toEqual(expect.not.arrayContaining([expect.stringMatching(/params\.brokers/)]));
  });

  it('an empty list is refused, naming the param', () => {
    const { problems } = validatePipeline(pipeline({ type: 'sink.kafka', params: { brokers: [], topic: 't' } }));
    expect(problems.map((p) => p.path).join('\n')).toContain('$.nodes[1].params.brokers');
    const blank = validatePipeline(pipeline({ type: 'sink.kafka', params: { brokers: [''], topic: 't' } }));
    expect(blank.problems.map((p) => p.path).join('\n')).toContain('$.nodes[1].params.brokers');
  });
});
