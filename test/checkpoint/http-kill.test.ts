// sink.http with deliveryGuarantee exactly-once, killed with SIGKILL and restarted, against a real
// HTTP server on 127.0.0.1 that honours Idempotency-Key (the first body per key counts, as a
// payment API would): the bodies it keeps equal an uninterrupted run's, and no key ever carries
// two different bodies.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { killAndRestart, rng } from './kill-support.js';
import { scratch, writePipeline } from './pipeline.js';
import { KILLS, LONG, ckptDirOf, windowPipeline } from './sinks-pipeline.js';

const COUNT = LONG ? 200_000 : 80_000;
const SEED = Number(process.env.CHECKPOINT_SEED ?? Date.now() % 100_000);
const GUARANTEE = process.env.SINK_GUARANTEE ?? 'exactly-once';
const FILTER = 'n >= 15';

interface Received {
  /** Bodies in arrival order, per path (requests without a key). */
  plain: string[];
  /** First body per Idempotency-Key. */
  byKey: Map<string, string>;
  /** Requests whose key was seen before. */
  repeats: number;
  /** Keys that came again with another body (must never happen). */
  conflicts: string[];
}

let server: Server;
let base = '';
const paths = new Map<string, Received>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      let r = paths.get(req.url!);
      if (!r) paths.set(req.url!, (r = { plain: [], byKey: new Map(), repeats: 0, conflicts: [] }));
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string') r.plain.push(body);
      else if (!r.byKey.has(key)) r.byKey.set(key, body);
      else {
        r.repeats++;
        if (r.byKey.get(key) !== body) r.conflicts.push(key);
      }
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const sink = (path: string, guarantee: string) => [{ id: 'hook', type: 'sink.http', params: { url: `${base}${path}`, body: '{ key: key, start: windowStart, n: n, spent: spent }', deliveryGuarantee: guarantee } }];

describe('sink.http exactly-once: kill -9 and restart', () => {
  it(`the receiver keeps exactly the uninterrupted run's requests after ${KILLS} kills (seed ${SEED})`, { timeout: 300_000 + KILLS * 120_000 }, async () => {
    const ref = await runCli(['run', writePipeline(scratch(), windowPipeline(COUNT, sink('/ref', 'at-least-once'), FILTER)), '--trust', '-q', '--checkpoint-interval', '0'], { timeout: 200_000 });
    expect(ref.code, ref.stderr).toBe(0);
    const want = [...paths.get('/ref')!.plain].sort();
    expect(want.length).toBeGreaterThan(COUNT / 700);

    const dir = scratch();
    const p = writePipeline(dir, windowPipeline(COUNT, sink('/kill', GUARANTEE), FILTER));
    const run = await killAndRestart(['run', p, '--trust', '--checkpoint-interval', '200ms'], ckptDirOf(dir), KILLS, rng(SEED));
    expect(run.final.code, run.final.stderr).toBe(0);
    expect(run.kills).toBeGreaterThanOrEqual(Math.min(KILLS, 2));
    const got = paths.get('/kill')!;
    // With at-least-once there are no keys: the receiver cannot tell a repeat from a new request.
    const kept = [...got.byKey.values(), ...got.plain].sort();
    expect(got.conflicts).toEqual([]);
    expect(kept.length).toBe(want.length);
    expect(kept).toEqual(want);
  });
});
