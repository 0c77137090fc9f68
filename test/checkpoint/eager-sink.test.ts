// An exactly-once server sink in a run without periodic checkpoints: it writes as records arrive
// (an endless source would otherwise write nothing and hold all output in memory until stopped).
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cleanup, prefix, redis } from '../support/redis.js';
import { scratch, writePipeline } from './pipeline.js';

const r = redis();
const pre = prefix('eager');

afterAll(async () => {
  await cleanup(r, pre);
  await cleanup(r, 'tributary:commit:eager_');
  r.disconnect();
});

async function appears(key: string): Promise<void> {
  while ((await r.llen(key)) === 0) await new Promise((res) => setTimeout(res, 100));
}

describe('exactly-once sink without periodic checkpoints', () => {
  it('writes while an endless source runs, and stops cleanly on an interrupt', { timeout: 120_000 }, async () => {
    const key = `${pre}:l`;
    const node = `eager_${process.pid}`;
    const doc = {
      nodes: [
        { id: 'clicks', type: 'source.generator', params: { rate: 200, seed: 3 } },
        { id: node, type: 'sink.redis', params: { command: 'LPUSH', key, value: 'userId', deliveryGuarantee: 'exactly-once' } },
      ],
      edges: [{ from: 'clicks', to: node }],
    };
    const res = await runCli(['run', writePipeline(scratch(), doc), '--trust', '-q', '--checkpoint-interval', '0'], { interruptWhen: appears(key), timeout: 90_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(await r.llen(key)).toBeGreaterThan(0);
  });
});
