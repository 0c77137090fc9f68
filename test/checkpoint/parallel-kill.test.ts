// Kill -9 and restart at settings.parallelism 2: the window, cep and process nodes run as two
// instances in worker threads, and their checkpoints (an aligned barrier to each instance) bring
// back every key's state and timers, so the exactly-once file sinks end with the records of an
// uninterrupted run — nothing lost, nothing repeated (compared as multisets: the order across keys
// is not defined at parallelism 2, as across Flink subtasks).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { killAndRestart, rng } from './kill-support.js';
import { OUTPUTS, killPipeline, outputs, scratch, writePipeline } from './pipeline.js';

const COUNT = 400_000;
/** `npm run test:long` raises this (CHECKPOINT_KILLS=25). */
const KILLS = Number(process.env.CHECKPOINT_KILLS ?? 3);
const SEED = Number(process.env.CHECKPOINT_SEED ?? Date.now() % 100_000);

const lines = (o: Record<string, string>) => Object.fromEntries(OUTPUTS.map((k) => [k, o[k]!.trimEnd().split('\n').sort()]));

describe('checkpoints with parallel instances: kill -9 and restart', () => {
  it(`ends with the uninterrupted output at parallelism 2 after ${KILLS} kills (seed ${SEED})`, { timeout: 120_000 + KILLS * 40_000 }, async () => {
    const refDir = scratch();
    const r = await runCli(['run', writePipeline(refDir, killPipeline(COUNT)), '--trust', '-q', '--checkpoint-interval', '0'], { timeout: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const ref = lines(outputs(refDir));
    for (const k of OUTPUTS) expect(ref[k]!.length, k).toBeGreaterThan(100);

    const dir = scratch();
    const ckpt = join(dir, '.tributary', 'checkpoints', 'kill');
    const doc = { ...killPipeline(COUNT), settings: { parallelism: 2 } };
    const run = await killAndRestart(['run', writePipeline(dir, doc), '--trust', '--checkpoint-interval', '300ms'], ckpt, KILLS, rng(SEED));
    expect(run.final.code, run.final.stderr).toBe(0);
    expect(run.kills).toBeGreaterThanOrEqual(Math.min(KILLS, 2));
    expect(run.logs[0]).toMatch(/'win', 'abandoned', 'quiet' run in 2 worker threads/);
    for (const [i, log] of run.logs.entries()) if (i > 0 && run.resumable[i]) expect(log).toMatch(/resuming from .*\.ckpt/);
    expect(lines(outputs(dir))).toEqual(ref);
    expect(existsSync(ckpt) ? readdirSync(ckpt).filter((n) => n.endsWith('.ckpt')) : []).toEqual([]);
  });
});
