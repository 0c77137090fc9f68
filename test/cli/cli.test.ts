import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshHome, runCli } from '../support/cli.js';

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'tributary-cli-'));
}

function writePipeline(dir: string, name: string, nodes: unknown[], edges: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ format: 'tributary.pipeline/v1', name: name.replace('.json', ''), nodes, edges }, null, 2));
  return path;
}

const genNode = (params: Record<string, unknown>) => ({ id: 'clicks', type: 'source.generator', params: { rate: 0, seed: 3, ...params } });

describe('tributary CLI', () => {
  it('--help works on the program and on each command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/validate.*\n.*run/s);
    const run = await runCli(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--metrics-port');
    const validate = await runCli(['validate', '--help']);
    expect(validate.code).toBe(0);
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['run'])).code).toBe(2);
    expect((await runCli(['run', 'x.json', '--metrics-port', 'abc'])).code).toBe(2);
  });

  it('validate: exit 0 on a valid pipeline, 2 with one line per problem otherwise', async () => {
    const dir = workdir();
    const ok = writePipeline(dir, 'ok.json', [genNode({ count: 5 }), { id: 'out', type: 'sink.console' }], [{ from: 'clicks', to: 'out' }]);
    const good = await runCli(['validate', ok]);
    expect(good.code).toBe(0);
    const bad = writePipeline(dir, 'bad.json', [genNode({ count: -1 }), { id: 'f', type: 'filter', params: { condition: 'a ==' } }], [{ from: 'clicks', to: 'f' }, { from: 'f', to: 'ghost' }]);
    const r = await runCli(['validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'clicks $.nodes[0].params.count: Too small: expected number to be >0',
      expect.stringMatching(/^f \$\.nodes\[1\]\.params\.condition: .*\(column 5\)$/),
      "- $.edges[1].to: edge to unknown node 'ghost'",
    ]);
  });

  it('validate: warnings (an unknown field with did-you-mean) are printed and the exit code stays 0', async () => {
    const dir = workdir();
    const f = writePipeline(dir, 'typo.json', [genNode({ count: 5 }), { id: 'buys', type: 'filter', params: { condition: "evntType == 'PURCHASE'" } }, { id: 'out', type: 'sink.console' }], [{ from: 'clicks', to: 'buys' }, { from: 'buys', to: 'out' }]);
    const r = await runCli(['validate', f]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^buys \$\.nodes\[1\]\.params\.condition: warning: unknown field 'evntType'.*did you mean 'eventType'\? \(column 1\)$/);
    expect(lines[1]).toMatch(/valid \(3 nodes, 2 edges, 1 warning\)$/);
  });

  it('validate: unreadable or malformed files exit 2 with a clear message', async () => {
    const dir = workdir();
    const missing = await runCli(['validate', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json: no such file/);
    writeFileSync(join(dir, 'broken.json'), '{\n  "format": "tributary.pipeline/v1",\n  "nodes": [,]\n}');
    const broken = await runCli(['validate', join(dir, 'broken.json')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^- \$: not valid JSON: .*\(line 3, column 13\)/);
  });

  it('run: a bounded pipeline runs to the end, writes its sink, exits 0, same output every time', async () => {
    const dir = workdir();
    const p = writePipeline(
      dir,
      'bounded.json',
      [genNode({ count: 20_000 }), { id: 'carts', type: 'filter', params: { condition: "eventType == 'ADD_TO_CART'" } }, { id: 'file', type: 'sink.file', params: { path: 'out/carts.jsonl' } }],
      [{ from: 'clicks', to: 'carts' }, { from: 'carts', to: 'file' }],
    );
    const first = await runCli(['run', p]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('bounded: finished');
    const out1 = readFileSync(join(dir, 'out/carts.jsonl'), 'utf8');
    const lines = out1.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.every((l) => l.eventType === 'ADD_TO_CART')).toBe(true);
    expect(await runCli(['run', p, '-q'])).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(join(dir, 'out/carts.jsonl'), 'utf8')).toBe(out1);
  });

  it('run: a record that fails with no errors edge exits 1 naming the node, and leaves no file behind', async () => {
    const dir = workdir();
    const p = writePipeline(
      dir,
      'failing.json',
      [
        genNode({ count: 50_000 }),
        { id: 'risky', type: 'map', params: { expression: "{ id: eventId, x: eventId == 40000 ? event.missing.field : 1 }" } },
        { id: 'file', type: 'sink.file', params: { path: 'out/result.jsonl' } },
      ],
      [{ from: 'clicks', to: 'risky' }, { from: 'risky', to: 'file' }],
    );
    const r = await runCli(['run', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/node 'risky' failed: Cannot read properties of undefined \(reading 'field'\) \(record: \{"eventId":40000/);
    expect(existsSync(join(dir, 'out/result.jsonl'))).toBe(false);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  });

  it('run: the same failure with an errors edge goes to a dead-letter file and the run succeeds', async () => {
    const dir = workdir();
    const p = writePipeline(
      dir,
      'dlq.json',
      [
        genNode({ count: 5_000 }),
        { id: 'risky', type: 'map', params: { expression: "{ id: eventId, x: eventId % 1000 == 0 ? event.missing.field : 1 }" } },
        { id: 'file', type: 'sink.file', params: { path: 'ok.jsonl' } },
        { id: 'dlq', type: 'sink.file', params: { path: 'dlq.jsonl' } },
      ],
      [{ from: 'clicks', to: 'risky' }, { from: 'risky', to: 'file' }, { from: 'risky', fromPort: 'errors', to: 'dlq' }],
    );
    const r = await runCli(['run', p, '-q']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'ok.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4_995);
    const dead = readFileSync(join(dir, 'dlq.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(dead.map((d) => d.record.eventId)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(dead[0]).toMatchObject({ node: 'risky', error: "Cannot read properties of undefined (reading 'field')" });
  });

  it('run: a missing input file exits 1 with the node and the path', async () => {
    const dir = workdir();
    const p = writePipeline(dir, 'missing.json', [{ id: 'src', type: 'source.file', params: { path: 'nope.jsonl' } }, { id: 'file', type: 'sink.file', params: { path: 'out.jsonl' } }], [{ from: 'src', to: 'file' }]);
    const r = await runCli(['run', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/node 'src' failed: cannot read .*nope\.jsonl: no such file/);
    expect(readdirSync(dir)).toEqual(['missing.json']);
  });

  it('run: a malformed line without an errors edge fails with its line number', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.jsonl'), '{"a":1}\n{"a":2}\n{"a":\n{"a":4}\n');
    const p = writePipeline(dir, 'lines.json', [{ id: 'src', type: 'source.file', params: { path: 'in.jsonl' } }, { id: 'out', type: 'sink.console' }], [{ from: 'src', to: 'out' }]);
    const r = await runCli(['run', p, '-q']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/node 'src' failed: .*in\.jsonl line 3: malformed JSON/);
  });

  it('run: an invalid pipeline exits 2 without running', async () => {
    const dir = workdir();
    const p = writePipeline(dir, 'invalid.json', [genNode({ count: 5 }), { id: 'file', type: 'sink.file', params: {} }], [{ from: 'clicks', to: 'file' }]);
    const r = await runCli(['run', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('file $.nodes[1].params.path: required: expected string');
  });

  it('run: code runs only once the file is trusted, and trust is remembered per content', async () => {
    const dir = workdir();
    const home = freshHome();
    const p = writePipeline(dir, 'code.json', [genNode({ count: 10 }), { id: 'f', type: 'filter', params: { code: 'return event.eventId % 2 === 0;' } }, { id: 'file', type: 'sink.file', params: { path: 'even.jsonl' } }], [{ from: 'clicks', to: 'f' }, { from: 'f', to: 'file' }]);
    const refused = await runCli(['run', p], { env: { TRIBUTARY_HOME: home } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/node 'f' contains JavaScript code.*--trust/s);
    expect(existsSync(join(dir, 'even.jsonl'))).toBe(false);
    expect((await runCli(['run', p, '--trust', '-q'], { env: { TRIBUTARY_HOME: home } })).code).toBe(0);
    expect(readFileSync(join(dir, 'even.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    expect((await runCli(['run', p, '-q'], { env: { TRIBUTARY_HOME: home } })).code).toBe(0);
    // Changing the code asks again.
    writeFileSync(p, readFileSync(p, 'utf8').replace('% 2', '% 3'));
    expect((await runCli(['run', p, '-q'], { env: { TRIBUTARY_HOME: home } })).code).toBe(2);
  });

  it('run: a pipeline without code cannot touch files outside its folder (the trust store, say) until trusted', async () => {
    const home = freshHome();
    // Someone else's pipeline that needs trust, and a code-free one that would trust it by appending
    // the first one's hash to the trust store.
    const dir = workdir();
    const coded = writePipeline(dir, 'coded.json', [genNode({ count: 3 }), { id: 'f', type: 'filter', params: { code: 'return true;' } }, { id: 'out', type: 'sink.console' }], [{ from: 'clicks', to: 'f' }, { from: 'f', to: 'out' }]);
    const store = join(home, 'trusted.json');
    const sneaky = writePipeline(
      dir,
      'sneaky.json',
      [
        { id: 'hash', type: 'source.generator', params: { count: 1, rate: 0 } },
        { id: 'entry', type: 'map', params: { expression: '{ x: 1 }' } },
        { id: 'write', type: 'sink.file', params: { path: store } },
      ],
      [{ from: 'hash', to: 'entry' }, { from: 'entry', to: 'write' }],
    );
    const refused = await runCli(['run', sneaky], { env: { TRIBUTARY_HOME: home } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`node 'write' (params.path) uses the file ${store}, inside Tributary's own settings`);
    expect(existsSync(store)).toBe(false);
    expect((await runCli(['run', coded, '-q'], { env: { TRIBUTARY_HOME: home } })).code).toBe(2);

    // Outside the folder in general: asks; inside it (relative or absolute): runs as before.
    const outside = writePipeline(dir, 'outside.json', [genNode({ count: 2 }), { id: 'file', type: 'sink.file', params: { path: '../elsewhere.jsonl' } }], [{ from: 'clicks', to: 'file' }]);
    const asked = await runCli(['run', outside], { env: { TRIBUTARY_HOME: home } });
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(/node 'file' \(params\.path\) uses the file .*elsewhere\.jsonl, outside the pipeline's folder.*--trust/s);
    expect(existsSync(join(dir, '..', 'elsewhere.jsonl'))).toBe(false);
    const inside = writePipeline(dir, 'inside.json', [genNode({ count: 2 }), { id: 'file', type: 'sink.file', params: { path: join(dir, 'out', 'here.jsonl') } }], [{ from: 'clicks', to: 'file' }]);
    expect((await runCli(['run', inside, '-q'], { env: { TRIBUTARY_HOME: home } })).code).toBe(0);
    expect(readFileSync(join(dir, 'out', 'here.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('run --metrics-port serves Prometheus text behind a token, and an interrupt flushes and exits 0', async () => {
    const dir = workdir();
    const p = writePipeline(
      dir,
      'live.json',
      [genNode({ rate: 20_000 }), { id: 'views', type: 'filter', params: { condition: "eventType == 'VIEW'" } }, { id: 'file', type: 'sink.file', params: { path: 'views.jsonl' } }],
      [{ from: 'clicks', to: 'views' }, { from: 'views', to: 'file' }],
    );
    let checks: Promise<void> | null = null;
    let scraped = '';
    let unauthorized = 0;
    // Interrupt only once the scrape is done: a fixed delay raced the CLI's start-up on a busy machine.
    let scrapedAll!: () => void;
    const done = new Promise<void>((res) => (scrapedAll = res));
    const r = await runCli(['run', p, '--metrics-port', '0'], {
      interruptWhen: done,
      onStderr: (chunk) => {
        const m = /metrics: (http:\S+) \(Authorization: Bearer (\w+)\)/.exec(chunk);
        if (!m || checks) return;
        checks = (async () => {
          await new Promise((res) => setTimeout(res, 1_000));
          unauthorized = (await fetch(m[1]!)).status;
          scraped = await (await fetch(m[1]!, { headers: { authorization: `Bearer ${m[2]}` } })).text();
        })().finally(scrapedAll);
      },
    });
    await checks;
    expect(r.code).toBe(0);
    expect(unauthorized).toBe(401);
    const out = Number(/tributary_node_records_out_total\{node="clicks",type="source.generator"\} (\d+)/.exec(scraped)?.[1]);
    expect(out).toBeGreaterThan(5_000);
    const rate = Number(/tributary_node_records_per_second\{node="clicks",type="source.generator"\} ([\d.]+)/.exec(scraped)?.[1]);
    expect(rate).toBeGreaterThan(5_000);
    expect(rate).toBeLessThan(40_000);
    expect(scraped).toMatch(/tributary_node_watermark_milliseconds\{node="views",type="filter"\} 17\d{11}/);
    expect(r.stderr).toContain('live: stopped');
    const written = readFileSync(join(dir, 'views.jsonl'), 'utf8').trim().split('\n');
    expect(written.length).toBeGreaterThan(1_000);
    expect(JSON.parse(written.at(-1)!).eventType).toBe('VIEW');
  });

  it('run: when the reader of stdout goes away (| head), the run stops cleanly with exit 0', async () => {
    const dir = workdir();
    const p = writePipeline(dir, 'pipe.json', [genNode({}), { id: 'print', type: 'sink.console' }, { id: 'file', type: 'sink.file', params: { path: 'all.jsonl' } }], [{ from: 'clicks', to: 'print' }, { from: 'clicks', to: 'file' }]);
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../support/cli.js');
    const child = spawn(process.execPath, [BIN, 'run', p], { env: { ...process.env, TRIBUTARY_HOME: freshHome() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const firstLine = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().split('\n')[0]!)));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(JSON.parse(firstLine).eventId).toBe(1);
    // The job settles (final table and summary), rather than the process merely running out of work.
    expect(stderr).toMatch(/pipe: stopped\n$/);
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'all.jsonl'), 'utf8').length).toBeGreaterThan(0);
  });
});
