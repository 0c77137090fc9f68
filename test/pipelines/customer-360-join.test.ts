// pipelines/customer-360-join.json: views and clicks interval-joined with the same user's orders
// up to 30 minutes later, into per-user Redis hashes. Checked against the pairs the stated rule
// gives on the generator's own events, on a private key prefix.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { generatorEvents } from '../support/generator.js';
import { copyOfPipelines } from '../support/pipelines.js';
import { cleanup, keysMatching, prefix, redis } from '../support/redis.js';

const FILE = 'customer-360-join.json';
const WINDOW = 30 * 60_000;
const r = redis();
const pre = prefix('c360join');

afterAll(async () => {
  await cleanup(r, pre);
  r.disconnect();
});

describe('customer-360-join pipeline', () => {
  it('counts every touch in the 30 minutes before an order, per user and channel', async () => {
    const dir = copyOfPipelines();
    const path = join(dir, FILE);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    for (const n of doc.nodes) if (n.type === 'sink.redis') n.params.key = `${pre}:${n.params.key}`;
    writeFileSync(path, JSON.stringify(doc));
    const res = await runCli(['run', FILE, '--trust'], { cwd: dir, timeout: 90_000 });
    expect(res.code, res.stderr).toBe(0);

    const { events } = generatorEvents(FILE);
    const channel = (device: string) => (device === 'mobile' ? 'app' : 'web');
    const touches = events.filter((e) => e.eventType === 'VIEW' || e.eventType === 'CLICK');
    const orders = events.filter((e) => e.eventType === 'PURCHASE');
    const byUser = new Map<string, typeof touches>();
    for (const t of touches) byUser.set(t.userId, [...(byUser.get(t.userId) ?? []), t]);
    const expected = new Map<string, { touchesBeforeOrders: number; webTouches: number; appTouches: number; sameProductTouches: number }>();
    const pairs = new Map<string, Set<string>>();
    for (const o of orders) {
      for (const t of byUser.get(o.userId) ?? []) {
        if (o.ts - t.ts < 0 || o.ts - t.ts > WINDOW) continue;
        const c = expected.get(o.userId) ?? { touchesBeforeOrders: 0, webTouches: 0, appTouches: 0, sameProductTouches: 0 };
        c.touchesBeforeOrders++;
        if (channel(t.device) === 'web') c.webTouches++;
        else c.appTouches++;
        if (t.productId === o.productId) c.sameProductTouches++;
        expected.set(o.userId, c);
        const s = pairs.get(o.userId) ?? new Set<string>();
        s.add(`${o.ts}|${o.productId}|${channel(t.device)}|${t.ts}`);
        pairs.set(o.userId, s);
      }
    }
    expect(expected.size).toBeGreaterThan(50);

    const counterKeys = await keysMatching(r, `${pre}:customer360:*:counters`);
    expect(counterKeys.length).toBe(expected.size);
    for (const [user, c] of expected) {
      const got = await r.hgetall(`${pre}:customer360:${user}:counters`);
      expect(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, Number(v)])), user).toEqual(c);
      // The last attributed order is one of this user's pairs.
      const last = await r.hgetall(`${pre}:customer360:${user}`);
      expect(pairs.get(user)!.has(`${last.lastOrderTs}|${last.lastOrderProduct}|${last.lastTouchChannel}|${last.lastTouchTs}`), user).toBe(true);
    }
  }, 120_000);
});
