// sink.http against a real HTTP server on 127.0.0.1: bodies and headers as configured, retries
// with backoff on 5xx, no retry on 4xx, timeouts, failures to `errors` with their status.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsOf, runPipeline } from '../support/run.js';

interface Seen {
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  body: any;
}

let server: Server;
let base = '';
const seen: Seen[] = [];
const attempts = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const parsed = JSON.parse(body);
      seen.push({ path: req.url!, method: req.method!, headers: req.headers, body: parsed });
      const id = `${req.url}:${JSON.stringify(parsed)}`;
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const path = req.url!.split('?')[0];
      if (path === '/flaky' && n <= 2) return res.writeHead(503).end();
      if (path === '/bad') return res.writeHead(400).end();
      if (path === '/down') return res.writeHead(500).end();
      if (path === '/slow') return void setTimeout(() => res.writeHead(200).end(), 1000);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function doc(path: string, sink: Record<string, unknown>, count = 50, withErrors = true) {
  const nodes: any[] = [
    { id: 'gen', type: 'source.generator', params: { count, rate: 0, seed: 31 } },
    { id: 'hook', type: 'sink.http', params: { url: `${base}${path}`, ...sink } },
  ];
  const edges: any[] = [{ from: 'gen', to: 'hook' }];
  if (withErrors) {
    nodes.push({ id: 'failed', type: 'sink.console', params: {} });
    edges.push({ from: 'hook', fromPort: 'errors', to: 'failed' });
  }
  return { nodes, edges };
}

describe('sink.http', () => {
  it('posts one JSON body per record with the configured headers, the token from the environment', async () => {
    process.env.TRIBUTARY_TEST_ALERT_TOKEN = 's3cret';
    const before = seen.length;
    await runPipeline(doc('/ok', { body: "{ text: concat('cart ', eventId), user: userId }", headers: { authorization: 'Bearer ${TRIBUTARY_TEST_ALERT_TOKEN}' } }));
    const mine = seen.slice(before);
    expect(mine).toHaveLength(50);
    expect(mine.map((s) => s.body.text).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `cart ${i + 1}`).sort());
    expect(mine[0]!.method).toBe('POST');
    expect(mine[0]!.headers.authorization).toBe('Bearer s3cret');
    expect(mine[0]!.headers['content-type']).toBe('application/json');
  });

  it('retries 503s with backoff until they succeed; each failed attempt counts in metrics', async () => {
    const { job } = await runPipeline(doc('/flaky', { backoff: '10ms', retries: 3 }, 20));
    const m = metricsOf(job, 'hook');
    expect(m.errors).toBe(40);
    expect(metricsOf(job, 'failed').recordsIn).toBe(0);
  });

  it('does not retry a 400; sends the record to errors with its status', async () => {
    const before = seen.length;
    const { job } = await runPipeline(doc('/bad', { backoff: '10ms' }, 10));
    expect(seen.length - before).toBe(10);
    expect(metricsOf(job, 'failed').recordsIn).toBe(10);
    expect(metricsOf(job, 'hook').errors).toBe(10);
  });

  it('gives up after the retries and on timeouts, to errors', async () => {
    const { job } = await runPipeline(doc('/down', { backoff: '5ms', retries: 2 }, 5));
    expect(metricsOf(job, 'failed').recordsIn).toBe(5);
    expect(metricsOf(job, 'hook').errors).toBe(15);
    const slow = await runPipeline(doc('/slow', { timeout: '100ms', retries: 0 }, 3));
    expect(metricsOf(slow.job, 'failed').recordsIn).toBe(3);
  });

  it('keeps secrets in the URL out of messages: shown as written, query and password masked; credentials go as Basic auth', async () => {
    const failure = (url: string) => runPipeline(doc('', { url }, 1, false)).then(() => new Error('ran'), (e: unknown) => e as Error);
    process.env.TRIBUTARY_TEST_HOOK_URL = `${base}/bad?token=s3cret-token`;
    const fromEnv = await failure('${TRIBUTARY_TEST_HOOK_URL}');
    expect(fromEnv.message).toMatch(/^POST \$\{TRIBUTARY_TEST_HOOK_URL\} failed after 1 attempt: HTTP 400/);
    expect(fromEnv.message).not.toContain('s3cret');
    const literal = await failure(`${base}/bad?token=s3cret-token`);
    expect(literal.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/bad\?token=\*\*\* failed/);
    process.env.TRIBUTARY_TEST_HOOK_URL = 'https://[not a url?token=s3cret-token';
    expect(String(await failure('${TRIBUTARY_TEST_HOOK_URL}'))).toBe("node 'hook': url: not a valid URL: ${TRIBUTARY_TEST_HOOK_URL}");
    delete process.env.TRIBUTARY_TEST_HOOK_URL;

    const before = seen.length;
    await runPipeline(doc('', { url: `${base.replace('//', '//alice:pa%20ss@')}/ok` }, 1));
    expect(seen.slice(before)).toHaveLength(1);
    expect(seen.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('alice:pa ss').toString('base64')}`);
  });

  it('without an edge from errors, a failed delivery fails the run naming the node', async () => {
    await expect(runPipeline(doc('/bad', {}, 3, false))).rejects.toThrow(/POST http:\/\/127\.0\.0\.1:\d+\/bad failed after 1 attempt: HTTP 400/);
  });
});
