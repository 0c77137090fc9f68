// sink.redis against the real Redis server: exactly what lands for each command, bad records to
// `errors`, refused commands, and a server killed for 5 s mid-run with nothing lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickEvent } from '../../runtime/nodes/source-generator/ecommerce.js';
import { generatedEvents as events } from '../support/clicks.js';
import { metricsOf, plan, runPipeline } from '../support/run.js';
import { cleanup, freePort, keysMatching, prefix, PrivateRedis, redis, REDIS_URL } from '../support/redis.js';

const r = redis();
const pre = prefix('sink');
afterAll(async () => {
  await cleanup(r, pre);
  r.disconnect();
});

function sinkDoc(count: number, seed: number, sink: Record<string, unknown>, extra: { rate?: number; url?: string } = {}) {
  return {
    nodes: [
      { id: 'gen', type: 'source.generator', params: { count, rate: extra.rate ?? 0, seed } },
      { id: 'out', type: 'sink.redis', params: { url: extra.url ?? REDIS_URL(), ...sink } },
    ],
    edges: [{ from: 'gen', to: 'out' }],
  };
}

describe('sink.redis', () => {
  beforeAll(async () => {
    await r.ping();
  });

  it('HSET: 100k events leave exactly the last event of every user in its hash', async () => {
    const n = 100_000;
    const p = `${pre}:hset`;
    await runPipeline(sinkDoc(n, 11, { command: 'HSET', key: `${p}:{userId}`, fields: '{ lastEvent: eventId, lastProduct: productId, value: price * quantity }' }));
    const last = new Map<string, ClickEvent>();
    for (const e of events(n, 11)) last.set(e.userId, e);
    const pipe = r.pipeline();
    for (const u of last.keys()) pipe.hgetall(`${p}:${u}`);
    const got = (await pipe.exec())!.map(([, v]) => v as Record<string, string>);
    [...last.values()].forEach((e, i) => expect(got[i]).toEqual({ lastEvent: String(e.eventId), lastProduct: e.productId, value: String(e.price * e.quantity) }));
    expect((await keysMatching(r, `${p}:*`)).length).toBe(last.size);
  });

  it('HINCRBY, ZINCRBY, ZADD, SET with ttl, LPUSH with maxLen, XADD with maxLen', async () => {
    const n = 5000;
    const evs = events(n, 12);
    const p = `${pre}:cmds`;
    const run = (sink: Record<string, unknown>) => runPipeline(sinkDoc(n, 12, sink));
    await run({ command: 'HINCRBY', key: `${p}:counts:{userId}`, fields: "{ events: 1, purchases: eventType == 'PURCHASE' ? 1 : 0 }" });
    await run({ command: 'ZINCRBY', key: `${p}:popular`, member: 'productId', score: 'quantity' });
    await run({ command: 'ZADD', key: `${p}:lastSeen`, member: 'userId', score: 'ts' });
    await run({ command: 'SET', key: `${p}:session:{sessionId}`, value: '{ eventType, productId }', ttl: '1h' });
    await run({ command: 'LPUSH', key: `${p}:recent:{userId}`, value: 'productId', maxLen: 3 });
    await run({ command: 'XADD', key: `${p}:stream`, fields: '{ id: eventId, type: eventType }', maxLen: 100_000 });

    const u = evs[0]!.userId;
    const mine = evs.filter((e) => e.userId === u);
    expect(await r.hgetall(`${p}:counts:${u}`)).toEqual({ events: String(mine.length), purchases: String(mine.filter((e) => e.eventType === 'PURCHASE').length) });
    const prod = evs[0]!.productId;
    expect(Number(await r.zscore(`${p}:popular`, prod))).toBe(evs.filter((e) => e.productId === prod).reduce((a, e) => a + e.quantity, 0));
    expect(Number(await r.zscore(`${p}:lastSeen`, u))).toBe(mine.at(-1)!.ts);
    const lastOfSession = evs.filter((e) => e.sessionId === evs[0]!.sessionId).at(-1)!;
    expect(JSON.parse((await r.get(`${p}:session:${lastOfSession.sessionId}`))!)).toEqual({ eventType: lastOfSession.eventType, productId: lastOfSession.productId });
    const pttl = await r.pttl(`${p}:session:${lastOfSession.sessionId}`);
    expect(pttl).toBeGreaterThan(3_500_000);
    expect(pttl).toBeLessThanOrEqual(3_600_000);
    expect(await r.lrange(`${p}:recent:${u}`, 0, -1)).toEqual(mine.slice(-3).reverse().map((e) => e.productId));
    const stream = await r.xrange(`${p}:stream`, '-', '+');
    expect(stream.map(([, f]) => Number(f[1]))).toEqual(evs.map((e) => e.eventId));
  });

  it('PUBLISH: every record reaches a subscriber', async () => {
    const channel = `${pre}:alerts`;
    const sub = redis();
    const got: string[] = [];
    sub.on('message', (_c: string, m: string) => got.push(m));
    await sub.subscribe(channel);
    await runPipeline(sinkDoc(300, 13, { command: 'PUBLISH', key: channel, value: 'eventId' }));
    for (let i = 0; i < 50 && got.length < 300; i++) await new Promise((res) => setTimeout(res, 20));
    sub.disconnect();
    expect(got.map(Number)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('sends records whose key cannot be computed to errors, exactly, and writes the rest', async () => {
    const p = `${pre}:errs`;
    const { job } = await runPipeline({
      nodes: [
        { id: 'gen', type: 'source.generator', params: { count: 2000, rate: 0, seed: 14 } },
        { id: 'shape', type: 'map', params: { expression: "{ ...event, coupon: eventType == 'PURCHASE' ? null : 'none' }" } },
        { id: 'out', type: 'sink.redis', params: { url: REDIS_URL(), command: 'SET', key: `${p}:{eventId}:{coupon}`, value: 'eventId' } },
        { id: 'bad', type: 'sink.console', params: {} },
      ],
      edges: [
        { from: 'gen', to: 'shape' },
        { from: 'shape', to: 'out' },
        { from: 'out', fromPort: 'errors', to: 'bad' },
      ],
    });
    const purchases = events(2000, 14).filter((e) => e.eventType === 'PURCHASE').length;
    expect(purchases).toBeGreaterThan(0);
    expect(metricsOf(job, 'out').errors).toBe(purchases);
    expect(metricsOf(job, 'bad').recordsIn).toBe(purchases);
    expect((await keysMatching(r, `${p}:*`)).length).toBe(2000 - purchases);
  });

  it('fails the run naming the node and the command when Redis refuses it', async () => {
    const k = `${pre}:alist`;
    await r.lpush(k, 'x');
    await expect(runPipeline(sinkDoc(10, 15, { command: 'HSET', key: k, fields: '{ a: 1 }' }))).rejects.toThrow(/Redis refused HSET .*alist: WRONGTYPE/);
  });

  it('fails at start naming the node when Redis cannot be reached', async () => {
    await expect(runPipeline(sinkDoc(10, 15, { command: 'SET', key: 'k', value: '1' }, { url: 'redis://127.0.0.1:1' }))).rejects.toThrow(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });

  it('survives Redis being killed for 5 s mid-run: buffers a bounded amount, pauses the source, loses nothing', async () => {
    const server = new PrivateRedis(await freePort());
    await server.start();
    const n = 60_000;
    const p = 'outage';
    const job = plan(sinkDoc(n, 16, { command: 'HSET', key: `${p}:{userId}`, fields: '{ lastEvent: eventId }', maxBuffered: 2000, batchSize: 500 }, { rate: 6000, url: server.url }));
    const running = job.run();
    const gen = metricsOf(job, 'gen');
    while (gen.recordsOut < 15_000) await new Promise((res) => setTimeout(res, 20));
    await server.kill();
    await new Promise((res) => setTimeout(res, 1000));
    const heldAt = gen.recordsOut;
    await new Promise((res) => setTimeout(res, 4000));
    // The source was paused: it emitted no more than what was already in flight.
    expect(gen.recordsOut - heldAt).toBeLessThanOrEqual(4096);
    expect(gen.recordsOut).toBeLessThan(n);
    await server.start();
    expect(await running).toBe('finished');
    expect(metricsOf(job, 'out').errors).toBeGreaterThan(0);

    const check = redis(server.url);
    const last = new Map<string, number>();
    for (const e of events(n, 16)) last.set(e.userId, e.eventId);
    const pipe = check.pipeline();
    for (const u of last.keys()) pipe.hget(`${p}:${u}`, 'lastEvent');
    const got = (await pipe.exec())!.map(([, v]) => Number(v));
    expect(got).toEqual([...last.values()]);
    check.disconnect();
    await server.kill();
  }, 60_000);
});
