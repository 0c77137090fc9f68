// Parallel process nodes whose code reads its record only through plain field access (`event.x`)
// receive just those fields (columns), and a file source feeding them through a keyBy decodes
// keeping only those: per key, every output must still be that of parallelism 1, whatever a field
// holds or whether a record has it at all. Code that could see the record whole, or a connected
// `errors` port (which quotes the record), keeps whole records.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldsRead } from '../../runtime/engine/parallel/projection.js';
import { validatePipeline } from '../../runtime/format/validate.js';
import { examplePipelines } from '../support/pipelines.js';
import { runDoc, sinkLines } from '../support/run-doc.js';

function input(dir: string): void {
  const lines: string[] = [];
  let seed = 13;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const mixed = [1, -0, 2.5, 'two', null, '', { x: 1 }, [1, 'a'], true, 'é☃'];
  for (let i = 0; i < 8000; i++) {
    const rec: Record<string, unknown> = { eventId: i, ts: 1_767_225_600_000 + i * 13 - Math.floor(rnd() * 900), user: i % 7 === 0 ? i % 5 : `u${i % 60}` };
    // `v` holds anything or is absent; `n` is a number (sometimes -0) or absent; the rest is width.
    if (rnd() < 0.8) rec.v = mixed[Math.floor(rnd() * mixed.length)];
    if (rnd() < 0.9) rec.n = rnd() < 0.1 ? -0 : Math.round(rnd() * 1000) / 10;
    rec.nested = rnd() < 0.2 ? null : { tag: `t${i % 4}`, deep: { a: [1, 2] } };
    rec.device = 'mobile';
    rec.pad = 'x'.repeat(Math.floor(rnd() * 40));
    rec.tags = ['a', 'b', i % 3];
    lines.push(JSON.stringify(rec));
  }
  writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
}

const OPEN = "this.seen = ctx.state.value('seen'); this.sum = ctx.state.value('sum');";
// Per key: a running count and sum, a field written on the record and read back, an event-time
// timer; `i` orders each key's outputs, so comparing sorted lines also compares per-key order.
const READS_FIELDS = [
  'const i = (this.seen.value() ?? 0) + 1;',
  'this.seen.update(i);',
  "if (typeof event.n === 'number') this.sum.update((this.sum.value() ?? 0) + event.n);",
  'event.mark = i % 3;',
  'ctx.emit({ user: event.user, i, v: event.v, hasV: event.v !== undefined, hasN: event.n !== undefined, n: event.n, sum: this.sum.value(), tag: event.nested?.tag, mark: event.mark, t: ctx.timestamp });',
  'if (i === 1) ctx.timers.eventTime(ctx.timestamp + 5000);',
].join('\n');
const ON_TIMER = "ctx.emit({ user: ctx.key, at: timer.timestamp, seen: this.seen.value() }, 'side');";
// Throws on objects in `v`: with `errors` connected, each error quotes its whole record.
const THROWS = `if (event.v !== null && typeof event.v === 'object' && !Array.isArray(event.v)) throw new Error('v is an object');\n${READS_FIELDS}`;
const WHOLE = "const i = (this.seen.value() ?? 0) + 1;\nthis.seen.update(i);\nctx.emit({ ...event, i });";

function doc(parallelism: number, tag: string, code: string, errors: boolean) {
  return {
    format: 'tributary.pipeline/v1',
    name: 'projection-process',
    settings: { parallelism },
    nodes: [
      { id: 'src', type: 'source.file', params: { path: 'events.jsonl', eventTime: { field: 'ts', maxOutOfOrderness: '1s' } } },
      { id: 'key', type: 'keyBy', params: { key: 'user' } },
      { id: 'proc', type: 'process', params: { code, open: OPEN, onTimer: ON_TIMER } },
      { id: 'out', type: 'sink.file', params: { path: `${tag}-out.jsonl` } },
      { id: 'side', type: 'sink.file', params: { path: `${tag}-side.jsonl` } },
      ...(errors ? [{ id: 'bad', type: 'sink.file', params: { path: `${tag}-bad.jsonl` } }] : []),
    ],
    edges: [
      { from: 'src', to: 'key' },
      { from: 'key', to: 'proc' },
      { from: 'proc', to: 'out' },
      { from: 'proc', fromPort: 'side', to: 'side' },
      ...(errors ? [{ from: 'proc', fromPort: 'errors', to: 'bad' }] : []),
    ],
  };
}

async function run(dir: string, parallelism: number, tag: string, code: string, errors = false) {
  const r = await runDoc(dir, doc(parallelism, tag, code, errors));
  expect(r.outcome, String(r.error)).toBe('finished');
  const read = (what: string) => sinkLines(dir, `${tag}-${what}.jsonl`, true);
  return { out: read('out'), side: read('side'), bad: errors ? read('bad') : [], notes: r.notes };
}

const decodes = (notes: readonly string[]) => notes.find((n) => n.startsWith("node 'src' decodes in worker threads"));

describe('parallel process nodes reading some fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-projection-process-'));
  input(dir);

  it('get only the fields their code reads, and give the results of parallelism 1', async () => {
    const one = await run(dir, 1, 'fields-p1', READS_FIELDS);
    const two = await run(dir, 2, 'fields-p2', READS_FIELDS);
    // The key, the fields read (`mark` is written, then read back) and the timestamp.
    expect(decodes(two.notes)).toBe("node 'src' decodes in worker threads, keeping only the fields read downstream: mark, n, nested, ts, user, v");
    expect(one.out.length).toBe(8000);
    expect(one.out.some((l) => l.includes('"hasV":false'))).toBe(true);
    expect(one.out.some((l) => l.includes('"hasN":false'))).toBe(true);
    expect(one.side.length).toBeGreaterThan(60);
    expect(two.out).toEqual(one.out);
    expect(two.side).toEqual(one.side);
  });

  it('get whole records when the errors port is connected, which quotes them', async () => {
    const one = await run(dir, 1, 'errors-p1', THROWS, true);
    const two = await run(dir, 2, 'errors-p2', THROWS, true);
    expect(decodes(two.notes)).toBeUndefined();
    expect(one.bad.length).toBeGreaterThan(100);
    expect(one.bad.every((l) => l.includes('"pad":'))).toBe(true);
    expect(two.bad).toEqual(one.bad);
    expect(two.out).toEqual(one.out);
    expect(two.side).toEqual(one.side);
  });

  it('get whole records when the code uses the record whole', async () => {
    const one = await run(dir, 1, 'whole-p1', WHOLE);
    const two = await run(dir, 2, 'whole-p2', WHOLE);
    expect(decodes(two.notes)).toBeUndefined();
    expect(one.out.every((l) => l.includes('"device":"mobile"'))).toBe(true);
    expect(two.out).toEqual(one.out);
  });
});

describe('fieldsRead for process nodes', () => {
  const session = examplePipelines().find((e) => e.file === 'session-recommendations.json')!.doc as { nodes: { id: string; type: string; params: object }[]; edges: object[] };
  const node = (d: typeof session, id: string) => {
    const { pipeline, problems } = validatePipeline(d);
    if (!pipeline) throw new Error(JSON.stringify(problems));
    return { n: pipeline.nodes.find((x) => x.id === id)!, pipeline };
  };

  it('reads the fields of the session-recommendations process nodes', () => {
    for (const [id, fields] of [
      ['recentViews', ['category', 'eventType', 'productId', 'userId']],
      ['coViews', ['category', 'productId', 'recentlyViewed', 'sameCategory', 'ts', 'userId']],
    ] as const) {
      const { n, pipeline } = node(session, id);
      expect(fieldsRead(n, pipeline)).toEqual(fields);
    }
  });

  it('gives null with the errors port connected, or when open or onTimer could reach the record', () => {
    const withErrors = { ...session, nodes: [...session.nodes, { id: 'bad', type: 'sink.console', params: {} }], edges: [...session.edges, { from: 'coViews', fromPort: 'errors', to: 'bad' }] };
    const { n, pipeline } = node(withErrors, 'coViews');
    expect(fieldsRead(n, pipeline)).toBeNull();
    const reaching = { ...session, nodes: session.nodes.map((x) => (x.id === 'coViews' ? { ...x, params: { ...x.params, onTimer: 'this.f = function f() { return f.caller; };' } } : x)) };
    const r = node(reaching, 'coViews');
    expect(fieldsRead(r.n, r.pipeline)).toBeNull();
  });
});
