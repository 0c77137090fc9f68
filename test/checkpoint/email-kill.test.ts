// sink.email with deliveryGuarantee exactly-once, killed with SIGKILL and restarted, against a real
// SMTP server process on 127.0.0.1: no message arrives twice, every message of the uninterrupted
// run arrives except at most the few in flight at each kill (claimed, then cut off: at-most-once
// at the edge, as the spec says), and those few are the only ones missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cleanup, redis } from '../support/redis.js';
import { SmtpServerProcess } from '../support/smtp.js';
import { killAndRestart, rng } from './kill-support.js';
import { scratch, writePipeline } from './pipeline.js';
import { KILLS, LONG, ckptDirOf, windowPipeline } from './sinks-pipeline.js';

const COUNT = LONG ? 200_000 : 80_000;
const SEED = Number(process.env.CHECKPOINT_SEED ?? Date.now() % 100_000);
const GUARANTEE = process.env.SINK_GUARANTEE ?? 'exactly-once';
const CAPACITY = 4;
const FILTER = 'n >= 16';
const NODE = `mail_${process.pid}_${Date.now().toString(36)}`;

let smtp: SmtpServerProcess;
const r = redis();

beforeAll(async () => {
  smtp = await SmtpServerProcess.start();
});

afterAll(async () => {
  await smtp.stop();
  await cleanup(r, `tributary:mail:${NODE}:`);
  r.disconnect();
});

const sink = (tag: string, guarantee: string) => [
  {
    id: NODE,
    type: 'sink.email',
    params: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'alerts@example.com', to: 'ops@example.com', subject: `${tag} {key} {windowStart} {n}`, text: 'spent {spent}', capacity: CAPACITY, backoff: '20ms', deliveryGuarantee: guarantee, dedupeRedis: 'redis://127.0.0.1:6379' },
  },
];

async function subjects(tag: string): Promise<string[]> {
  return (await smtp.received()).mails
    .map((m) => /^Subject: (.*)$/im.exec(m.raw)?.[1] ?? '')
    .filter((s) => s.startsWith(`${tag} `))
    .map((s) => s.slice(tag.length + 1))
    .sort();
}

describe('sink.email exactly-once: kill -9 and restart', () => {
  it(`never sends a message twice after ${KILLS} kills (seed ${SEED})`, { timeout: 300_000 + KILLS * 120_000 }, async () => {
    const ref = await runCli(['run', writePipeline(scratch(), windowPipeline(COUNT, sink('REF', 'at-least-once'), FILTER)), '--trust', '-q', '--checkpoint-interval', '0'], { timeout: 200_000 });
    expect(ref.code, ref.stderr).toBe(0);
    const want = await subjects('REF');
    expect(want.length).toBeGreaterThan(COUNT / 700);

    const dir = scratch();
    const p = writePipeline(dir, windowPipeline(COUNT, sink('KILL', GUARANTEE), FILTER));
    const run = await killAndRestart(['run', p, '--trust', '--checkpoint-interval', '200ms'], ckptDirOf(dir), KILLS, rng(SEED));
    expect(run.final.code, run.final.stderr).toBe(0);
    expect(run.kills).toBeGreaterThanOrEqual(Math.min(KILLS, 2));
    const got = await subjects('KILL');
    expect(got.length - new Set(got).size, 'messages sent twice').toBe(0);
    const wanted = new Set(want);
    expect(got.filter((s) => !wanted.has(s))).toEqual([]);
    // Lost: only messages claimed and cut off by a kill, at most `capacity` per kill.
    expect(want.length - got.length).toBeLessThanOrEqual(run.kills * CAPACITY);
  });
});
