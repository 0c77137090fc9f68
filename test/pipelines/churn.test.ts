// pipelines/churn-rules.json (and, once merged, churn-scoring.json): every user's hash in Redis
// holds the score of their last active window, equal to the features and rule computed here from
// the generator's events.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { lastWindowFeatures, ruleScore } from '../support/churn.js';
import { generatorEvents } from '../support/generator.js';
import { copyOfPipelines } from '../support/pipelines.js';
import { cleanup, keysMatching, prefix, redis } from '../support/redis.js';

const r = redis();
const pre = prefix('churn');
afterAll(async () => {
  await cleanup(r, pre);
  r.disconnect();
});

/** Run pipelines/<file> from a private copy, its Redis keys under this test's prefix. */
async function run(file: string): Promise<Map<string, Record<string, string>>> {
  const dir = copyOfPipelines();
  const path = join(dir, file);
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  for (const n of doc.nodes) if (n.type === 'sink.redis') n.params.key = `${pre}:${file}:${n.params.key}`;
  writeFileSync(path, JSON.stringify(doc));
  const res = await runCli(['run', file, '--trust'], { cwd: dir, timeout: 120_000 });
  expect(res.code, res.stderr).toBe(0);
  const keys = await keysMatching(r, `${pre}:${file}:user:*`);
  const out = new Map<string, Record<string, string>>();
  for (const k of keys) out.set(k.slice(`${pre}:${file}:user:`.length), await r.hgetall(k));
  return out;
}

describe('churn-rules pipeline', () => {
  it('keeps each user\'s rule-based score and its time in HSET user:{userId}, as computed from the events', async () => {
    const expected = lastWindowFeatures(generatorEvents('churn-rules.json').events);
    const hashes = await run('churn-rules.json');
    expect(hashes.size).toBe(expected.size);
    expect(hashes.size).toBeGreaterThan(1000);
    const scores = new Set<string>();
    for (const [user, f] of expected) {
      const h = hashes.get(user)!;
      expect(h, user).toBeDefined();
      expect(Number(h.computedAt)).toBe(f.computedAt);
      expect({ sessions: Number(h.sessions), views: Number(h.views), carts: Number(h.carts), purchases: Number(h.purchases), recency: Number(h.recency) }).toEqual({ sessions: f.sessions, views: f.views, carts: f.carts, purchases: f.purchases, recency: f.recency });
      expect(Number(h.churnScore)).toBe(ruleScore(f));
      expect(h.scoredBy).toBe('rules');
      scores.add(h.churnScore!);
    }
    expect(scores.size).toBeGreaterThan(20);
  });
});
