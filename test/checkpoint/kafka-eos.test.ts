// Kafka exactly-once, proved the way Kafka Streams' EOS system test does: a pipeline reading a
// pre-filled topic (Kafka → keyBy → tumbling window, CEP and a process function with event-time
// timers → exactly-once sink.kafka, and the CEP alerts also to sink.file) is killed with SIGKILL at
// random moments after checkpoints, restarted each time, and finally runs to its end; what a
// read_committed reader then finds in the output topics, and the lines of the file, equal an
// uninterrupted run's output exactly (as multisets: the order across keys may differ) — no window
// result, alert or line lost or repeated.
import kafkajs from 'kafkajs';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { BROKERS, createTopic, deleteTopics, produce, uniqueName } from '../support/kafka.js';
import { readCheckpoint } from '../../runtime/connectors/files/checkpoints.js';
import { killAndRestart, rng } from './kill-support.js';
import { scratch, writePipeline } from './pipeline.js';
import { plan } from '../support/run.js';
import type { Checkpointed } from '../../runtime/engine/checkpoint/participant.js';

/** `npm run test:long` raises this (CHECKPOINT_KILLS=25). */
const KILLS = Number(process.env.CHECKPOINT_KILLS ?? 3);
const SEED = Number(process.env.CHECKPOINT_SEED ?? Date.now() % 100_000);
// Enough records that three restarts each read a while: a quiet machine reads ~200k a second.
const EVENTS = 360_000;
/** 2400 s of event time whatever EVENTS is, so the window count stays 400 users × 240 windows. */
const SPAN_MS = 2_400_000;
const PARTITIONS = 3;
const BASE_TS = Date.UTC(2026, 0, 1);

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

/** Every partition's timestamps increase, so with no out-of-orderness no record is late, on any run. */
async function fillInput(): Promise<string> {
  const t = await createTopic('eos-in', PARTITIONS);
  topics.push(t);
  const msgs = Array.from({ length: EVENTS }, (_, i) => ({ value: JSON.stringify({ userId: `u${i % 400}`, ts: BASE_TS + Math.floor((i * SPAN_MS) / EVENTS), price: i % 97 }), partition: i % PARTITIONS }));
  await produce(t, msgs);
  return t;
}

/**
 * One timer per user, moved only forward: records of one user come from three partitions, so they
 * arrive out of event-time order, and code that set the timer from each record's own timestamp
 * could move it back and fire it early, at moments that depend on how fetches interleave.
 */
const QUIET_CODE =
  "const n = ctx.state.value('n'); n.update((n.value() ?? 0) + 1); const at = ctx.state.value('at'); const t = ctx.timestamp + 5 * 60000; if (at.value() === undefined || t > at.value()) { if (at.value() !== undefined) ctx.timers.deleteEventTime(at.value()); at.update(t); ctx.timers.eventTime(t); }";
const QUIET_TIMER = "ctx.emit({ userId: ctx.key, events: ctx.state.value('n').value(), at: timer.timestamp }); ctx.state.value('n').clear();";

/**
 * A price of 90 or more followed (relaxed) by one under 10 within 30 s, per user: a user's
 * records come from three partitions, so CEP's event-time ordering decides what matches.
 */
const SPIKE = {
  pattern: [
    { name: 'high', where: 'price >= 90' },
    { name: 'low', where: 'price < 10', contiguity: 'relaxed' },
  ],
  within: '30s',
  select: '{ userId: key, high: match.high[0].ts, low: match.low[0].ts }',
};

function pipeline(input: string, windows: string, quiet: string, alerts: string) {
  const sink = (id: string, topic: string) => ({ id, type: 'sink.kafka', params: { brokers: BROKERS(), topic, key: 'userId', deliveryGuarantee: 'exactly-once', batchSize: 500 } });
  return {
    nodes: [
      { id: 'in', type: 'source.kafka', params: { brokers: BROKERS(), topic: input, groupId: uniqueName('eos'), startFrom: 'earliest', bounded: true, metadata: false, eventTime: { field: 'ts', maxOutOfOrderness: '0ms' } } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '10s' }, aggregates: { n: { fn: 'count' }, spent: { fn: 'sum', field: 'price' } } } },
      { id: 'quiet', type: 'process', params: { code: QUIET_CODE, onTimer: QUIET_TIMER } },
      { id: 'spike', type: 'cep', params: SPIKE },
      sink('winOut', windows),
      sink('procOut', quiet),
      sink('cepOut', alerts),
      { id: 'cepFile', type: 'sink.file', params: { path: 'out/alerts.jsonl' } },
    ],
    edges: [
      { from: 'in', to: 'byUser' },
      { from: 'byUser', to: 'win' },
      { from: 'byUser', to: 'quiet' },
      { from: 'byUser', to: 'spike' },
      { from: 'win', to: 'winOut' },
      { from: 'quiet', to: 'procOut' },
      { from: 'spike', to: 'cepOut' },
      { from: 'spike', to: 'cepFile' },
    ],
  };
}

/** The lines of the file sink's output, sorted (keys' order across partitions may differ between runs). */
function fileLines(dir: string): string[] {
  return readFileSync(join(dir, 'out', 'alerts.jsonl'), 'utf8').split('\n').filter((l) => l !== '').sort();
}

/** Records the source had read at a checkpoint (0 when it cannot be read, e.g. half written). */
async function readUpTo(path: string): Promise<number> {
  try {
    const io = (await readCheckpoint(path)).nodes.in?.io as { partitions: { position: number }[] } | undefined;
    return (io?.partitions ?? []).reduce((n, p) => n + p.position, 0);
  } catch {
    return 0;
  }
}

/**
 * When to start a kill's random delay: once a checkpoint of this run shows that it has read on
 * from where it resumed. A run still joining the group checkpoints too, and killing it then
 * would prove nothing.
 */
function progressed(ckptDir: string): (files: string[], before: ReadonlySet<string>) => boolean {
  let checking: string | null = null;
  let startedAt: number | null = null;
  let runKey: string | null = null;
  let ok = false;
  return (files, before) => {
    const key = [...before].sort().join(',');
    if (key !== runKey) {
      runKey = key;
      ok = false;
      startedAt = null;
      const prev = [...before].sort().pop();
      if (prev === undefined) startedAt = 0;
      else void readUpTo(join(ckptDir, prev)).then((n) => (startedAt = n));
    }
    const newest = files.filter((f) => !before.has(f)).sort().pop();
    if (ok || newest === undefined || startedAt === null || checking !== null) return ok;
    checking = newest;
    void readUpTo(join(ckptDir, newest)).then((n) => {
      if (startedAt !== null && n >= startedAt + 3000) ok = true;
      checking = null;
    });
    return ok;
  };
}

/** What a read_committed reader sees: at least `min` values, then nothing more for `quietMs`. */
async function readCommitted(topic: string, min: number, quietMs = 3000): Promise<string[]> {
  const c = new kafkajs.Kafka({ clientId: 'tests-eos', brokers: BROKERS().split(','), logLevel: kafkajs.logLevel.NOTHING }).consumer({ groupId: uniqueName('tests-eos'), readUncommitted: false });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  const out: string[] = [];
  let last = Date.now();
  void c.run({
    eachMessage: async ({ message }) => {
      out.push(message.value!.toString());
      last = Date.now();
    },
  });
  const deadline = Date.now() + 120_000;
  while ((out.length < min || Date.now() - last < quietMs) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await c.disconnect();
  return out.sort();
}

describe('Kafka exactly-once: kill -9 and restart', () => {
  it(`ends with exactly the uninterrupted output after ${KILLS} kills (seed ${SEED})`, { timeout: 300_000 + KILLS * 50_000 }, async () => {
    const input = await fillInput();
    const out = { refWin: '', win: '', refQuiet: '', quiet: '', refAlerts: '', alerts: '' };
    for (const k of Object.keys(out) as (keyof typeof out)[]) {
      out[k] = await createTopic(`eos-${k}`, 2);
      topics.push(out[k]);
    }

    // The reference: one uninterrupted run (checkpoints on too, so the same transactions are used).
    const refDir = scratch();
    const refPath = writePipeline(refDir, pipeline(input, out.refWin, out.refQuiet, out.refAlerts), 'eos.json');
    const ref = await runCli(['run', refPath, '--trust', '-q', '--checkpoint-interval', '500ms'], { timeout: 180_000 });
    expect(ref.code, ref.stderr).toBe(0);
    const refWin = await readCommitted(out.refWin, 1);
    // 400 users × 2400 s of event time in 10 s windows.
    expect(refWin.length).toBe(400 * 240);
    // Each user's timer fires once, at the end of input, having counted all of its records.
    const refQuiet = await readCommitted(out.refQuiet, 1);
    expect(refQuiet.length).toBe(400);
    for (const q of refQuiet) expect(JSON.parse(q).events).toBe(EVENTS / 400);
    const refAlerts = await readCommitted(out.refAlerts, 1);
    expect(refAlerts.length).toBeGreaterThan(400);
    // The file sink wrote the same alerts as the Kafka sink.
    const refFile = fileLines(refDir);
    expect(refFile).toEqual(refAlerts);

    const dir = scratch();
    const p = writePipeline(dir, pipeline(input, out.win, out.quiet, out.alerts), 'eos.json');
    const ckptDir = join(dir, '.tributary', 'checkpoints', 'eos');
    // Checkpoints every 200 ms and a kill within 400 ms of real progress: on a quiet machine a
    // longer wait let the second run read to the end before its kill, so it was never killed.
    const run = await killAndRestart(['run', p, '--trust', '--checkpoint-interval', '200ms'], ckptDir, KILLS, rng(SEED), 400, progressed(ckptDir));
    expect(run.final.code, run.final.stderr).toBe(0);
    expect(run.kills).toBeGreaterThanOrEqual(Math.min(KILLS, 2));
    for (const [i, log] of run.logs.entries()) if (i > 0 && run.resumable[i]) expect(log).toMatch(/resuming from .*\.ckpt/);

    const win = await readCommitted(out.win, refWin.length);
    expect(win.length).toBe(refWin.length);
    expect(win).toEqual(refWin);
    const quiet = await readCommitted(out.quiet, refQuiet.length);
    expect(quiet).toEqual(refQuiet);
    const alerts = await readCommitted(out.alerts, refAlerts.length);
    expect(alerts).toEqual(refAlerts);
    // The file's part committed across the kills holds each alert once, and no in-progress part is left.
    expect(fileLines(dir)).toEqual(refFile);
    expect(readdirSync(join(dir, 'out'))).toEqual(['alerts.jsonl']);
  });
});

describe('source.kafka: a checkpoint whose offsets the topic no longer has', () => {
  it('is refused naming the partition, the offsets and --fresh (topic created again, or a partition gone)', { timeout: 60_000 }, async () => {
    const t = await createTopic('eos-gone', 1);
    topics.push(t);
    await produce(t, Array.from({ length: 5 }, (_, i) => ({ value: JSON.stringify({ i }) })));
    for (const [partitions, problem] of [
      // Read 500 records before the topic was deleted and created again with 5.
      [[{ topic: t, partition: 0, position: 500, end: null, wm: [0, 0] }], `partition ${t}:0 holds offsets 0..5, the checkpoint's position 500 is outside them`],
      [[{ topic: t, partition: 0, position: 2, end: null, wm: [0, 0] }, { topic: t, partition: 3, position: 7, end: null, wm: [0, 0] }], `partition ${t}:3 no longer exists`],
    ] as const) {
      const job = plan({
        nodes: [
          { id: 'in', type: 'source.kafka', params: { brokers: BROKERS(), topic: t, startFrom: 'earliest', bounded: true } },
          { id: 'out', type: 'sink.file', params: { path: join(scratch(), 'out.jsonl') } },
        ],
        edges: [{ from: 'in', to: 'out' }],
      });
      (job.operators.get('in') as unknown as Checkpointed).restoreCheckpoint({ partitions, wm: 0 });
      const err = await job.run().then(() => null, (e: unknown) => e as Error);
      expect(err?.message).toContain(`cannot resume from the checkpoint: ${problem}`);
      expect(err?.message).toContain('--fresh');
    }
  });
});
