// Kill -9 and restart with the binary snapshot formats of session windows, count windows and cep:
// a run killed several times ends with the output of an uninterrupted one — nothing lost, nothing
// repeated, and in the same order (session firings of one time across keys included: a snapshot
// keeps the order of the session queue), byte for byte.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { killAndRestart, rng } from './kill-support.js';
import { outputs, scratch, writePipeline } from './pipeline.js';

const COUNT = 400_000;
const KILLS = Number(process.env.CHECKPOINT_KILLS ?? 3);
const SEED = Number(process.env.CHECKPOINT_SEED ?? Date.now() % 100_000);
const PORTS = ['sessions', 'counts', 'alerts'];
const AGGS = { n: { fn: 'count' }, spent: { fn: 'sum', field: 'price' }, first: { fn: 'first', field: 'productId' }, types: { fn: 'countDistinct', field: 'eventType' } };

function pipeline(count: number) {
  return {
    nodes: [
      { id: 'clicks', type: 'source.generator', params: { rate: 0, count, seed: 7, users: 2000, eventTimeRate: 20 } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'sessions', type: 'window', params: { assigner: { kind: 'session', gap: '3m' }, aggregates: AGGS, allowedLateness: '30s' } },
      { id: 'counts', type: 'window', params: { assigner: { kind: 'global', count: 9 }, aggregates: AGGS } },
      {
        id: 'cep',
        type: 'cep',
        params: {
          pattern: [
            { name: 'view', where: "eventType == 'VIEW'" },
            { name: 'more', where: "eventType == 'VIEW' || eventType == 'CLICK'", contiguity: 'relaxed', quantifier: { min: 2, max: 4 } },
            { name: 'add', where: "eventType == 'ADD_TO_CART'", contiguity: 'relaxed' },
          ],
          within: '20m',
          select: '{ userId: key, first: match.view[0].eventId, last: match.add[0].eventId }',
        },
      },
      { id: 'sessionsOut', type: 'sink.file', params: { path: 'out/sessions.jsonl' } },
      { id: 'countsOut', type: 'sink.file', params: { path: 'out/counts.jsonl' } },
      { id: 'cepOut', type: 'sink.file', params: { path: 'out/alerts.jsonl' } },
    ],
    edges: [
      { from: 'clicks', to: 'byUser' },
      { from: 'byUser', to: 'sessions' },
      { from: 'byUser', to: 'counts' },
      { from: 'byUser', to: 'cep' },
      { from: 'sessions', to: 'sessionsOut' },
      { from: 'counts', to: 'countsOut' },
      { from: 'cep', to: 'cepOut' },
    ],
  };
}

describe('checkpoints of session, count and cep state: kill -9 and restart', () => {
  it(`ends with the uninterrupted output after ${KILLS} kills (seed ${SEED})`, { timeout: 120_000 + KILLS * 40_000 }, async () => {
    const refDir = scratch();
    const r = await runCli(['run', writePipeline(refDir, pipeline(COUNT)), '--trust', '-q', '--checkpoint-interval', '0'], { timeout: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const ref = outputs(refDir, PORTS);
    for (const p of PORTS) expect(ref[p]!.length, p).toBeGreaterThan(1000);

    const dir = scratch();
    const ckpt = join(dir, '.tributary', 'checkpoints', 'kill');
    const run = await killAndRestart(['run', writePipeline(dir, pipeline(COUNT)), '--trust', '--checkpoint-interval', '300ms'], ckpt, KILLS, rng(SEED));
    expect(run.final.code, run.final.stderr).toBe(0);
    expect(run.kills).toBeGreaterThanOrEqual(Math.min(KILLS, 2));
    for (const log of run.logs.slice(1)) expect(log).toMatch(/resuming from .*\.ckpt/);
    const got = outputs(dir, PORTS);
    expect(got.counts).toEqual(ref.counts);
    expect(got.alerts).toEqual(ref.alerts);
    expect(got.sessions).toEqual(ref.sessions);
    expect(existsSync(ckpt) ? readdirSync(ckpt).filter((n) => n.endsWith('.ckpt')) : []).toEqual([]);
  });
});
