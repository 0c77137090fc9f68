// The Lua check-and-set behind sink.redis exactly-once, against the real Redis: each record of a
// transaction is applied once however the transaction is cut into chunks on each attempt (a crash
// between chunks, a restore with another batchSize), and nothing more once the lineage is final.
import { afterAll, describe, expect, it } from 'vitest';
import { COMMIT_LUA, commitArgs, markerKey } from '../../runtime/nodes/sink-redis/exactly-once.js';
import type { Command } from '../../runtime/nodes/sink-redis/commands.js';
import { cleanup, prefix, redis } from '../support/redis.js';

const r = redis();
const pre = prefix('commit');

afterAll(async () => {
  await cleanup(r, pre);
  r.disconnect();
});

/** Record i increments counter field f{i} by 1 (so a repeat shows as 2) and appends i to a list. */
const records = (key: string, n: number): Command[][] => Array.from({ length: n }, (_, i) => [['HINCRBY', `${key}:h`, `f${i}`, 1], ['RPUSH', `${key}:l`, String(i)]]);

async function commit(marker: string, first: number, items: Command[][], final: boolean): Promise<[number, string]> {
  return (await r.eval(COMMIT_LUA, 1, marker, ...commitArgs(first, items, final))) as [number, string];
}

/** Apply items[from..] in chunks of `size`, as ExactlyOnceRedisSink.apply does; stop after `stopAfter` chunks (a crash). */
async function applyChunks(marker: string, items: Command[][], size: number, final: boolean, stopAfter = Infinity): Promise<void> {
  const chunks = Math.ceil(items.length / size);
  for (let c = 0; c < Math.min(chunks, stopAfter); c++) await commit(marker, c * size, items.slice(c * size, (c + 1) * size), final && c === chunks - 1);
}

async function expectOnce(key: string, n: number): Promise<void> {
  const h = await r.hgetall(`${key}:h`);
  expect(Object.keys(h).length).toBe(n);
  expect(Object.values(h).every((v) => v === '1')).toBe(true);
  expect(await r.lrange(`${key}:l`, 0, -1)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
}

describe('sink.redis exactly-once commit script', () => {
  it('a crash between chunks, then a restore with a larger batchSize, applies each record once', async () => {
    const key = `${pre}:larger`;
    const marker = markerKey(key, 'lineage');
    const items = records(key, 10);
    await applyChunks(marker, items, 3, false, 2); // records 0..5 applied, then the process dies
    await applyChunks(marker, items, 4, false); // chunks 0..3, 4..7 (half applied), 8..9
    await expectOnce(key, 10);
    expect(await r.get(marker)).toBe('10:N');
  });

  it('a restore with a smaller batchSize re-sends nothing already applied', async () => {
    const key = `${pre}:smaller`;
    const marker = markerKey(key, 'lineage');
    const items = records(key, 10);
    await applyChunks(marker, items, 5, false, 1);
    await applyChunks(marker, items, 2, false);
    await applyChunks(marker, items, 10, false); // and once more in one chunk
    await expectOnce(key, 10);
  });

  it('once a final chunk is applied, the lineage takes nothing more', async () => {
    const key = `${pre}:final`;
    const marker = markerKey(key, 'lineage');
    const items = records(key, 6);
    await applyChunks(marker, items, 4, true);
    expect(await r.get(marker)).toBe('6:F');
    expect(await commit(marker, 6, records(key, 8).slice(6), false)).toEqual([0, '']);
    await expectOnce(key, 6);
  });

  it('a command Redis refuses is reported, and the chunk counts as applied', async () => {
    const key = `${pre}:refused`;
    const marker = markerKey(key, 'lineage');
    await r.set(`${key}:h`, 'a string');
    const [applied, refused] = await commit(marker, 0, records(key, 1), false);
    expect(applied).toBe(1);
    expect(refused).toMatch(/^HINCRBY .*:h: WRONGTYPE/);
  });
});
