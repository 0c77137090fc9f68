// The model pipelines end to end through the CLI, each on private Redis keys:
// - churn-scoring.json: every user's hash holds the churn model's probability for the features of
//   their last active window, equal to onnxruntime run here on features computed from the events;
// - cart-abandonment-ml.json: every open cart's probability lands in Redis, and exactly the carts
//   at 0.75 or above arrive as e-mails at a real SMTP server, with the right fields;
// - model-scoring-recs.json: candidates ranked by a real KServe v2 server in Redis sorted sets,
//   each exactly once, a candidate the server does not answer in time with the fallback score.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickEvent } from '../../runtime/nodes/source-generator/ecommerce.js';
import { lastWindowFeatures } from '../support/churn.js';
import { type CliResult, runCli } from '../support/cli.js';
import { generatorEvents } from '../support/generator.js';
import { RECS_MODEL, recsScore, startKserve, type KserveServer } from '../support/kserve.js';
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
async function run(file: string, edit?: (doc: { nodes: unknown[]; edges: unknown[] }) => void): Promise<{ dir: string; res: CliResult }> {
  const dir = copyOfPipelines();
  const path = join(dir, file);
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  for (const n of doc.nodes) if (n.type === 'sink.redis') n.params.key = `${pre}:${n.params.key}`;
  edit?.(doc);
  writeFileSync(path, JSON.stringify(doc));
  const res = await runCli(['run', file, '--trust'], { cwd: dir, timeout: 120_000, env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), MODEL_SERVER_URL: kserve.url } });
  expect(res.code, res.stderr).toBe(0);
  return { dir, res };
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
    const before = (await smtp.received()).mails.length;
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

  // Every candidate leaves exactly once: ranked by the server's model (its score, its version) or,
  // when the model could not answer within the seed's 500 ms, with the fallback score 0 and why. On
  // a busy machine some requests may be slow; most candidates must still be ranked by the model.
  async function recsRun(): Promise<{ ranked: number; fallbacks: RecsOut[] }> {
    const events = generatorEvents('model-scoring-recs.json').events;
    const want = recsCandidates(events);
    const rowsBefore = kserve.stats.rows;
    const { dir, res } = await run('model-scoring-recs.json', (doc) => {
      // Also keep what the model node scored, to count every candidate.
      doc.nodes.push({ id: 'scoredCopy', type: 'sink.file', params: { path: 'out/recs-scored.jsonl' } });
      doc.edges.push({ from: 'rank', to: 'scoredCopy' });
    });
    const lines = (f: string) => readFileSync(join(dir, 'out', f), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as RecsOut);
    const scored = lines('recs-scored.jsonl');
    const fallbacks = lines('recs-fallback.jsonl');
    const seen = new Map<string, number>();
    for (const o of [...scored, ...fallbacks]) seen.set(candidateKey(o.userId, o.windowEnd, o.productId), (seen.get(candidateKey(o.userId, o.windowEnd, o.productId)) ?? 0) + 1);
    expect(seen.size, 'candidates out').toBe(want.length);
    for (const c of want) expect(seen.get(candidateKey(c.user, c.windowEnd, c.product)), `${c.user} ${c.product} at ${c.windowEnd}`).toBe(1);
    for (const o of scored) {
      const c = want.find((w) => w.user === o.userId && w.windowEnd === o.windowEnd && w.product === o.productId)!;
      expect(Math.abs(o.recScore - c.score), `${o.userId} ${o.productId}`).toBeLessThan(1e-9);
      expect(o.modelVersion).toBe(RECS_MODEL.version);
    }
    for (const o of fallbacks) expect([o.recScore, o.modelVersion, typeof o.fallback]).toEqual([0, null, 'string']);
    // Every ranked candidate went to the server; the run's closing table counts the fallbacks as the node's errors.
    expect(kserve.stats.rows - rowsBefore).toBeGreaterThanOrEqual(scored.length);
    const row = res.stderr.split('\n').filter((l) => /^\s*rank\s/.test(l)).at(-1);
    expect(row, res.stderr.slice(-2000)).toBeDefined();
    expect(row!.trim().split(/\s+/)[5]!.replace(/,/g, ''), row).toBe(String(fallbacks.length));
    // The sorted sets: a later minute's score of a product replaces an earlier one; fallbacks score 0.
    const fell = new Set(fallbacks.map((o) => candidateKey(o.userId, o.windowEnd, o.productId)));
    const zsets = new Map<string, Map<string, number>>();
    for (const c of want) {
      const z = zsets.get(c.user) ?? zsets.set(c.user, new Map()).get(c.user)!;
      z.set(c.product, fell.has(candidateKey(c.user, c.windowEnd, c.product)) ? 0 : c.score);
    }
    const keys = await keysMatching(r, `${pre}:recs:*`);
    expect(keys.length).toBe(zsets.size);
    for (const k of keys) {
      const z = zsets.get(k.slice(`${pre}:recs:`.length))!;
      const flat = await r.zrange(k, 0, -1, 'WITHSCORES');
      const got = new Map<string, number>();
      for (let i = 0; i < flat.length; i += 2) got.set(flat[i]!, Number(flat[i + 1]));
      expect([...got.keys()].sort()).toEqual([...z.keys()].sort());
      for (const [product, score] of z) expect(Math.abs(got.get(product)! - score), `${k} ${product}`).toBeLessThan(1e-9);
    }
    console.log(`model-scoring-recs: ${want.length} candidates, ${scored.length} ranked by the model, ${fallbacks.length} fallbacks; ${row!.trim()}`);
    return { ranked: scored.length, fallbacks };
  }

  it('model-scoring-recs: every candidate ranked in ZADD recs:{userId}, by the KServe v2 model or the fallback', async () => {
    // The seed's settings (§2), not loosened to pass on a slow machine.
    const rank = JSON.parse(readFileSync(join(PIPELINES_DIR, 'model-scoring-recs.json'), 'utf8')).nodes.find((n: { id: string }) => n.id === 'rank').params;
    expect([rank.ordered, rank.timeout, rank.capacity]).toEqual([false, '500ms', 10_000]);
    // Every run must lose nothing (checked in recsRun). On a machine so loaded that a 2,500-row
    // request takes over 500 ms, a run may fall back more than it ranks; up to three runs, one must
    // rank most candidates by the model (a model never called, or never in time, fails all three).
    let best = { ranked: 0, fallbacks: [] as RecsOut[] };
    for (let attempt = 0; attempt < 3 && best.ranked <= best.fallbacks.length; attempt++) {
      await cleanup(r, `${pre}:recs`);
      best = await recsRun();
    }
    expect(best.ranked, `fallbacks: ${JSON.stringify(best.fallbacks.slice(0, 3))}`).toBeGreaterThan(best.fallbacks.length);
  }, 240_000);

  it('model-scoring-recs: a stalled server request falls back (score 0, reason timed out); nothing lost', async () => {
    await cleanup(r, `${pre}:recs`);
    kserve.slow.requests = 1;
    kserve.slow.ms = 1500;
    try {
      const { fallbacks } = await recsRun();
      expect(fallbacks.length).toBeGreaterThan(0);
      expect(fallbacks.every((o) => /timed out after 500 ms/.test(o.fallback)), fallbacks[0]?.fallback).toBe(true);
    } finally {
      kserve.slow.requests = 0;
    }
  }, 120_000);
});

interface RecsOut {
  userId: string;
  productId: string;
  windowEnd: number;
  recScore: number;
  modelVersion: string | null;
  fallback: string;
}

const candidateKey = (user: string, windowEnd: number, product: string) => `${user}|${windowEnd}|${product}`;

/**
 * The candidates model-scoring-recs.json must score, in window order: per user and minute, the five
 * products most viewed or clicked (count desc, then id asc, as topK orders them), each with the
 * server model's score of [views, rank, product number].
 */
function recsCandidates(events: readonly ClickEvent[]): { user: string; windowEnd: number; product: string; score: number }[] {
  const counts = new Map<string, Map<string, number>>();
  for (const e of events) {
    if (e.eventType !== 'VIEW' && e.eventType !== 'CLICK') continue;
    const k = `${e.userId}|${Math.floor(e.ts / 60_000)}`;
    const m = counts.get(k) ?? counts.set(k, new Map()).get(k)!;
    m.set(e.productId, (m.get(e.productId) ?? 0) + 1);
  }
  const windows = [...counts.entries()].map(([k, m]) => ({ user: k.split('|')[0]!, minute: Number(k.split('|')[1]), m }));
  windows.sort((a, b) => a.minute - b.minute);
  const out: { user: string; windowEnd: number; product: string; score: number }[] = [];
  for (const w of windows) {
    const top = [...w.m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
    top.forEach(([product, views], i) => out.push({ user: w.user, windowEnd: (w.minute + 1) * 60_000, product, score: recsScore([views, i + 1, Number(product.slice(1))]) }));
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
