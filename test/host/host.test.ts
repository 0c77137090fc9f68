// The runtime host through its real transport: a WebSocket client calling the contract's methods
// against a browser-mode server, a real job running underneath.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleLines } from '../../runtime/host/console-lines.js';
import type { HostEvents } from '../../runtime/host/contract.js';
import type { HostClient } from '../../runtime/host/rpc.js';
import { connect, scratchStudio, waitFor } from '../support/studio.js';
import type { StudioServer } from '../../runtime/host/ws-server.js';

const demo = () => ({
  format: 'tributary.pipeline/v1',
  name: 'demo',
  nodes: [
    { id: 'clicks', type: 'source.generator', params: { rate: 5000, seed: 7 } },
    { id: 'carts', type: 'filter', params: { condition: "eventType == 'ADD_TO_CART'" } },
    { id: 'slim', type: 'map', params: { expression: '{ userId, price }' } },
    { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
    { id: 'out', type: 'sink.file', params: { path: 'out/carts.jsonl' } },
  ],
  edges: [
    { from: 'clicks', to: 'carts' },
    { from: 'carts', to: 'slim' },
    { from: 'slim', to: 'byUser' },
    { from: 'byUser', to: 'out' },
  ],
});

let server: StudioServer;
let root: string;
let client: HostClient;

beforeAll(async () => {
  ({ server, root } = await scratchStudio());
  ({ client } = await connect(server));
});
afterAll(async () => {
  await server.close();
});

describe('runtime host over a WebSocket', () => {
  it('says hello with the workspace', async () => {
    const info = await client.call('hello', {});
    expect(info.root).toBe(root);
    expect(info.version).toBe('test');
  });

  it('validates with node ids and JSON paths', async () => {
    const doc = demo();
    (doc.nodes[1]!.params as Record<string, unknown>).condition = 'eventType ==';
    const { problems } = await client.call('validate', { doc });
    expect(problems).toEqual([expect.objectContaining({ nodeId: 'carts', path: '$.nodes[1].params.condition' })]);
  });

  it('runs a job: figures rise a few times a second, taps show records on fused and plain edges, stop flushes', async () => {
    const metrics: HostEvents['metrics'][] = [];
    const off = client.on('metrics', (m) => metrics.push(m));
    const res = await client.call('run', { doc: demo(), origin: { kind: 'new' } });
    expect(res).toEqual({ ok: true, runId: expect.any(Number) });
    expect(await client.call('run', { doc: demo(), origin: { kind: 'new' } })).toEqual({ ok: false, reason: 'busy' });

    // carts → slim is fused into one chain with the keyBy; byUser → out crosses operators.
    const fused = await client.call('tapOpen', { edge: { from: 'carts', to: 'slim' } });
    const plain = await client.call('tapOpen', { edge: { from: 'byUser', to: 'out' }, maxPerSecond: 8 });
    const fusedTap = await waitFor<HostEvents['tap']>(client, 'tap', (t) => t.tapId === fused.tapId);
    expect(fusedTap.records.length).toBeGreaterThan(0);
    for (const r of fusedTap.records) expect((r.value as { eventType: string }).eventType).toBe('ADD_TO_CART');
    const plainTap = await waitFor<HostEvents['tap']>(client, 'tap', (t) => t.tapId === plain.tapId);
    // 8 records/s at 4 flushes a second: at most 2 per event, the newest, keyed by user.
    expect(plainTap.records.length).toBeLessThanOrEqual(2);
    for (const r of plainTap.records) {
      expect(Object.keys(r.value as object).sort()).toEqual(['price', 'userId']);
      expect(r.key).toBe((r.value as { userId: unknown }).userId);
    }
    await client.call('tapClose', { tapId: fused.tapId });

    const sampled = await client.call('sampleFields', { timeoutMs: 400 });
    expect(sampled.edges['slim.out->byUser.in']).toEqual(['price', 'userId']);
    expect(sampled.edges['clicks.out->carts.in']).toContain('eventType');

    await new Promise((r) => setTimeout(r, 1200));
    const stopped = waitFor<HostEvents['job']>(client, 'job', (j) => j.state !== 'running');
    expect(await client.call('stop', {})).toEqual({ stopping: true });
    expect((await stopped).state).toBe('stopped');
    off();

    // About 4 samples a second, with rising counts and per-edge rates consistent with the nodes.
    expect(metrics.length).toBeGreaterThanOrEqual(5);
    const last = metrics[metrics.length - 1]!;
    const node = (id: string, m = last) => m.nodes.find((n) => n.id === id)!;
    expect(node('clicks').recordsOut).toBeGreaterThan(node('clicks', metrics[1]!).recordsOut);
    expect(node('carts').recordsOut).toBeLessThan(node('clicks').recordsOut);
    expect(node('out').recordsIn).toBe(node('byUser').recordsOut);
    const edge = (id: string) => last.edges.find((e) => e.id === id)!;
    expect(edge('clicks.out->carts.in').records).toBe(node('clicks').recordsOut);
    expect(edge('carts.out->slim.in').records).toBe(node('carts').recordsOut);
    expect(edge('byUser.out->out.in').records).toBe(node('out').recordsIn);
    const mid = metrics[Math.floor(metrics.length / 2)]!;
    expect(mid.throughput).toBeGreaterThan(1000);
    expect(mid.nodes.find((n) => n.id === 'clicks')!.watermark).toEqual(expect.any(Number));
    // The sink flushed on stop, relative to the workspace for a new document.
    const lines = readFileSync(join(root, 'out/carts.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(node('out').recordsIn);
  });

  it('taps two edges leaving one port, and sampling fields leaves an open tap running', async () => {
    const doc = {
      format: 'tributary.pipeline/v1',
      name: 'fan-out',
      nodes: [
        { id: 'clicks', type: 'source.generator', params: { rate: 5000, seed: 3 } },
        { id: 'views', type: 'filter', params: { condition: "eventType == 'VIEW'" } },
        { id: 'carts', type: 'filter', params: { condition: "eventType == 'ADD_TO_CART'" } },
        { id: 'viewsOut', type: 'sink.file', params: { path: 'out/fan-views.jsonl' } },
        { id: 'cartsOut', type: 'sink.file', params: { path: 'out/fan-carts.jsonl' } },
      ],
      edges: [
        { from: 'clicks', to: 'views' },
        { from: 'clicks', to: 'carts' },
        { from: 'views', to: 'viewsOut' },
        { from: 'carts', to: 'cartsOut' },
      ],
    };
    expect(await client.call('run', { doc, origin: { kind: 'new' } })).toMatchObject({ ok: true });
    const a = await client.call('tapOpen', { edge: { from: 'clicks', to: 'views' } });
    const b = await client.call('tapOpen', { edge: { from: 'clicks', to: 'carts' } });
    await Promise.all([a, b].map(({ tapId }) => waitFor<HostEvents['tap']>(client, 'tap', (t) => t.tapId === tapId)));
    // The editor samples every edge a second after Run, while the user's tap stays open.
    const sampled = await client.call('sampleFields', { timeoutMs: 400 });
    expect(sampled.edges['clicks.out->views.in']).toContain('eventType');
    expect(sampled.edges['clicks.out->carts.in']).toContain('eventType');
    for (const { tapId } of [a, b]) {
      const first = await waitFor<HostEvents['tap']>(client, 'tap', (t) => t.tapId === tapId);
      const later = await waitFor<HostEvents['tap']>(client, 'tap', (t) => t.tapId === tapId);
      expect(later.seen).toBeGreaterThan(first.seen);
    }
    const stopped = waitFor<HostEvents['job']>(client, 'job', (j) => j.state !== 'running');
    await client.call('stop', {});
    expect((await stopped).state).toBe('stopped');
  });

  it('reports a finished run with its final figures and a failed run with the node', async () => {
    const doc = demo();
    (doc.nodes[0]!.params as Record<string, unknown>) = { rate: 0, count: 2000, seed: 1 };
    const ended = waitFor<HostEvents['job']>(client, 'job', (j) => j.state !== 'running');
    const finalFigures = waitFor<HostEvents['metrics']>(client, 'metrics', (m) => m.nodes[0]!.watermark === 'end');
    await client.call('run', { doc, origin: { kind: 'new' } });
    expect((await ended).state).toBe('finished');
    expect((await finalFigures).nodes.find((n) => n.id === 'clicks')!.recordsOut).toBe(2000);

    const bad = demo();
    (bad.nodes[2]!.params as Record<string, unknown>).expression = '{ x: price.missing.deeper }';
    const failed = waitFor<HostEvents['job']>(client, 'job', (j) => j.state !== 'running');
    await client.call('run', { doc: bad, origin: { kind: 'new' } });
    const j = await failed;
    expect(j.state).toBe('failed');
    expect(j.error?.nodeId).toBe('slim');
  });

  it('refuses an invalid pipeline with its problems, and code until trusted', async () => {
    const invalid = demo();
    invalid.edges.pop();
    const r = await client.call('run', { doc: invalid, origin: { kind: 'new' } });
    expect(r).toMatchObject({ ok: false, reason: 'invalid', problems: [expect.objectContaining({ nodeId: 'out' })] });

    const withCode = demo();
    withCode.nodes[1] = { id: 'carts', type: 'filter', params: { code: "return event.eventType === 'PURCHASE';" } as Record<string, unknown> as never };
    (withCode.nodes[0]!.params as Record<string, unknown>) = { rate: 0, count: 100 };
    expect(await client.call('run', { doc: withCode, origin: { kind: 'new' } })).toEqual({ ok: false, reason: 'untrusted', reasons: ["node 'carts' contains JavaScript code, which runs with your permissions"] });
    await client.call('trust', { doc: withCode, origin: { kind: 'new' } });
    const done = waitFor<HostEvents['job']>(client, 'job', (j) => j.state !== 'running');
    expect(await client.call('run', { doc: withCode, origin: { kind: 'new' } })).toMatchObject({ ok: true });
    expect((await done).state).toBe('finished');
    // Trust is per content: changing the code asks again.
    (withCode.nodes[1]!.params as Record<string, unknown>).code = 'return true;';
    expect(await client.call('run', { doc: withCode, origin: { kind: 'new' } })).toMatchObject({ reason: 'untrusted' });
  });

  it('a pipeline writing outside its folder needs trust too, and says why', async () => {
    const escape = demo();
    (escape.nodes[0]!.params as Record<string, unknown>) = { rate: 0, count: 10 };
    escape.nodes[4]!.params = { path: '../escaped.jsonl' };
    const where = join(root, '..', 'escaped.jsonl');
    const reasons = [`node 'out' (params.path) uses the file ${where}, outside the pipeline's folder ${root}`];
    expect(await client.call('trustNeeds', { doc: escape, origin: { kind: 'new' } })).toEqual({ reasons });
    expect(await client.call('run', { doc: escape, origin: { kind: 'new' } })).toEqual({ ok: false, reason: 'untrusted', reasons });
    expect(existsSync(where)).toBe(false);
    expect(await client.call('trustNeeds', { doc: demo(), origin: { kind: 'new' } })).toEqual({ reasons: [] });
    expect(await client.call('trustNeeds', { doc: { nodes: 1 }, origin: { kind: 'new' } })).toEqual({ reasons: null });
  });

  it('reads and writes pipeline files inside the workspace only', async () => {
    const text = `${JSON.stringify(demo(), null, 2)}\n`;
    expect(await client.call('writeFile', { path: 'jobs/a.json', text })).toEqual({ path: 'jobs/a.json' });
    await expect(client.call('writeFile', { path: 'jobs/a.json', text })).rejects.toThrow(/already exists/);
    await client.call('writeFile', { path: 'jobs/a.json', text, overwrite: true });
    expect((await client.call('readFile', { path: 'jobs/a.json' })).text).toBe(text);
    expect(await client.call('listFiles', {})).toEqual([{ path: 'jobs/a.json', name: 'demo', description: null, nodes: 5 }]);
    await expect(client.call('readFile', { path: '../etc/passwd.json' })).rejects.toThrow(/inside it/);
    await expect(client.call('readFile', { path: '/etc/x.json' })).rejects.toThrow(/relative/);
    await expect(client.call('writeFile', { path: 'notes.txt', text: 'x' })).rejects.toThrow(/\.json/);
  });

  it('lists and opens templates from the project gallery, resolving their data files', async () => {
    const list = await client.call('listTemplates', {});
    expect(list.map((t) => t.path)).toContain('low-stock.json');
    const t = await client.call('openTemplate', { name: 'low-stock.json' });
    expect(t.origin).toEqual({ kind: 'template', name: 'low-stock.json' });
    const ended = waitFor<HostEvents['job']>(client, 'job', (j) => j.state !== 'running');
    const lines: string[] = [];
    const off = client.on('console', (c) => lines.push(...c.lines));
    // Its CSV lives beside the template; its table goes to the console event stream.
    expect(await client.call('run', { doc: JSON.parse(t.text), origin: t.origin })).toMatchObject({ ok: true });
    expect(await ended).toMatchObject({ state: 'finished' });
    off();
    expect(lines.length).toBeGreaterThan(0);
  });

  it('rejects unknown methods and bad params', async () => {
    await expect((client.call as (m: string, p: unknown) => Promise<unknown>)('eval', {})).rejects.toThrow(/unknown method/);
    await expect(client.call('tapClose', { tapId: 'x' as never })).rejects.toThrow(/bad params at tapId/);
  });
});

describe('connections', () => {
  it('a client that goes away stops its job, which still flushes its sinks', async () => {
    const { client: other, ws } = await connect(server);
    const doc = demo();
    (doc.nodes[4]!.params as Record<string, unknown>).path = 'out/gone.jsonl';
    expect(await other.call('run', { doc, origin: { kind: 'new' } })).toMatchObject({ ok: true });
    await waitFor(other, 'metrics', (m: HostEvents['metrics']) => m.nodes[4]!.recordsIn > 0);
    ws.close();
    const t0 = Date.now();
    while (!existsSync(join(root, 'out/gone.jsonl')) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(join(root, 'out/gone.jsonl'), 'utf8').length).toBeGreaterThan(0);
  });

  it('Stop on a pipeline stuck in its own code ends its host thread after the grace period; the studio answers throughout and runs the next pipeline', async () => {
    const studio = await scratchStudio({ stopGraceMs: 1000 });
    try {
      const { client: stuckClient } = await connect(studio.server);
      const { client: other } = await connect(studio.server);
      const doc = demo();
      doc.nodes[1] = { id: 'carts', type: 'filter', params: { code: 'if (event.eventId > 50) { while (true) {} } return true;' } as never };
      await stuckClient.call('trust', { doc, origin: { kind: 'new' } });
      expect(await stuckClient.call('run', { doc, origin: { kind: 'new' } })).toMatchObject({ ok: true });
      await new Promise((r) => setTimeout(r, 300)); // record 51 arrives: the host's thread loops for good
      // Another editor's host lives in a thread of its own: it is not held up.
      expect((await other.call('validate', { doc: demo() })).problems).toEqual([]);
      const ended = waitFor<HostEvents['job']>(stuckClient, 'job', (j) => j.state !== 'running');
      const t0 = Date.now();
      expect(await stuckClient.call('stop', {})).toEqual({ stopping: true });
      const j = await ended;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
      expect(j).toMatchObject({ state: 'failed', error: { message: expect.stringMatching(/did not stop within 1 s; the runtime was restarted/) } });
      // The next run gets a fresh thread.
      const again = demo();
      (again.nodes[0]!.params as Record<string, unknown>) = { rate: 0, count: 100, seed: 1 };
      const done = waitFor<HostEvents['job']>(stuckClient, 'job', (x) => x.state !== 'running');
      expect(await stuckClient.call('run', { doc: again, origin: { kind: 'new' } })).toMatchObject({ ok: true });
      expect((await done).state).toBe('finished');
    } finally {
      await studio.server.close();
    }
  });

  it('a pipeline that ends its thread (process.exit in its code) fails the run, not the studio', async () => {
    const { client: own } = await connect(server);
    const doc = demo();
    doc.nodes[1] = { id: 'carts', type: 'filter', params: { code: 'process.exit(3);' } as never };
    await own.call('trust', { doc, origin: { kind: 'new' } });
    const ended = waitFor<HostEvents['job']>(own, 'job', (j) => j.state !== 'running');
    const r = await own.call('run', { doc, origin: { kind: 'new' } });
    const message = r.ok ? (await ended).error?.message : r.reason === 'failed' ? r.message : JSON.stringify(r);
    expect(message).toMatch(/stopped unexpectedly \(exit code 3\) and was restarted/);
    expect((await own.call('validate', { doc: demo() })).problems).toEqual([]);
    expect((await client.call('hello', {})).version).toBe('test');
  });

  it('keeps a chatty console sink to a bounded number of lines per push, counting the rest', () => {
    const lines = new ConsoleLines(10);
    for (let i = 0; i < 25; i++) lines.write(`line ${i}\n`);
    lines.write('partial');
    const got = lines.take()!;
    expect(got.lines).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 15}`));
    expect(got.dropped).toBe(15);
    expect(lines.take()).toBeNull();
    lines.write(' end\n');
    expect(lines.take()).toEqual({ lines: ['partial end'], dropped: 0 });
  });
});

describe('browser-mode server security', () => {
  it('refuses a WebSocket without the token, from another origin, or for another host', async () => {
    await expect(connect(server, { token: 'wrong' })).rejects.toThrow(/401/);
    await expect(connect(server, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    // fetch cannot forge Host; a plain request can, as a rebinding attacker's page effectively does.
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: `evil.example:${server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(421);
  });

  it('serves the page with a strict CSP, and nothing outside the UI folder', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    writeFileSync(join(root, 'secret.json'), '{}');
    expect((await fetch(`http://127.0.0.1:${server.port}/../secret.json`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/%2e%2e/secret.json`)).status).toBe(404);
  });
});
