// The model pipelines end to end through the CLI, each on private Redis keys:
// - churn-scoring.json: every user's hash holds the churn model's probability for the features of
//   their last active window, equal to onnxruntime run here on features computed from the events;
// - cart-abandonment-ml.json: every open cart's probability lands in Redis, and exactly the carts
//   at 0.75 or above arrive as e-mails at a real SMTP server, with the right fields;
// - model-scoring-recs.json: candidates ranked by a real KServe v2 server in Redis sorted sets.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickEvent } from '../../runtime/nodes/source-generator/ecommerce.js';
import { lastWindowFeatures } from '../support/churn.js';
import { runCli } from '../support/cli.js';
import { generatorEvents } from '../support/generator.js';
import { recsScore, startKserve, type KserveServer } from '../support/kserve.js';
import { copyOfPipelines, PIPELINES_DIR } from '../support/pipelines.js';
import { cleanup, keysMatching, prefix, redis } from '../support/redis.js';
import { SmtpServerProcess } from '../support/smtp.js';

const r = redis();
const pre = prefix('models');
let smtp: SmtpServerProcess;
let kserve: KserveServer;
beforeAll(async () => {
  smtp = await SmtpServerProcess.start();
  kserve = await startKserve();
});
afterAll(async () => {
  await cleanup(r, pre);
  r.disconnect();
  await smtp.stop();
  await kserve.close();
});

/** Run pipelines/<file> from a private copy with its Redis keys under this test's prefix. */
async function run(file: string): Promise<string> {
  const dir = copyOfPipelines();
  const path = join(dir, file);
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  for (const n of doc.nodes) if (n.type === 'sink.redis') n.params.key = `${pre}:${n.params.key}`;
  writeFileSync(path, JSON.stringify(doc));
  const res = await runCli(['run', file, '--trust'], { cwd: dir, timeout: 120_000, env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), MODEL_SERVER_URL: kserve.url } });
  expect(res.code, res.stderr).toBe(0);
  return dir;
}

async function hashes(pattern: string): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for (const k of await keysMatching(r, `${pre}:${pattern}*`)) out.set(k.slice(`${pre}:${pattern}`.length), await r.hgetall(k));
  return out;
}

/** Class-1 probabilities of pipelines/models/<name>.onnx for these rows, by onnxruntime directly. */
async function probabilities(name: string, rows: number[][]): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(join(PIPELINES_DIR, 'models', `${name}.onnx`), { intraOpNumThreads: 1 });
  const out = await s.run({ input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]) });
  const p = out.output_probability!.data as Float32Array;
  await s.release();
  return Float32Array.from({ length: rows.length }, (_, i) => p[2 * i + 1]!);
}

describe('model pipelines', () => {
  it('churn-scoring: HSET user:{userId} holds the model\'s score of the user\'s last window', async () => {
    const expected = lastWindowFeatures(generatorEvents('churn-scoring.json').events);
    await run('churn-scoring.json');
    const got = await hashes('user:');
    expect(got.size).toBe(expected.size);
    const users = [...expected.keys()];
    const probs = await probabilities('churn', users.map((u) => { const f = expected.get(u)!; return [f.sessions, f.views, f.carts, f.purchases, f.recency]; }));
    users.forEach((u, i) => {
      const h = got.get(u)!;
      expect(Number(h.computedAt)).toBe(expected.get(u)!.computedAt);
      expect(Math.abs(Number(h.churnScore) - probs[i]!)).toBeLessThan(1e-6);
      expect(h.scoredBy).toBe('model');
      expect(h.modelVersion).toMatch(/^[0-9a-f]{12}$/);
    });
  });

  it('cart-abandonment-ml: every open cart scored in Redis; e-mails for exactly those at 0.75 or above', async () => {
    const carts = openCarts(generatorEvents('cart-abandonment-ml.json').events);
    const probs = await probabilities('cart-abandonment', carts.map((c) => c.features));
    const before = smtp.mails.length;
    await run('cart-abandonment-ml.json');
    const got = await hashes('cart:');
    // A session quiet for over a minute splits into two windows; its later window's score stays.
    const last = new Map(carts.map((c, i) => [c.sessionId, i]));
    expect(got.size).toBe(last.size);
    for (const [sid, i] of last) {
      const h = got.get(sid)!;
      expect(h, sid).toBeDefined();
      expect(h.userId).toBe(carts[i]!.userId);
      expect(Math.abs(Number(h.probability) - probs[i]!), `${sid} ${JSON.stringify(h)} ${JSON.stringify(carts[i])}`).toBeLessThan(1e-6);
    }
    const alerted = carts.filter((_, i) => probs[i]! >= 0.75);
    expect(alerted.length).toBeGreaterThan(0);
    expect(alerted.length).toBeLessThan(carts.length);
    const mails = (await smtp.parsed()).slice(before);
    expect(mails).toHaveLength(alerted.length);
    const mailed = mails.map((m) => /in session (\S+)\./.exec(m.text!)![1]!).sort();
    expect(mailed).toEqual(alerted.map((c) => c.sessionId).sort());
    for (const m of mails) {
      const c = alerted.find((x) => m.text!.includes(`in session ${x.sessionId}.`) && m.subject === `Cart abandoned by user ${x.userId}: ${x.features[4]} items, ${Math.round(x.features[5]! * 100) / 100}`);
      expect(c, m.subject).toBeDefined();
      expect((m.to as { value: { address: string }[] }).value[0]!.address).toBe('crm@example.com');
      expect(Number(/probability: ([\d.e-]+)/.exec(m.text!)![1])).toBeGreaterThanOrEqual(0.75);
    }
  });

  it('model-scoring-recs: candidates ranked by the KServe v2 server in ZADD recs:{userId}', async () => {
    // The seed's settings (§2), not loosened to pass on a slow machine.
    const rank = JSON.parse(readFileSync(join(PIPELINES_DIR, 'model-scoring-recs.json'), 'utf8')).nodes.find((n: { id: string }) => n.id === 'rank').params;
    expect([rank.ordered, rank.timeout, rank.capacity]).toEqual([false, '500ms', 10_000]);
    const expected = recsCandidates(generatorEvents('model-scoring-recs.json').events);
    const rowsBefore = kserve.stats.rows;
    const dir = await run('model-scoring-recs.json');
    const unscored = readFileSync(join(dir, 'out/recs-unscored.jsonl'), 'utf8');
    expect(unscored, unscored.slice(0, 600)).toBe('');
    const keys = await keysMatching(r, `${pre}:recs:*`);
    expect(keys.length).toBe(expected.size);
    for (const k of keys) {
      const want = expected.get(k.slice(`${pre}:recs:`.length))!;
      const z = await r.zrange(k, 0, -1, 'WITHSCORES');
      const got = new Map<string, number>();
      for (let i = 0; i < z.length; i += 2) got.set(z[i]!, Number(z[i + 1]));
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [product, score] of want) expect(Math.abs(got.get(product)! - score), `${k} ${product}`).toBeLessThan(1e-9);
    }
    // Every candidate went to the server, in batches.
    const candidates = kserve.stats.rows - rowsBefore;
    expect(candidates).toBeGreaterThan(keys.length);
  });
});

/**
 * The sorted sets model-scoring-recs.json must leave: per user and minute, the five products most
 * viewed or clicked (count desc, then id asc, as topK orders them), each scored by the server's
 * model on [views, rank, product number]; a later minute's score of a product replaces an earlier one.
 */
function recsCandidates(events: readonly ClickEvent[]): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const e of events) {
    if (e.eventType !== 'VIEW' && e.eventType !== 'CLICK') continue;
    const k = `${e.userId}|${Math.floor(e.ts / 60_000)}`;
    const m = counts.get(k) ?? counts.set(k, new Map()).get(k)!;
    m.set(e.productId, (m.get(e.productId) ?? 0) + 1);
  }
  const windows = [...counts.entries()].map(([k, m]) => ({ user: k.split('|')[0]!, minute: Number(k.split('|')[1]), m }));
  windows.sort((a, b) => a.minute - b.minute);
  const out = new Map<string, Map<string, number>>();
  for (const w of windows) {
    const top = [...w.m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
    const z = out.get(w.user) ?? out.set(w.user, new Map()).get(w.user)!;
    top.forEach(([product, views], i) => z.set(product, recsScore([views, i + 1, Number(product.slice(1))])));
  }
  return out;
}

interface Cart {
  sessionId: string;
  userId: string;
  features: number[];
}

/** Session windows (gap 1 min) per sessionId with an add and no purchase, as the pipeline states. */
function openCarts(events: readonly ClickEvent[]): Cart[] {
  const by = new Map<string, ClickEvent[]>();
  for (const e of events) (by.get(e.sessionId) ?? by.set(e.sessionId, []).get(e.sessionId)!).push(e);
  const out: Cart[] = [];
  for (const [sid, es] of by) {
    es.sort((a, b) => a.ts - b.ts);
    const parts: ClickEvent[][] = [[es[0]!]];
    for (const e of es.slice(1)) {
      const cur = parts[parts.length - 1]!;
      if (e.ts - cur[cur.length - 1]!.ts > 60_000) parts.push([e]); // touching windows merge
      else cur.push(e);
    }
    for (const p of parts) {
      const n = (t: string) => p.filter((e) => e.eventType === t).length;
      if (n('ADD_TO_CART') === 0 || n('PURCHASE') > 0) continue;
      let qty = 0;
      let value = 0;
      for (const e of p) {
        const sign = e.eventType === 'ADD_TO_CART' ? 1 : e.eventType === 'REMOVE_FROM_CART' ? -1 : 0;
        qty += sign * e.quantity;
        value += sign * e.price * e.quantity;
      }
      out.push({ sessionId: sid, userId: p[0]!.userId, features: [n('VIEW'), n('CLICK'), n('ADD_TO_CART'), n('REMOVE_FROM_CART'), qty, value, (p[p.length - 1]!.ts - p[0]!.ts) / 1000] });
    }
  }
  return out;
}
