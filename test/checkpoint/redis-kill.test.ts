// sink.redis with deliveryGuarantee exactly-once, killed with SIGKILL and restarted: the counters
// (HINCRBY) and the stream (XADD) hold exactly what an uninterrupted run writes — the records
// replayed after each restore are not counted twice (the epoch marker skips them).
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, prefix, redis } from '../support/redis.js';
import { killAndRestart, rng } from './kill-support.js';
import type { Node } from './pipeline.js';
import { scratch, writePipeline } from './pipeline.js';
import { runCli } from '../support/cli.js';
import { KILLS, LONG, ckptDirOf, windowPipeline } from './sinks-pipeline.js';

const COUNT = LONG ? 600_000 : 120_000;
const SEED = Number(process.env.CHECKPOINT_SEED ?? Date.now() % 100_000);
/** Set to at-least-once to see the test fail (counts doubled by replays). */
const GUARANTEE = process.env.SINK_GUARANTEE ?? 'exactly-once';

const r = redis();
const prefixes: string[] = [];

afterAll(async () => {
  for (const p of prefixes) await cleanup(r, p);
  for (const p of prefixes) await cleanup(r, `tributary:commit:${p.replaceAll(':', '_')}`);
  r.disconnect();
});

function sinks(pre: string, guarantee: string): Node[] {
  const id = pre.replaceAll(':', '_');
  return [
    { id: `${id}_counts`, type: 'sink.redis', params: { command: 'HINCRBY', key: `${pre}:n:{key}`, fields: '{ n: n, windows: 1 }', deliveryGuarantee: guarantee } },
    { id: `${id}_stream`, type: 'sink.redis', params: { command: 'XADD', key: `${pre}:wins`, fields: '{ key: key, start: windowStart, n: n }', deliveryGuarantee: guarantee } },
  ];
}

/** Every counter hash, and the stream's entries (ids left out: they are times). */
async function contents(pre: string): Promise<{ counts: Record<string, Record<string, string>>; stream: string[] }> {
  const keys = (await r.keys(`${pre}:n:*`)).sort();
  const counts: Record<string, Record<string, string>> = {};
  for (const k of keys) counts[k.slice(pre.length)] = await r.hgetall(k);
  const entries = await r.xrange(`${pre}:wins`, '-', '+');
  return { counts, stream: entries.map(([, f]) => f.join(',')) };
}

describe('sink.redis exactly-once: kill -9 and restart', () => {
  it(`counts and stream equal an uninterrupted run after ${KILLS} kills (seed ${SEED})`, { timeout: 300_000 + KILLS * 120_000 }, async () => {
    const refPre = prefix('eo-ref');
    prefixes.push(refPre);
    const refDir = scratch();
    const ref = await runCli(['run', writePipeline(refDir, windowPipeline(COUNT, sinks(refPre, 'at-least-once'))), '--trust', '-q', '--checkpoint-interval', '0'], { timeout: 200_000 });
    expect(ref.code, ref.stderr).toBe(0);
    const want = await contents(refPre);
    expect(want.stream.length).toBeGreaterThan(COUNT / 60);

    const pre = prefix('eo-kill');
    prefixes.push(pre);
    const dir = scratch();
    const p = writePipeline(dir, windowPipeline(COUNT, sinks(pre, GUARANTEE)));
    const run = await killAndRestart(['run', p, '--trust', '--checkpoint-interval', '200ms'], ckptDirOf(dir), KILLS, rng(SEED));
    expect(run.final.code, run.final.stderr).toBe(0);
    expect(run.kills).toBeGreaterThanOrEqual(Math.min(KILLS, 2));
    for (const log of run.logs.slice(1)) expect(log).toMatch(/resuming from .*\.ckpt/);
    const got = await contents(pre);
    expect(got.stream.length).toBe(want.stream.length);
    expect(got.stream).toEqual(want.stream);
    expect(got.counts).toEqual(want.counts);
  });
});
