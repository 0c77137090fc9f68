// Parallel windows receive only the fields they read (columns), and a file source feeding them
// decodes keeping only those fields: whatever the aggregates, and whatever a field holds (numbers,
// -0, strings, null, objects, or nothing at all), the results must be those of parallelism 1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoc, sinkLines } from '../support/run-doc.js';

function input(dir: string): void {
  const lines: string[] = [];
  let seed = 11;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const mixed = [1, -0, 0, 2.5, 'two', null, '', { x: 1 }, [1, 'a'], true, 'é☃'];
  for (let i = 0; i < 10_000; i++) {
    const rec: Record<string, unknown> = { ts: 1_767_225_600_000 + i * 11 - Math.floor(rnd() * 900), user: i % 7 === 0 ? i % 5 : `u${i % 40}` };
    // `v` is sometimes a number, sometimes not, sometimes absent; `n` always a number (or -0).
    if (rnd() < 0.85) rec.v = mixed[Math.floor(rnd() * mixed.length)];
    rec.n = rnd() < 0.1 ? -0 : Math.round(rnd() * 1000) / 10;
    rec.nested = rnd() < 0.2 ? null : { price: rnd() < 0.5 ? Math.round(rnd() * 100) : null, tag: 't' };
    rec.pad = 'x'.repeat(Math.floor(rnd() * 20));
    let s = JSON.stringify(rec);
    // Keys written with escapes, duplicated (the last one counts) or spaced out.
    if (i % 17 === 0) s = s.replace('"user"', '"\\u0075ser"');
    if (i % 23 === 0) s = s.replace('{', '{"n":"dup first",');
    if (i % 29 === 0) s = s.replace(/,/g, ' ,\t');
    lines.push(s);
  }
  writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
}

function doc(parallelism: number, tag: string, window: object) {
  return {
    format: 'tributary.pipeline/v1',
    name: 'projection-mixed',
    settings: { parallelism },
    nodes: [
      { id: 'src', type: 'source.file', params: { path: 'events.jsonl', eventTime: { field: 'ts', maxOutOfOrderness: '1s' } } },
      { id: 'key', type: 'keyBy', params: { key: 'user' } },
      { id: 'win', type: 'window', params: window },
      { id: 'out', type: 'sink.file', params: { path: `${tag}-out.jsonl` } },
    ],
    edges: [
      { from: 'src', to: 'key' },
      { from: 'key', to: 'win' },
      { from: 'win', to: 'out' },
    ],
  };
}

async function run(dir: string, parallelism: number, tag: string, window: object) {
  const r = await runDoc(dir, doc(parallelism, tag, window));
  expect(r.outcome, String(r.error)).toBe('finished');
  return { out: sinkLines(dir, `${tag}-out.jsonl`, true), notes: r.notes };
}

const CASES: Record<string, object> = {
  'first/last/collect/topK/countDistinct of a mixed field': {
    assigner: { kind: 'tumbling', size: '5s' },
    aggregates: { f: { fn: 'first', field: 'v' }, l: { fn: 'last', field: 'v' }, c: { fn: 'collect', field: 'v' }, t: { fn: 'topK', field: 'v', k: 3 }, d: { fn: 'countDistinct', field: 'v' }, nn: { fn: 'count', field: 'v' } },
  },
  'numbers with -0, nested fields, the key and the timestamp as fields': {
    assigner: { kind: 'sliding', size: '6s', slide: '2s' },
    aggregates: { s: { fn: 'sum', field: 'n' }, lo: { fn: 'min', field: 'n' }, hi: { fn: 'max', field: 'n' }, p: { fn: 'avg', field: 'nested.price' }, u: { fn: 'last', field: 'user' }, t0: { fn: 'first', field: 'ts' }, nested: { fn: 'collect', field: 'nested' } },
  },
  // Records lack these fields, so the window reads what every object inherits (a function, which
  // cannot be posted to another thread): such windows must take whole records.
  'fields every object inherits': {
    assigner: { kind: 'tumbling', size: '5s' },
    aggregates: { c: { fn: 'count', field: 'constructor' }, s: { fn: 'countDistinct', field: 'user' } },
  },
  'session windows and whole records': {
    assigner: { kind: 'session', gap: '300ms' },
    aggregates: { n: { fn: 'count' }, rec: { fn: 'last' } },
  },
};

describe('parallel windows reading some fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-projection-mixed-'));
  input(dir);
  for (const [name, window] of Object.entries(CASES)) {
    it(`give the results of parallelism 1: ${name}`, async () => {
      const tag = name.replace(/\W+/g, '-');
      const one = await run(dir, 1, `${tag}-p1`, window);
      expect(one.out.length).toBeGreaterThan(200);
      for (const p of [2, 3]) {
        const r = await run(dir, p, `${tag}-p${p}`, window);
        expect(r.out).toEqual(one.out);
        // Cases reading named fields only (not inherited names, not whole records), so the source keeps just those.
        const projected = r.notes.some((n) => n.startsWith("node 'src' decodes in worker threads"));
        expect(projected).toBe(!/inherits|whole records/.test(name));
      }
    });
  }
});
