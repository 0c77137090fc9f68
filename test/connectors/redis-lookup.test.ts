// lookup.redis against the real Redis server: exact enrichment of 100k records, the three kinds,
// unordered output, the cache, timeouts to `errors`, and an unreachable server at start.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedEvents as events } from '../support/clicks.js';
import { metricsOf, plan, runPipeline } from '../support/run.js';
import { cleanup, freePort, prefix, PrivateRedis, redis, REDIS_URL } from '../support/redis.js';

const r = redis();
const pre = prefix('lookup');
afterAll(async () => {
  await cleanup(r, pre);
  r.disconnect();
});

function lines(path: string): any[] {
  const t = readFileSync(path, 'utf8').trim();
  return t === '' ? [] : t.split('\n').map((l) => JSON.parse(l));
}

function doc(count: number, seed: number, lookup: Record<string, unknown>, withErrors = false) {
  const dir = mkdtempSync(join(tmpdir(), 'lookup-'));
  const nodes: any[] = [
    { id: 'gen', type: 'source.generator', params: { count, rate: 0, seed } },
    { id: 'look', type: 'lookup.redis', params: { url: REDIS_URL(), ...lookup } },
    { id: 'out', type: 'sink.file', params: { path: join(dir, 'out.jsonl') } },
  ];
  const edges: any[] = [
    { from: 'gen', to: 'look' },
    { from: 'look', to: 'out' },
  ];
  if (withErrors) {
    nodes.push({ id: 'bad', type: 'sink.file', params: { path: join(dir, 'errors.jsonl') } });
    edges.push({ from: 'look', fromPort: 'errors', to: 'bad' });
  }
  return { doc: { nodes, edges }, out: join(dir, 'out.jsonl'), errors: join(dir, 'errors.jsonl') };
}

/** Profiles for every other user: u00000, u00002, … */
async function seedProfiles(p: string): Promise<void> {
  const pipe = r.pipeline();
  for (let i = 0; i < 10_000; i += 2) pipe.hset(`${p}:u${String(i).padStart(5, '0')}`, { tier: i % 3 === 0 ? 'gold' : 'basic', city: `c${i % 7}` });
  await pipe.exec();
}

describe('lookup.redis', () => {
  it('enriches 100k records in order, exactly: the profile hash, or null where there is none', async () => {
    const p = `${pre}:profile`;
    await seedProfiles(p);
    const n = 100_000;
    const d = doc(n, 21, { key: `${p}:{userId}`, as: 'profile', capacity: 1000 });
    await runPipeline(d.doc);
    const out = lines(d.out);
    const evs = events(n, 21);
    expect(out).toHaveLength(n);
    out.forEach((o, i) => {
      expect(o.eventId).toBe(evs[i]!.eventId);
      const num = Number(evs[i]!.userId.slice(1));
      expect(o.profile).toEqual(num % 2 === 0 ? { tier: num % 3 === 0 ? 'gold' : 'basic', city: `c${num % 7}` } : null);
    });
  });

  it('merges hash fields into the record when `as` is unset; reads strings and JSON', async () => {
    const p = `${pre}:kinds`;
    const evs = events(200, 22);
    const pipe = r.pipeline();
    for (const e of evs) {
      pipe.hset(`${p}:h:${e.userId}`, { segment: 'vip', userId: 'overridden' });
      pipe.set(`${p}:s:${e.productId}`, `name of ${e.productId}`);
      pipe.set(`${p}:j:${e.productId}`, JSON.stringify({ stock: 5, tags: ['a'] }));
    }
    await pipe.exec();
    const merged = doc(200, 22, { key: `${p}:h:{userId}` });
    await runPipeline(merged.doc);
    expect(lines(merged.out)[0]).toMatchObject({ eventId: 1, segment: 'vip', userId: 'overridden' });
    const str = doc(200, 22, { key: `${p}:s:{productId}`, kind: 'string', as: 'name' });
    await runPipeline(str.doc);
    expect(lines(str.out).map((o) => o.name)).toEqual(evs.map((e) => `name of ${e.productId}`));
    const json = doc(200, 22, { key: `${p}:j:{productId}`, kind: 'json' });
    await runPipeline(json.doc);
    expect(lines(json.out)[0]).toMatchObject({ eventId: 1, stock: 5, tags: ['a'] });
  });

  it('a key Redis refuses sends only the records that need it to errors', async () => {
    const p = `${pre}:wrongtype`;
    await seedProfiles(p);
    const n = 2000;
    const evs = events(n, 26);
    const badUser = evs[0]!.userId;
    await r.del(`${p}:${badUser}`);
    await r.set(`${p}:${badUser}`, 'not a hash');
    const d = doc(n, 26, { key: `${p}:{userId}`, as: 'profile', capacity: 500 }, true);
    await runPipeline(d.doc);
    const bad = evs.filter((e) => e.userId === badUser).length;
    const errs = lines(d.errors);
    expect(errs).toHaveLength(bad);
    expect(errs[0].error).toMatch(new RegExp(`^HGETALL ${p}:${badUser}: WRONGTYPE`));
    expect(lines(d.out)).toHaveLength(n - bad);
  });

  it('unordered: every record comes out once', async () => {
    const p = `${pre}:unordered`;
    await seedProfiles(p);
    const d = doc(20_000, 23, { key: `${p}:{userId}`, as: 'profile', ordered: false, capacity: 64 });
    await runPipeline(d.doc);
    const ids = lines(d.out).map((o) => o.eventId);
    expect(ids).toHaveLength(20_000);
    expect(new Set(ids).size).toBe(20_000);
  });

  it('a cache with a TTL reads each key once', async () => {
    const server = new PrivateRedis(await freePort());
    await server.start();
    const c = redis(server.url);
    const fill = c.pipeline();
    for (let i = 0; i < 10_000; i++) fill.hset(`p:u${String(i).padStart(5, '0')}`, 'x', String(i));
    await fill.exec();
    await c.config('RESETSTAT');
    const n = 20_000;
    const d = doc(n, 24, { key: 'p:{userId}', url: server.url, cacheTtl: '1h', capacity: 500 });
    await runPipeline(d.doc);
    const distinct = new Set(events(n, 24).map((e) => e.userId)).size;
    const stats = await c.info('commandstats');
    const calls = Number(/cmdstat_hgetall:calls=(\d+)/.exec(stats)![1]);
    // Records of one request share a read, and the cache spares later requests.
    expect(calls).toBeLessThanOrEqual(distinct);
    expect(lines(d.out)).toHaveLength(n);
    c.disconnect();
    await server.kill();
  });

  it('sends records whose lookup times out to errors, exactly, and carries on', async () => {
    const server = new PrivateRedis(await freePort());
    await server.start();
    const d = doc(3000, 25, { key: 'p:{userId}', url: server.url, timeout: '300ms', capacity: 100 }, true);
    (d.doc.nodes[0]!.params as { rate: number }).rate = 3000;
    // Freeze the server part-way through the one-second run: lookups in flight then time out.
    const pid = server.pid!;
    const job = plan(d.doc);
    const running = job.run();
    while (metricsOf(job, 'out').recordsIn < 300) await new Promise((res) => setTimeout(res, 10));
    process.kill(pid, 'SIGSTOP');
    await new Promise((res) => setTimeout(res, 1200));
    process.kill(pid, 'SIGCONT');
    await running;
    const out = lines(d.out);
    const errs = lines(d.errors);
    expect(errs.length).toBeGreaterThan(0);
    expect(out.length + errs.length).toBe(3000);
    expect(metricsOf(job, 'look').errors).toBe(errs.length);
    expect(errs[0].error).toMatch(/timed out after 300 ms/);
    await server.kill();
  });

  it('fails at start naming the node when Redis cannot be reached', async () => {
    await expect(runPipeline(doc(10, 26, { key: 'p:{userId}', url: 'redis://127.0.0.1:1' }).doc)).rejects.toThrow(/node|cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
