// lookup.redis on Flink (Async I/O on Jedis) against the embedded node, both reading the same
// keys of the real Redis: hashes merged and under `as`, strings, JSON objects, arrays and broken
// JSON, missing keys, keys of the wrong type, records without the key's field, ordered and
// unordered, with and without a cache. Every `out` and `errors` file compared record for record.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flinkProblems } from '../../runtime/format/flink.js';
import { compiled, flinkJar, runEmbedded, runOnFlinkAsync, validated } from '../support/flink.js';
import { rng } from '../support/cep.js';
import { cleanup, prefix, redis } from '../support/redis.js';
import type { PipelineDoc } from '../support/run.js';
import { compare, retarget, sinkFiles } from './compare.js';

const r = redis();
const pre = prefix('flink-lookup');

/** The parser's own words after "not valid JSON: " differ (V8's and Jackson's; docs/flink.md). */
const sameJsonErrors = (line: string) => line.replace(/(the value is not valid JSON)[^"\\]*(?:\\.[^"\\]*)*"/, '$1"');

async function seed(): Promise<void> {
  const p = r.pipeline();
  for (let u = 0; u < 40; u++) {
    if (u % 5 !== 4) p.hset(`${pre}:user:${u}`, { name: `user ${u}`, tier: u % 3 === 0 ? 'gold' : 'basic', '7': 'seven', n: String(u) });
    if (u % 4 !== 3) p.set(`${pre}:str:${u}`, u % 2 === 0 ? `s${u} é😀` : '');
    const json = [JSON.stringify({ score: u / 4, tags: ['a', u], n: null }), JSON.stringify([u, u + 1]), '{"broken": ', JSON.stringify(`text ${u}`), 'null'][u % 5]!;
    p.set(`${pre}:json:${u}`, json);
    p.rpush(`${pre}:list:${u}`, 'x');
  }
  await p.exec();
}

function input(dir: string): string {
  const rand = rng(17);
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const rec: Record<string, unknown> = { id: i, ts: 1_000_000 + i * 100 - Math.floor(rand() * 300), name: 'original', n: -1 };
    if (rand() > 0.03) rec.userId = Math.floor(rand() * 45);
    lines.push(JSON.stringify(rec));
  }
  const file = join(dir, 'in.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function pipeline(dir: string, src: string): PipelineDoc {
  const lookups: Record<string, Record<string, unknown>> = {
    hashMerged: { key: `${pre}:user:{userId}`, kind: 'hash', cacheTtl: '1m', capacity: 50 },
    hashAs: { key: `${pre}:user:{userId}`, kind: 'hash', as: 'profile', ordered: false, capacity: 3 },
    str: { key: `${pre}:str:{userId}`, kind: 'string', as: 's', cacheTtl: '10s', cacheSize: 5 },
    jsonAs: { key: `${pre}:json:{userId}`, kind: 'json', as: 'j', ordered: false },
    jsonMerged: { key: `${pre}:json:{userId}`, kind: 'json', capacity: 1 },
    wrongType: { key: `${pre}:list:{userId}`, kind: 'hash', as: 'h' },
  };
  const nodes: PipelineDoc['nodes'] = [{ id: 'src', type: 'source.file', params: { path: src, eventTime: { field: 'ts', maxOutOfOrderness: 500 } } }];
  const edges: PipelineDoc['edges'] = [];
  for (const [id, params] of Object.entries(lookups)) {
    nodes.push(
      { id, type: 'lookup.redis', params },
      { id: `${id}Out`, type: 'sink.file', params: { path: join(dir, `out-${id}.jsonl`) } },
      { id: `${id}Errors`, type: 'sink.file', params: { path: join(dir, `errors-${id}.jsonl`) } },
    );
    edges.push({ from: 'src', to: id }, { from: id, to: `${id}Out` }, { from: id, fromPort: 'errors', to: `${id}Errors` });
  }
  return { name: 'lookup-redis', nodes, edges };
}

describe('lookup.redis on Flink agrees with the embedded node', () => {
  beforeAll(async () => {
    flinkJar();
    await seed();
  }, 900_000);

  afterAll(async () => {
    await cleanup(r, pre);
    r.disconnect();
  });

  it('hash, string and json lookups, merged and under `as`, ordered and unordered, cached or not, with their errors', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-lookup-'));
    const emb = join(root, 'embedded');
    const fl = join(root, 'flink');
    mkdirSync(emb);
    mkdirSync(fl);
    const doc = pipeline(emb, input(root));
    expect(flinkProblems(validated(doc as never))).toEqual([]);
    await runEmbedded(doc, root);
    await runOnFlinkAsync(compiled(retarget(doc, emb, fl) as never, root));
    const files = sinkFiles(doc);
    compare(files, (f) => f.replace(emb, fl), sameJsonErrors);
    const count = (name: string) => readFileSync(join(emb, name), 'utf8').split('\n').length - 1;
    // Every kind of outcome happened: merged and `as` values, missing keys, each error.
    expect(count('out-hashMerged.jsonl')).toBeGreaterThan(500);
    expect(readFileSync(join(emb, 'out-hashMerged.jsonl'), 'utf8')).toContain('"tier":"gold"');
    expect(readFileSync(join(emb, 'out-jsonAs.jsonl'), 'utf8')).toContain('"j":[');
    expect(readFileSync(join(emb, 'errors-jsonMerged.jsonl'), 'utf8')).toContain('not an object to merge');
    expect(readFileSync(join(emb, 'errors-jsonAs.jsonl'), 'utf8')).toContain('not valid JSON');
    expect(readFileSync(join(emb, 'errors-wrongType.jsonl'), 'utf8')).toContain('WRONGTYPE');
    expect(readFileSync(join(emb, 'errors-str.jsonl'), 'utf8')).toContain('has no');
  }, 300_000);
});
