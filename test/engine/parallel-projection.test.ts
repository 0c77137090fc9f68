// A file source feeding parallel keyed windows through a keyBy decodes in worker threads keeping
// only the fields the windows read; every output (results, the source's errors) must still be
// those of parallelism 1, and a window that hands whole records on must get whole records.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoc, sinkLines } from '../support/run-doc.js';

function input(dir: string): void {
  const lines: string[] = [];
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 60_000; i++) {
    const ts = 1_767_225_600_000 + i * 7 - Math.floor(rnd() * 1500);
    if (i % 1001 === 5) lines.push('{"userId":"u1","ts":');
    else if (i % 997 === 3) lines.push(JSON.stringify({ userId: `u${i % 50}`, ts: 'never', price: 1, extra: { i } }));
    else if (i % 89 === 1) lines.push(JSON.stringify({ userId: `u${i % 300}`, ts, note: 'no price' }));
    else lines.push(JSON.stringify({ eventId: i, ts, userId: i % 13 === 0 ? i % 7 : `u${i % 300}`, price: Math.round(rnd() * 10000) / 100, device: 'mobile', tags: ['a', 'é'] }));
  }
  writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
}

function doc(parallelism: number, tag: string, aggregates: object, late: boolean) {
  return {
    format: 'tributary.pipeline/v1',
    name: 'projection',
    settings: { parallelism },
    nodes: [
      { id: 'src', type: 'source.file', params: { path: 'events.jsonl', eventTime: { field: 'ts', maxOutOfOrderness: '1s' } } },
      { id: 'key', type: 'keyBy', params: { key: 'userId' } },
      { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '10s' }, aggregates } },
      { id: 'out', type: 'sink.file', params: { path: `${tag}-out.jsonl` } },
      { id: 'bad', type: 'sink.file', params: { path: `${tag}-bad.jsonl` } },
      ...(late ? [{ id: 'lateOut', type: 'sink.file', params: { path: `${tag}-late.jsonl` } }] : []),
    ],
    edges: [
      { from: 'src', to: 'key' },
      { from: 'src', fromPort: 'errors', to: 'bad' },
      { from: 'key', to: 'win' },
      { from: 'win', to: 'out' },
      ...(late ? [{ from: 'win', fromPort: 'late', to: 'lateOut' }] : []),
    ],
  };
}

async function run(dir: string, parallelism: number, tag: string, aggregates: object, late = false) {
  const r = await runDoc(dir, doc(parallelism, tag, aggregates, late));
  expect(r.outcome, String(r.error)).toBe('finished');
  const read = (what: string) => sinkLines(dir, `${tag}-${what}.jsonl`, true);
  return { out: read('out'), bad: read('bad'), late: late ? read('late') : [], notes: r.notes };
}

describe('projected decoding for parallel windows', () => {
  it('gives the results and source errors of parallelism 1, at parallelism 2 and 4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-projection-'));
    input(dir);
    const aggs = { n: { fn: 'count' }, spend: { fn: 'sum', field: 'price' }, top: { fn: 'max', field: 'price' }, priced: { fn: 'count', field: 'price' } };
    const one = await run(dir, 1, 'p1', aggs);
    expect(one.out.length).toBeGreaterThan(1000);
    expect(one.bad.length).toBeGreaterThan(100);
    for (const p of [2, 4]) {
      const r = await run(dir, p, `p${p}`, aggs);
      expect(r.notes, r.notes.join("\n")).toContain("node 'src' decodes in worker threads, keeping only the fields read downstream: price, ts, userId");
      expect(r.out).toEqual(one.out);
      expect(r.bad).toEqual(one.bad);
    }
  });

  it('keeps whole records where a window hands them on (late port, collect)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-projection-'));
    input(dir);
    const aggs = { n: { fn: 'count' }, last: { fn: 'last' } };
    const one = await run(dir, 1, 'p1', aggs, true);
    const two = await run(dir, 2, 'p2', aggs, true);
    expect(two.notes.some((n) => n.includes('decodes in worker threads'))).toBe(false);
    expect(two.out).toEqual(one.out);
    expect(two.late).toEqual(one.late);
    expect(one.out.some((l) => l.includes('"device":"mobile"'))).toBe(true);
  });
});
