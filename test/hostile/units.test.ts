// Hostile inputs one level below the CLI: the CEP compiler's cost, records JSON cannot write,
// and the broker errors a freshly started Kafka gives.
import { ProtocolError } from '@platformatic/kafka';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { jsonLines, type Unwritable, unwritablePreview } from '../../runtime/connectors/json-lines.js';
import { isRetriableCoordinatorError, retryWhileCoordinatorLoads } from '../../runtime/connectors/kafka/retriable.js';
import { describeValue } from '../../runtime/engine/errors.js';
import { parseDuration } from '../../runtime/format/duration.js';
import { compileNfa } from '../../runtime/nodes/cep/compiler.js';

const require = createRequire(import.meta.url);
const kafkajsErrors = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error };

function deep(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return { d: v };
}

describe('CEP compiler cost', () => {
  it('a step repeated 10,000 times compiles in linear time (Flink\'s state naming was quadratic: 16 s)', () => {
    const step = (max: number) => [{ name: 'a', where: 'true', contiguity: 'relaxed' as const, negated: false, quantifier: { min: 1, max, inner: 'relaxed' as const }, optional: false, greedy: false }];
    const t0 = performance.now();
    const small = compileNfa(step(1000), 0);
    const t1 = performance.now();
    const big = compileNfa(step(10_000), 0);
    const t2 = performance.now();
    expect(big.states.length).toBe(10 * small.states.length);
    // Names stay Flink's: a, a:0, a:1, …
    expect(new Set(big.states.map((s) => s.name)).size).toBe(big.states.length);
    expect(big.states.some((s) => s.name === 'a:9998')).toBe(true);
    // Linear: ten times the states in well under a hundred times the time.
    expect(t2 - t1).toBeLessThan(Math.max(40 * (t1 - t0), 3000));
  });
});

describe('records JSON cannot write', () => {
  it('are reported, not replaced, and previewed safely', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const failed: Unwritable[] = [];
    const text = jsonLines([{ n: 1 }, deep(200_000), { big: 10n }, cyclic, { toJSON() { throw new Error('nope'); } }, { n: 2 }], failed);
    expect(text).toBe('{"n":1}\n{"n":2}\n');
    expect(failed.map((f) => f.index)).toEqual([1, 2, 3, 4]);
    expect(failed[0]!.error).toBe('cannot write the record as JSON: it is nested too deeply');
    expect(failed[3]!.error).toMatch(/nope/);
    expect(unwritablePreview(deep(200_000))).toBe('{"d":[[[[[[[…]]]]]]]}');
    expect(unwritablePreview(cyclic)).toMatch(/^\{"a":1,"self":\{"a":1,"self":/);
    expect(unwritablePreview({ s: 'x'.repeat(5000) }).length).toBeLessThanOrEqual(201);
  });

  it('a value of 1e400 is described as what it is, not as null', () => {
    expect(describeValue(JSON.parse('1e400'))).toMatch(/^Infinity/);
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue(null)).toBe('null');
  });

  it('durations: Infinity and beyond 100 years are not durations', () => {
    expect(parseDuration(`${'9'.repeat(400)}ms`)).toBeNull();
    expect(parseDuration(JSON.parse('1e400'))).toBeNull();
    expect(parseDuration('36500d')).toBe(36500 * 86_400_000);
    expect(parseDuration('36501d')).toBeNull();
  });
});

describe('a freshly started Kafka broker', () => {
  it('"coordinator is loading" from either client is retriable; other errors are not', () => {
    expect(isRetriableCoordinatorError(kafkajsErrors.createErrorFromCode(14))).toBe(true); // GROUP_LOAD_IN_PROGRESS
    expect(isRetriableCoordinatorError(kafkajsErrors.createErrorFromCode(15))).toBe(true); // GROUP_COORDINATOR_NOT_AVAILABLE
    expect(isRetriableCoordinatorError(new ProtocolError('COORDINATOR_LOAD_IN_PROGRESS'))).toBe(true);
    expect(isRetriableCoordinatorError(new Error('wrapped', { cause: new ProtocolError('COORDINATOR_LOAD_IN_PROGRESS') }))).toBe(true);
    expect(isRetriableCoordinatorError(kafkajsErrors.createErrorFromCode(3))).toBe(false); // UNKNOWN_TOPIC_OR_PARTITION
  });

  it('is retried until the coordinator has loaded', async () => {
    let calls = 0;
    const v = await retryWhileCoordinatorLoads(async () => {
      if (++calls < 3) throw new ProtocolError('COORDINATOR_LOAD_IN_PROGRESS');
      return 'ok';
    });
    expect([v, calls]).toEqual(['ok', 3]);
    await expect(retryWhileCoordinatorLoads(async () => {
      throw kafkajsErrors.createErrorFromCode(3);
    })).rejects.toThrow(/does not host this topic-partition/);
  });
});
