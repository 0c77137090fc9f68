// The Kafka/Redis examples end to end, each on a private topic and key prefix: the generator
// publishes to Kafka (clickstream-kafka.json), profiles load into Redis (load-profiles.json),
// then customer-360.json and clickstream-redis.json read the topic to its end and must leave
// exactly the expected hashes, counters, lists and sorted set in Redis.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickEvent } from '../../runtime/nodes/source-generator/ecommerce.js';
import { generatedEvents } from '../support/clicks.js';
import { runCli } from '../support/cli.js';
import { createTopic, deleteTopics } from '../support/kafka.js';
import { copyOfPipelines } from '../support/pipelines.js';
import { cleanup, prefix, redis } from '../support/redis.js';

const N = 30_000;
const r = redis();
const pre = prefix('examples');
let dir = '';
let topic = '';

/** Point an example at the private topic and key prefix, and bound its Kafka reads. */
function edit(file: string, fn: (doc: any) => void = () => {}): void {
  const path = join(dir, file);
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  for (const n of doc.nodes) {
    const p = n.params;
    if (n.type === 'source.kafka' || n.type === 'sink.kafka') p.topic = topic;
    if (n.type === 'source.kafka') Object.assign(p, { bounded: true, startFrom: 'earliest', groupId: `${pre}-${doc.name}` });
    if (typeof p.key === 'string' && (n.type === 'sink.redis' || n.type === 'lookup.redis')) p.key = `${pre}:${p.key}`;
  }
  fn(doc);
  writeFileSync(path, JSON.stringify(doc));
}

async function run(file: string): Promise<void> {
  const res = await runCli(['run', file, '--trust'], { cwd: dir, timeout: 90_000 });
  expect(res.code, res.stderr).toBe(0);
}

function events(): ClickEvent[] {
  return generatedEvents(N, 7, 100);
}

beforeAll(async () => {
  dir = copyOfPipelines();
  topic = await createTopic('examples', 4);
  // 30k events over 5 minutes of event time, so windows close along the way.
  edit('clickstream-kafka.json', (doc) => Object.assign(doc.nodes[0].params, { count: N, rate: 0, eventTimeRate: 100 }));
  await run('clickstream-kafka.json');
}, 120_000);

afterAll(async () => {
  await cleanup(r, pre);
  r.disconnect();
  await deleteTopics([topic]);
});

describe('Kafka and Redis example pipelines', () => {
  it('customer-360: counters, last-seen hash with the profile tier, and recent views per user, exactly', async () => {
    edit('load-profiles.json');
    await run('load-profiles.json');
    edit('customer-360.json');
    await run('customer-360.json');

    const profiles = new Map(readFileSync(join(dir, 'data/profiles.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((p) => [p.userId, p]));
    const byUser = new Map<string, ClickEvent[]>();
    for (const e of events()) byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e]);
    const users = [...byUser.keys()];
    const pipe = r.pipeline();
    for (const u of users) pipe.hgetall(`${pre}:customer:${u}:counters`).hgetall(`${pre}:customer:${u}`).lrange(`${pre}:customer:${u}:recent`, 0, -1);
    const res = (await pipe.exec())!.map(([, v]) => v);
    users.forEach((u, i) => {
      const evs = byUser.get(u)!;
      const [counters, last, recent] = [res[3 * i], res[3 * i + 1], res[3 * i + 2]] as [Record<string, string>, Record<string, string>, string[]];
      const buys = evs.filter((e) => e.eventType === 'PURCHASE');
      expect(counters).toEqual({
        events: String(evs.length),
        views: String(evs.filter((e) => e.eventType === 'VIEW').length),
        cartAdds: String(evs.filter((e) => e.eventType === 'ADD_TO_CART').reduce((a, e) => a + e.quantity, 0)),
        purchases: String(buys.length),
        spendCents: String(buys.reduce((a, e) => a + Math.round(e.price * e.quantity * 100), 0)),
      });
      const e = evs.at(-1)!;
      const prof = profiles.get(u);
      expect(last).toEqual({ lastSeen: String(e.ts), lastEvent: e.eventType, lastProduct: e.productId, lastDevice: e.device, tier: prof?.tier ?? 'unknown', city: prof?.city ?? 'unknown' });
      expect(recent).toEqual(evs.filter((x) => x.eventType === 'VIEW').slice(-10).reverse().map((x) => x.productId));
    });
  });

  it('clickstream-redis: each user\'s last minute of high-value cart adds, and units sold per product, exactly', async () => {
    edit('clickstream-redis.json');
    await run('clickstream-redis.json');
    const evs = events();
    const sold = new Map<string, number>();
    for (const e of evs) if (e.eventType === 'PURCHASE') sold.set(e.productId, (sold.get(e.productId) ?? 0) + e.quantity);
    const ranked = await r.zrange(`${pre}:top-products`, 0, -1, 'WITHSCORES');
    const got = new Map<string, number>();
    for (let i = 0; i < ranked.length; i += 2) got.set(ranked[i]!, Number(ranked[i + 1]));
    expect(got).toEqual(sold);

    // The hash holds each user's latest window (windows fire in time order per key).
    const latest = new Map<string, { end: number; adds: number; value: number }>();
    const windows = new Map<string, { adds: number; value: number }>();
    for (const e of evs) {
      if (e.eventType !== 'ADD_TO_CART' || e.price * e.quantity < 100) continue;
      const end = Math.floor(e.ts / 60_000) * 60_000 + 60_000;
      const w = windows.get(`${e.userId}|${end}`) ?? { adds: 0, value: 0 };
      w.adds++;
      w.value += e.price;
      windows.set(`${e.userId}|${end}`, w);
      const cur = latest.get(e.userId);
      if (!cur || end >= cur.end) latest.set(e.userId, { end, ...w });
    }
    expect(latest.size).toBeGreaterThan(10);
    const pipe = r.pipeline();
    for (const u of latest.keys()) pipe.hgetall(`${pre}:carts:${u}`);
    const hashes = (await pipe.exec())!.map(([, v]) => v as Record<string, string>);
    [...latest.values()].forEach((w, i) => {
      expect(hashes[i]).toEqual({ lastWindowEnd: String(w.end), adds: String(w.adds), value: String(Math.round(w.value * 100) / 100) });
    });
  });
});
