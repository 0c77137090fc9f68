// The infer node against a real HTTP model server on 127.0.0.1 (test/support/model-server.ts) that
// speaks each protocol and computes the fixture logistic regression.
import { afterEach, describe, expect, it } from 'vitest';
import { EXPECTED, finish, openInfer, records } from '../../support/infer.js';
import { embed, logistic, ModelServer } from '../../support/model-server.js';

const F = EXPECTED.features;
let server: ModelServer;

afterEach(async () => {
  await server?.kill();
});

/** The model's score of record `id`, its features read as the tensor's datatype (FP32: float32). */
const scoreOf = (id: number, fp32: boolean) => logistic(fp32 ? EXPECTED.inputs[id]!.map(Math.fround) : EXPECTED.inputs[id]!);

const expectScores = (out: { id: number; p: number }[], n = 200, fp32 = false) => {
  expect(out.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => i));
  for (const r of out) expect(Math.abs(r.p - scoreOf(r.id, fp32))).toBeLessThan(1e-9);
};

describe('infer: remote model servers', () => {
  it('kserve-v2: batched tensors, the server\'s model version, headers from ${VAR}', async () => {
    server = await new ModelServer().start();
    process.env.INFER_TEST_TOKEN = 's3cret';
    const h = await openInfer({
      model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn', headers: { authorization: 'Bearer ${INFER_TEST_TOKEN}' } },
      inputs: { input: F }, outputs: { p: 'probabilities[1]', label: 'label' }, batchSize: 64, linger: '20ms',
    });
    h.values(records());
    await finish(h);
    const out = h.outValues() as { id: number; p: number; label: number; modelVersion: string }[];
    expectScores(out, 200, true);
    expect(out.every((r) => r.modelVersion === '7' && r.label === (r.p > 0.5 ? 1 : 0))).toBe(true);
    expect(server.requests).toBeLessThanOrEqual(8);
    expect(server.rows).toBe(200);
    expect(server.lastHeaders.authorization).toBe('Bearer s3cret');
    expect(h.metrics.model!().version).toBe('7');
  });

  it('kserve-v2: a value the datatype cannot hold (FP32 beyond 3.4e38), NaN or Infinity sends that record to errors, naming the feature; the rest are scored', async () => {
    server = await new ModelServer().start();
    const recs = records(20);
    recs[3]![F[1]!] = 1e39;
    recs[7]![F[0]!] = Number.NaN;
    recs[11]![F[2]!] = -Infinity;
    recs[12]![F[2]!] = -3.4028234663852886e38; // the largest float32: sent
    const h = await openInfer({ model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn' }, features: F, outputs: { p: 'probabilities[1]' } });
    h.values(recs);
    await finish(h);
    const errs = h.outValues('errors') as { error: string; record: { id: number } }[];
    expect(errs.map((e) => [e.record.id, e.error])).toEqual([
      [3, `feature ${JSON.stringify(F[1])} is 1e+39, beyond what a FP32 tensor holds`],
      [7, `feature ${JSON.stringify(F[0])} is not a number (NaN)`],
      [11, `feature ${JSON.stringify(F[2])} is not a number (-Infinity)`],
    ]);
    const out = h.outValues() as { id: number; p: number }[];
    expect(out.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => ![3, 7, 11].includes(i)));
    expect(server.rows).toBe(17);
  });

  it('kserve-v2 binary tensor extension: FP64 inputs as raw bytes; FP64, INT64, BYTES and BOOL outputs read back from bytes, alone or mixed with JSON outputs', async () => {
    for (const mixed of [false, true]) {
      server = await new ModelServer().start();
      server.mixedBinary = mixed;
      const h = await openInfer({
        model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn', datatype: 'FP64', binary: true },
        inputs: { input: F }, outputs: { p: 'probabilities[1]', label: 'label', name: 'label_name', churned: 'churned' }, batchSize: 64, linger: '20ms',
      });
      h.values(records());
      await finish(h);
      expect(h.outValues('errors')).toEqual([]);
      const out = h.outValues() as { id: number; p: number; label: number; name: string; churned: boolean }[];
      expectScores(out);
      for (const r of out) {
        const churn = r.p > 0.5;
        expect([r.label, r.name, r.churned]).toEqual([churn ? 1 : 0, churn ? 'churn' : 'stay', churn]);
      }
      expect(server.rows).toBe(200);
      expect(server.binaryRequests).toBe(server.requests);
      await server.kill();
    }
  });

  it('a call cut across two requests whose answers have different outputs: no row reads an output its answer lacked as 0', async () => {
    for (const lacking of [1, 2]) {
      server = await new ModelServer().start();
      server.omitOutput = (n) => (n === lacking ? 'label' : null);
      const h = await openInfer({
        model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn', datatype: 'FP64' },
        inputs: { input: F }, outputs: { p: 'probabilities[1]', label: 'label' }, batchSize: 64, linger: '50ms',
      });
      // 30 records wait for the linger; the next 64 fill that request and the rest of them go in the next one.
      const recs = records(94);
      h.values(recs.slice(0, 30));
      await new Promise((r) => setTimeout(r, 5));
      h.values(recs.slice(30));
      await finish(h);
      const out = h.outValues() as { id: number; p: number; label: number }[];
      const errs = h.outValues('errors') as { error: string; record: { id: number } }[];
      expect(server.requests).toBe(2);
      expect(out.length + errs.length).toBe(94);
      for (const r of out) expect(r.label).toBe(r.p > 0.5 ? 1 : 0);
      // Records 30..93 are the call cut in two; those answered without `label` never leave on out.
      const cut = errs.filter((e) => e.record.id >= 30).map((e) => e.record.id);
      if (lacking === 1) expect(out).toEqual([]);
      else {
        expect(out.map((r) => r.id)).toEqual(Array.from({ length: 64 }, (_, i) => i));
        expect(cut).toEqual(Array.from({ length: 30 }, (_, i) => 64 + i));
        expect(errs.every((e) => e.error.includes('changed its outputs'))).toBe(true);
      }
      await server.kill();
    }
  });

  it('tf-serving in both layouts (instances → predictions, inputs → outputs)', async () => {
    server = await new ModelServer().start();
    for (const layout of ['rows', 'columns']) {
      const h = await openInfer({ model: { kind: 'http', protocol: 'tf-serving', url: server.url, name: 'churn', version: '3', layout }, features: F, outputs: { p: 'predictions[1]' }, batchSize: 50 });
      h.values(records());
      await finish(h);
      const out = h.outValues() as { id: number; p: number; modelVersion: string }[];
      expectScores(out);
      expect(out[0]!.modelVersion).toBe('3');
    }
  });

  it('mlflow: dataframe_split with the feature names as columns', async () => {
    server = await new ModelServer().start();
    const h = await openInfer({ model: { kind: 'http', protocol: 'mlflow', url: server.url }, features: [...F].reverse(), outputs: { p: 'predictions' } });
    h.values(records());
    await finish(h);
    expectScores(h.outValues() as { id: number; p: number }[]);
  });

  it('openai: chat completions per record and batched embeddings (by index)', async () => {
    server = await new ModelServer().start();
    const recs = records(20).map((r) => ({ ...r, text: `features: ${F.map((f) => r[f]).join(',')}`, title: `item ${r.id} abcabc${'h'.repeat(r.id % 5)}` }));
    const chat = await openInfer({ model: { kind: 'http', protocol: 'openai', url: `${server.url}/v1`, name: 'gpt-test', prompt: 'text', system: 'Answer with a probability.' }, outputs: { answer: 'content' }, concurrency: 4 });
    chat.values(recs);
    await finish(chat);
    const out = chat.outValues() as { id: number; answer: string; modelVersion: string }[];
    expect(out.map((r) => r.id)).toEqual(recs.map((_r, i) => i));
    for (const r of out) expect(Math.abs(Number(r.answer) - logistic(EXPECTED.inputs[r.id]!))).toBeLessThan(1e-6);
    expect(out[0]!.modelVersion).toBe('gpt-test-2024');
    const emb = await openInfer({ model: { kind: 'http', protocol: 'openai', mode: 'embeddings', url: `${server.url}/v1`, name: 'emb', prompt: 'title' }, outputs: { vec: 'embedding' }, batchSize: 8 });
    emb.values(recs);
    await finish(emb);
    for (const r of emb.outValues() as { title: string; vec: number[] }[]) expect(r.vec).toEqual(embed(r.title));
  });

  it('json: a request expression and a response path, per record and batched', async () => {
    server = await new ModelServer().start();
    const request = `{ features: [${F.join(', ')}] }`;
    const one = await openInfer({ model: { kind: 'http', protocol: 'json', url: `${server.url}/score`, request, response: 'data.score' }, outputs: { p: 'result' }, concurrency: 8 });
    one.values(records(50));
    await finish(one);
    expectScores(one.outValues() as { id: number; p: number }[], 50);
    const before = server.requests;
    const batched = await openInfer({ model: { kind: 'http', protocol: 'json', url: `${server.url}/score`, request, response: 'results', batched: true }, outputs: { p: 'result.score' }, batchSize: 100 });
    batched.values(records());
    await finish(batched);
    expectScores(batched.outValues() as { id: number; p: number }[]);
    expect(server.requests - before).toBeLessThanOrEqual(4);
  });

  it('retries a 503 with backoff and then succeeds; counts the retries', async () => {
    server = await new ModelServer().start();
    server.failNext = 2;
    const h = await openInfer({ model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn' }, features: F, outputs: { p: 'probabilities[1]' }, retries: 3, backoff: '10ms', batchSize: 1000 });
    h.values(records());
    await finish(h);
    expectScores(h.outValues() as { id: number; p: number }[], 200, true);
    expect(h.metrics.model!().retries).toBe(2);
    expect(server.requests).toBe(3);
  });

  it('a slow server: records time out (the timeout covers retries) and go to errors', async () => {
    server = await new ModelServer().start();
    server.delay = () => 1500;
    const h = await openInfer({ model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn' }, features: F, timeout: '300ms', retries: 5, backoff: '10ms', batchSize: 50 });
    const t0 = Date.now();
    h.values(records(100));
    await finish(h);
    expect(Date.now() - t0).toBeLessThan(1400);
    expect(h.outValues()).toHaveLength(0);
    const errs = h.outValues('errors') as { error: string }[];
    expect(errs).toHaveLength(100);
    expect(errs[0]!.error).toMatch(/timed out after 300 ms/);
    expect(h.metrics.model!().timeouts).toBe(100);
  });

  it('one slow request of several: only its records time out; the others keep their scores (a timeout per record, as Flink\'s)', async () => {
    server = await new ModelServer().start();
    server.delay = (n) => (n === 1 ? 3000 : 0);
    const h = await openInfer({ model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn' }, features: F, outputs: { p: 'probabilities[1]' }, timeout: '1s', retries: 0, batchSize: 50, concurrency: 4, capacity: 200, linger: '50ms', ordered: false });
    h.values(records(200));
    await finish(h);
    const errs = h.outValues('errors') as { error: string; record: { id: number } }[];
    expect(errs).toHaveLength(50);
    expect(errs.every((e) => e.error === 'timed out after 1000 ms')).toBe(true);
    const out = h.outValues() as { id: number; p: number }[];
    expect(out).toHaveLength(150);
    for (const r of out) expect(Math.abs(r.p - scoreOf(r.id, true))).toBeLessThan(1e-9);
    expect(new Set([...out.map((r) => r.id), ...errs.map((e) => e.record.id)]).size).toBe(200);
    expect(h.metrics.model!().timeouts).toBe(50);
  });

  it('ordered keeps the input order over uneven latencies; unordered delivers every record; at most `concurrency` requests in flight', async () => {
    server = await new ModelServer().start();
    server.delay = (n) => (n % 3 === 0 ? 60 : n % 3 === 1 ? 5 : 25);
    const base = { model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn' }, features: F, outputs: { p: 'probabilities[1]' }, batchSize: 10, concurrency: 3 };
    const h = await openInfer({ ...base, ordered: true });
    h.values(records());
    await finish(h);
    expectScores(h.outValues() as { id: number; p: number }[], 200, true);
    expect(server.maxConcurrent).toBeLessThanOrEqual(3);
    expect(server.maxConcurrent).toBeGreaterThan(1);
    const u = await openInfer({ ...base, ordered: false });
    u.values(records());
    await finish(u);
    const ids = (u.outValues() as { id: number }[]).map((r) => r.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('capacity: a batch beyond it pauses the sources until records leave', async () => {
    server = await new ModelServer().start();
    server.delay = () => 30;
    const h = await openInfer({ model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn' }, features: F, outputs: { p: 'probabilities[1]' }, capacity: 50, batchSize: 25 });
    h.values(records());
    expect(h.job.blocked).toBe(1);
    await finish(h);
    expect(h.job.blocked).toBe(0);
    expectScores(h.outValues() as { id: number; p: number }[], 200, true);
  });

  it('a server that dies mid-run: retries, then the errors port; nothing lost (in = out + errors)', async () => {
    server = await new ModelServer().start();
    server.delay = () => 15;
    const h = await openInfer({ model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn' }, features: F, outputs: { p: 'probabilities[1]' }, batchSize: 20, concurrency: 2, retries: 2, backoff: '20ms', timeout: '10s' });
    const all = Array.from({ length: 5 }, () => records()).flat().map((r, i) => ({ ...r, seq: i }));
    for (let i = 0; i < all.length; i += 100) {
      h.values(all.slice(i, i + 100));
      if (i === 200) {
        while (server.rows < 60) await new Promise((r) => setTimeout(r, 5));
        await server.kill();
      }
    }
    await finish(h);
    const out = h.outValues() as { seq: number }[];
    const errs = h.outValues('errors') as { error: string; record: { seq: number } }[];
    expect(out.length).toBeGreaterThan(0);
    expect(errs.length).toBeGreaterThan(0);
    expect(out.length + errs.length).toBe(all.length);
    expect([...out.map((r) => r.seq), ...errs.map((e) => e.record.seq)].sort((a, b) => a - b)).toEqual(all.map((r) => r.seq));
    expect(errs[0]!.error).toMatch(/ECONNREFUSED|ECONNRESET|socket|fetch failed|other side closed/);
    expect(h.metrics.model!().retries).toBeGreaterThan(0);
  });

  it('the cache scores a repeated key once per TTL and reports its hit rate', async () => {
    server = await new ModelServer().start();
    const recs = records(10);
    const h = await openInfer({ model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn' }, features: F, outputs: { p: 'probabilities[1]' }, cache: { key: 'id', ttl: '1h' } });
    h.values(recs);
    await new Promise((r) => setTimeout(r, 200));
    h.values(recs);
    h.values(recs);
    await finish(h);
    const out = h.outValues() as { id: number; p: number }[];
    expect(out).toHaveLength(30);
    for (const r of out) expect(Math.abs(r.p - scoreOf(r.id, true))).toBeLessThan(1e-9);
    expect(server.rows).toBe(10);
    expect(h.metrics.model!().cacheHitRate).toBeCloseTo(20 / 30, 6);
  });

  it('a missing ${VAR} fails naming the node and the param; secrets never appear in messages', async () => {
    await expect(openInfer({ model: { kind: 'http', protocol: 'json', url: '${INFER_NOT_SET_URL}', request: 'id' } })).rejects.toMatchObject({ nodeId: 'infer', message: expect.stringContaining('model.url: environment variable INFER_NOT_SET_URL is not set') });
    process.env.INFER_TEST_URL = 'http://127.0.0.1:1/score?key=topsecret';
    const h = await openInfer({ model: { kind: 'http', protocol: 'json', url: '${INFER_TEST_URL}', request: 'id' }, retries: 0 });
    h.values(records(1));
    await finish(h);
    const err = (h.outValues('errors') as { error: string }[])[0]!.error;
    expect(err).not.toContain('topsecret');
  });
});
