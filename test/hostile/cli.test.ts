// Hostile pipelines through the real CLI: each ends with exit 0, 1 or 2 and a message naming what
// is wrong, within a time bound, inside a memory bound (the child's heap is capped, so a run that
// would grow past it dies with a different exit and fails the test).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../runtime/cli/main.js';
import { loadPipelineText } from '../../runtime/host/load.js';
import { runCli } from '../support/cli.js';

const HEAP = { NODE_OPTIONS: '--max-old-space-size=384' };

type Node = { id: string; type: string; params?: Record<string, unknown> };
type Edge = { from: string; to: string; fromPort?: string; toPort?: string };

function doc(nodes: Node[], edges: Edge[], format = 'tributary.pipeline/v1'): string {
  return JSON.stringify({ format, nodes, edges }, null, 2);
}

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'tributary-hostile-cli-'));
}

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const gen = (params: Record<string, unknown> = {}): Node => ({ id: 'g', type: 'source.generator', params: { count: 5, rate: 0, ...params } });
const out: Node = { id: 'out', type: 'sink.console' };

/**
 * `tributary validate` in this process: the CLI's own entry point with its exit code and stderr,
 * without a process start each (validation neither grows the heap nor exits early).
 */
async function validate(text: string, name = 'p.json'): Promise<{ code: number; stderr: string }> {
  const dir = folder();
  let stderr = '';
  const sink = () => new Writable({ write: (c: Buffer, _e, done) => { stderr += c.toString(); done(); } });
  const code = await main(['validate', write(dir, name, text)], { stdout: sink(), stderr: sink(), stdin: Readable.from([]) });
  return { code, stderr };
}

describe('hostile pipelines are refused at validation (exit 2, node and path named)', () => {
  it('every bound in one pipeline: windows per record, Infinity durations, timer durations, fan-in, sources, CEP repeats, generator rate, a data: URL, a folder path', async () => {
    const nines = '9'.repeat(400);
    const nodes: Node[] = [
      { id: 'u', type: 'union' },
      { id: 'k', type: 'keyBy', params: { key: 'userId' } },
      { id: 'w', type: 'window', params: { assigner: { kind: 'sliding', size: '2d', slide: '1ms' }, aggregates: { n: { fn: 'count' } } } },
      { id: 'h', type: 'sink.http', params: { url: 'http://127.0.0.1:9/x', timeout: `${nines}s`, backoff: '30d' } },
      { id: 'c', type: 'cep', params: { pattern: [{ name: 'a', where: "eventType == 'VIEW'", quantifier: { min: 1, max: 1e9 } }] } },
      { id: 'd', type: 'sink.http', params: { url: 'data:text/plain,x' } },
      { id: 'f', type: 'sink.file', params: { path: '.' } },
      { id: 'r', type: 'source.generator', params: { rate: 1e-300, disorder: `${nines}ms` } },
      out,
    ];
    const edges: Edge[] = [{ from: 'u', to: 'k' }, { from: 'k', to: 'w' }, { from: 'w', to: 'h' }, { from: 'r', to: 'c' }, { from: 'c', to: 'd' }, { from: 'c', to: 'f' }, { from: 'k', to: 'out' }];
    for (let i = 0; i < 5000; i++) {
      nodes.push({ id: `g${i}`, type: 'source.generator', params: { count: 1, rate: 0 } });
      edges.push({ from: `g${i}`, to: 'u' });
    }
    const r = await validate(doc(nodes, edges));
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n');
    const has = (re: RegExp) => expect(lines.some((l) => re.test(l)), String(re)).toBe(true);
    has(/^w \$\.nodes\[2\]\.params\.assigner\.slide: .*172,800,000 windows; the limit is 10,000.*tumbling/);
    has(/^h \$\.nodes\[3\]\.params\.timeout: duration .* is longer than 100 years/);
    has(/^h \$\.nodes\[3\]\.params\.backoff: duration "30d" is longer than 24\.8 days .* the longest a timer can wait/);
    has(/^r \$\.nodes\[7\]\.params\.disorder: duration .* is longer than 100 years/);
    has(/^r \$\.nodes\[7\]\.params\.rate: a rate below 0\.001/);
    has(/^c \$\.nodes\[4\]\.params\.pattern\[0\]\.quantifier\.max: at most 1000: the pattern has one state per repetition/);
    has(/^d \$\.nodes\[5\]\.params\.url: url must start with http:\/\/ or https:\/\//);
    has(/^f \$\.nodes\[6\]\.params\.path: path names a folder, not a file/);
    has(/^u \$\.nodes\[0\]: input 'in' has 5000 edges; the limit is 256/);
    has(/the pipeline has 5000 sources; the limit is 256/); // r is invalid, so not counted
  });

  it('200,000 `[`: exit 2 with a message, no stack trace', async () => {
    const r = await validate('['.repeat(200_000));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nested more than 256 levels deep \(line 1, column 257\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a format version spelt other than exactly: exit 2', async () => {
    const r = await validate(doc([gen(), out], [{ from: 'g', to: 'out' }], 'tributary.pipeline/v01'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\$\.format: not a Tributary pipeline/);
    // The other spellings, without a process each.
    for (const v of ['tributary.pipeline/v1 ', 'tributary.pipeline/v1.0', 'tributary.pipeline/v1e0', 'tributary.pipeline/v+1']) {
      expect(loadPipelineText(doc([gen(), out], [{ from: 'g', to: 'out' }], v)).problems, v).toEqual([expect.objectContaining({ path: '$.format' })]);
    }
  });

  it('a UTF-8 BOM before the pipeline is accepted', async () => {
    const r = await validate(`\uFEFF${doc([gen(), out], [{ from: 'g', to: 'out' }])}`);
    expect(r.stderr).toMatch(/valid \(2 nodes, 1 edges\)/);
    expect(r.code).toBe(0);
  });
});

describe('hostile pipelines that run: bounded time and memory, every record accounted for', () => {
  it('a chain of 10,000 maps, and a CEP quantifier of max 1000 over a short input, finish promptly', async () => {
    const dir = folder();
    const nodes: Node[] = [gen({ count: 300, users: 3 }), { id: 'k', type: 'keyBy', params: { key: 'userId' } }, { id: 'c', type: 'cep', params: { pattern: [{ name: 'a', where: "eventType == 'VIEW'", quantifier: { min: 1, max: 1000 } }, { name: 'b', where: "eventType == 'PURCHASE'" }] } }, { id: 'cf', type: 'sink.file', params: { path: 'm.jsonl' } }];
    const edges: Edge[] = [{ from: 'g', to: 'k' }, { from: 'k', to: 'c' }, { from: 'c', to: 'cf' }];
    nodes.push({ id: 'g2', type: 'source.generator', params: { count: 3, rate: 0 } });
    let prev = 'g2';
    for (let i = 0; i < 10_000; i++) {
      nodes.push({ id: `m${i}`, type: 'map', params: { expression: `{...event, i: ${i}}` } });
      edges.push({ from: prev, to: `m${i}` });
      prev = `m${i}`;
    }
    nodes.push({ id: 'f', type: 'sink.file', params: { path: 'chain.jsonl' } });
    edges.push({ from: prev, to: 'f' });
    const r = await runCli(['run', '-q', write(dir, 'p.json', doc(nodes, edges))], { env: HEAP, timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = readFileSync(join(dir, 'chain.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).i)).toEqual([9999, 9999, 9999]);
    expect(readFileSync(join(dir, 'm.jsonl'), 'utf8').length).toBeGreaterThan(0);
  });

  it('JSONL nested 10^4..10^6 deep, 1e400 timestamps, unwritable records: rows out + errors = rows in, no substitutes', async () => {
    const dir = folder();
    const deep = (n: number) => `{"ts":1,"d":${'['.repeat(n)}${']'.repeat(n)}}`;
    const lines = ['{"ts":1,"n":1}', deep(10_000), '{"ts":2,"n":2}', deep(1_000_000), '{"ts":1e400,"n":3}', '{"ts":3,"n":4,"big":true}', '{"ts":4,"n":5}'];
    write(dir, 'in.jsonl', `\uFEFF${lines.join('\n')}\n`);
    const map = { id: 'm', type: 'map', params: { code: 'return event.big ? { ...event, big: 10n } : event;' } };
    const p = write(dir, 'p.json', doc([
      { id: 's', type: 'source.file', params: { path: 'in.jsonl', eventTime: { field: 'ts' } } },
      map,
      { id: 'f', type: 'sink.file', params: { path: 'out.jsonl' } },
      { id: 'u', type: 'union' },
      { id: 'e', type: 'sink.file', params: { path: 'errors.jsonl' } },
    ], [{ from: 's', to: 'm' }, { from: 'm', to: 'f' }, { from: 's', fromPort: 'errors', to: 'u' }, { from: 'f', fromPort: 'errors', to: 'u' }, { from: 'u', to: 'e' }]));
    const r = await runCli(['run', '-q', '--trust', p], { env: HEAP, timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const written = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const errors = readFileSync(join(dir, 'errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(written.map((x) => x.n)).toEqual([1, 2, 5]);
    expect(written.every((x) => !('unprintable' in x))).toBe(true);
    expect(written.length + errors.length).toBe(lines.length);
    const by = (node: string) => errors.filter((e) => e.node === node).map((e) => e.error as string);
    expect(by('s')).toEqual([
      expect.stringMatching(/^line 2: nested more than 1000 levels deep/),
      expect.stringMatching(/^line 4: nested more than 1000 levels deep/),
      expect.stringMatching(/^line 5: field 'ts' must be .* got Infinity/),
    ]);
    expect(by('f')).toEqual([expect.stringMatching(/cannot write the record as JSON: .*BigInt/)]);
    expect(errors.find((e) => e.node === 'f').record).toMatch(/"big":10n/);
  });

  it('a CSV with quoting errors: 4 rows and 1 error from the issue\'s 5 rows', async () => {
    const dir = folder();
    write(dir, 'in.csv', 'id,name,n\n1,a,1\n2,"x"y,2\n3,c,3\n4,"ok, comma",4\n5,e,5\n');
    const p = write(dir, 'p.json', doc([
      { id: 's', type: 'source.file', params: { path: 'in.csv', format: 'csv' } },
      { id: 'f', type: 'sink.file', params: { path: 'out.jsonl' } },
      { id: 'e', type: 'sink.file', params: { path: 'errors.jsonl' } },
    ], [{ from: 's', to: 'f' }, { from: 's', fromPort: 'errors', to: 'e' }]));
    const r = await runCli(['run', '-q', p], { env: HEAP, timeout: 60_000 });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([1, 3, 4, 5]);
    const errs = readFileSync(join(dir, 'errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(errs).toEqual([expect.objectContaining({ node: 's', line: 3, record: '2,"x"y,2' })]);
  });
});

describe('sink.file and its folder', () => {
  it('a path naming an existing folder fails before any temporary file is written', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'outdir'));
    const p = write(dir, 'p.json', doc([gen(), { id: 'f', type: 'sink.file', params: { path: 'outdir' } }], [{ from: 'g', to: 'f' }]));
    const r = await runCli(['run', '-q', p], { env: HEAP, timeout: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/node 'f' failed: cannot write .*outdir: it is a folder/);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('removes temporary files a killed run left, only its own pattern and only of dead processes', async () => {
    const dir = folder();
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', '0']);
      c.on('exit', () => resolve(c.pid!));
    });
    const orphan = `.out.jsonl.${dead}.m3x1.tmp`;
    const live = `.out.jsonl.${process.pid}.m3x2.tmp`;
    const other = `.other.jsonl.${dead}.m3x3.tmp`;
    const unlike = `.out.jsonl.${dead}.tmp`;
    for (const n of [orphan, live, other, unlike]) write(dir, n, 'partial\n');
    const p = write(dir, 'p.json', doc([gen(), { id: 'f', type: 'sink.file', params: { path: 'out.jsonl' } }], [{ from: 'g', to: 'f' }]));
    const r = await runCli(['run', '-q', p], { env: HEAP, timeout: 60_000 });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, orphan))).toBe(false);
    for (const n of [live, other, unlike]) expect(existsSync(join(dir, n)), n).toBe(true);
  });

  it('writing over its own pipeline file needs trust', async () => {
    const dir = folder();
    const text = doc([gen(), { id: 'f', type: 'sink.file', params: { path: 'p.json' } }], [{ from: 'g', to: 'f' }]);
    const p = write(dir, 'p.json', text);
    const r = await runCli(['run', '-q', p], { env: HEAP, timeout: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/node 'f' \(params\.path\) would overwrite the pipeline file/);
    expect(readFileSync(p, 'utf8')).toBe(text);
  });
});

describe('a Redis that accepts connections and never answers', () => {
  let server: Server;
  let port = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sink.redis and lookup.redis fail promptly, naming the node', async () => {
    const dir = folder();
    const url = `redis://127.0.0.1:${port}`;
    const sink = write(dir, 's.json', doc([gen(), { id: 'r', type: 'sink.redis', params: { url, command: 'SET', key: 'x:{userId}', value: 'eventType' } }], [{ from: 'g', to: 'r' }]));
    const lookup = write(dir, 'l.json', doc([gen(), { id: 'l', type: 'lookup.redis', params: { url, key: 'user:{userId}' } }, out], [{ from: 'g', to: 'l' }, { from: 'l', to: 'out' }]));
    const started = Date.now();
    const runs = await Promise.all([sink, lookup].map((p) => runCli(['run', '-q', p], { env: HEAP, timeout: 100_000 })));
    // Generous for a loaded machine: before, these runs never ended.
    expect(Date.now() - started).toBeLessThan(90_000);
    runs.forEach((r, i) => {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`node '${['r', 'l'][i]}' failed: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: no answer within 5 s`));
    });
  });
});
