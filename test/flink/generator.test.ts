// The Flink job's port of the clickstream model gives the embedded generator's events, record for
// record, for the same seed and params.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { flinkTestClasses } from '../../runtime/cli/flink-build.js';
import { type EcommerceOptions, EcommerceGenerator } from '../../runtime/nodes/source-generator/ecommerce.js';

const CONFIGS: [string, EcommerceOptions, number][] = [
  ['the defaults', { seed: 42, users: 10_000, products: 1000, categories: 12, abandonment: 0.7, startTime: Date.parse('2026-01-01T00:00:00Z'), eventTimeRate: 1000, disorder: 2000 }, 60_000],
  ['a negative fractional seed, more categories than the table, few users', { seed: -7.25, users: 50, products: 37, categories: 25, abandonment: 0.2, startTime: -5000.5, eventTimeRate: 333, disorder: 15_000 }, 30_000],
  ['a huge seed and catalogue, lazy user ids, no disorder', { seed: 2 ** 53 - 1, users: 3_000_000, products: 200_000, categories: 100, abandonment: 1, startTime: 0, eventTimeRate: 7, disorder: 0 }, 20_000],
];

describe('source.generator on Flink', () => {
  let cp = '';
  beforeAll(() => {
    cp = flinkTestClasses();
  }, 900_000);

  it.each(CONFIGS)('gives the same events for %s', (_, opts, n) => {
    const g = new EcommerceGenerator(opts);
    const recs: unknown[] = [];
    g.fill(recs as never[], [], n);
    const out = execFileSync('java', ['-cp', cp, 'dev.tributary.flink.GeneratorDump', JSON.stringify(opts), String(n)], { encoding: 'utf8', maxBuffer: 2 ** 30 });
    const lines = out.trimEnd().split('\n');
    expect(lines.length).toBe(n);
    const first = lines.findIndex((l, i) => l !== JSON.stringify(recs[i]));
    expect(first === -1 ? 'all equal' : `event ${first + 1}: ${lines[first]} vs ${JSON.stringify(recs[first])}`).toBe('all equal');
  }, 120_000);
});
