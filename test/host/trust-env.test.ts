// Environment references need trust when their variable is set: a pipeline without a line of code
// could otherwise post $HOME, $PATH or a secret to any listener, or send it in a Redis AUTH. And a
// Redis URL naming a unix socket reaches any local service. Checked against real listeners on
// 127.0.0.1 through the real `tributary run`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../runtime/format/validate.js';
import { trustReasons } from '../../runtime/host/trust-needs.js';
import { runCli } from '../support/cli.js';

const SECRET = 'hunter2-trust-env-test';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'tributary-trust-env-'));
}

function pipelineFile(dir: string, sink: { type: string; params: Record<string, unknown> }): string {
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'leak',
    nodes: [
      { id: 'clicks', type: 'source.generator', params: { count: 3 } },
      { id: 'out', ...sink },
    ],
    edges: [{ from: 'clicks', to: 'out' }],
  };
  const file = join(dir, 'leak.json');
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}

async function httpListener(): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const server: HttpServer = createHttpServer((req, res) => {
    requests.push(`${req.url} ${JSON.stringify(req.headers)}`);
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  const addr = server.address();
  return { port: typeof addr === 'object' && addr ? addr.port : 0, requests };
}

/** A TCP (or unix socket) listener that records every byte a client sends (a Redis AUTH, say). */
async function rawListener(path?: string): Promise<{ port: number; received: () => string }> {
  let bytes = '';
  const server: NetServer = createNetServer((s) => {
    s.on('data', (d) => (bytes += d.toString('latin1')));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => (path ? server.listen(path, r) : server.listen(0, '127.0.0.1', r)));
  closers.push(() => new Promise((r) => server.close(() => r())));
  const addr = server.address();
  return { port: typeof addr === 'object' && addr ? addr.port : 0, received: () => bytes };
}

const env = { MY_SECRET: SECRET };

describe('environment references need trust', () => {
  it('sink.http: a run without trust sends nothing and names every variable it would read', async () => {
    const listener = await httpListener();
    const file = pipelineFile(folder(), {
      type: 'sink.http',
      params: { url: `http://127.0.0.1:${listener.port}/leak?s=\${MY_SECRET}&h=\${HOME}`, headers: { x: '${PATH}' }, retries: 0 },
    });
    const refused = await runCli(['run', file], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("node 'out' (params.url) reads the environment variables MY_SECRET, HOME");
    expect(refused.stderr).toContain("node 'out' (params.headers.x) reads the environment variable PATH");
    expect(refused.stderr).not.toContain(SECRET);
    expect(listener.requests).toEqual([]);

    // Trusted, the same file runs and its values do arrive: the refusal above is what held them back.
    const trusted = await runCli(['run', file, '--trust'], { env });
    expect(trusted.code).toBe(0);
    expect(listener.requests).toHaveLength(3);
    expect(listener.requests[0]).toContain(SECRET);
  });

  it('sink.redis: a password from the environment is never sent in AUTH without trust', async () => {
    const fake = await rawListener();
    const file = pipelineFile(folder(), {
      type: 'sink.redis',
      params: { url: `redis://default:\${MY_SECRET}@127.0.0.1:${fake.port}`, command: 'SET', key: 'k:{id}', value: 'id' },
    });
    const refused = await runCli(['run', file], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("node 'out' (params.url) reads the environment variable MY_SECRET");
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.received()).toBe('');
  });

  it('a Redis URL naming a unix socket needs trust, and nothing connects to the socket before it', async () => {
    const dir = folder();
    const socket = join(dir, 'svc.sock');
    const fake = await rawListener(socket);
    const file = pipelineFile(dir, { type: 'sink.redis', params: { url: socket, command: 'SET', key: 'k:{id}', value: 'id' } });
    const refused = await runCli(['run', file], { env: {} });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`node 'out' (params.url) connects to the local socket ${socket}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.received()).toBe('');
  });

  it('every form ioredis reads as a socket counts: unix:, host/path, ?path=, and through a default', async () => {
    const dir = folder();
    const home = join(dir, 'trusted.json');
    const reasonsFor = async (url: string, e: NodeJS.ProcessEnv = {}) => {
      const { pipeline } = validatePipeline({
        format: 'tributary.pipeline/v1',
        nodes: [
          { id: 'clicks', type: 'source.generator', params: { count: 1 } },
          { id: 'r', type: 'sink.redis', params: { url, command: 'SET', key: 'k:{id}', value: 'id' } },
        ],
        edges: [{ from: 'clicks', to: 'r' }],
      });
      return trustReasons(pipeline!, dir, home, e);
    };
    for (const url of ['/run/redis.sock', 'unix:/run/redis.sock', 'localhost/run/redis.sock', 'redis://127.0.0.1:6379/?path=/run/redis.sock', '${SOCK:-/run/redis.sock}']) {
      expect(await reasonsFor(url), url).toEqual(["node 'r' (params.url) connects to the local socket /run/redis.sock, which can reach any service on this machine"]);
    }
    for (const url of ['redis://127.0.0.1:6379', 'rediss://cache.example.com:6380/2', '127.0.0.1:6379', '${SOCK:-redis://127.0.0.1:6379}']) {
      expect(await reasonsFor(url), url).toEqual([]);
    }
    // The default of the spec reads REDIS_URL: set here, it needs trust (its value may hold a password).
    expect(await reasonsFor('${REDIS_URL:-redis://127.0.0.1:6379}', { REDIS_URL: 'redis://:pw@127.0.0.1:6379' })).toEqual([
      "node 'r' (params.url) reads the environment variable REDIS_URL, set on this machine: the value goes wherever the pipeline sends it",
    ]);
  });
});

describe('the shipped Kafka and Redis examples', () => {
  const examples = ['clickstream-kafka.json', 'clickstream-redis.json', 'customer-360.json', 'load-profiles.json'];
  const pipelines = join(__dirname, '..', '..', 'pipelines');

  it('run without a question where KAFKA_BROKERS and REDIS_URL are not set (their defaults are in the file)', async () => {
    for (const f of examples) {
      const { pipeline } = validatePipeline(JSON.parse(readFileSync(join(pipelines, f), 'utf8')));
      expect(await trustReasons(pipeline!, pipelines, join(folder(), 'trusted.json'), {}), f).toEqual([]);
    }
  });

  it('ask once, naming the variables, where they are set', async () => {
    const set = { KAFKA_BROKERS: '127.0.0.1:9092', REDIS_URL: 'redis://127.0.0.1:6379' };
    for (const f of examples) {
      const { pipeline } = validatePipeline(JSON.parse(readFileSync(join(pipelines, f), 'utf8')));
      const reasons = await trustReasons(pipeline!, pipelines, join(folder(), 'trusted.json'), set);
      expect(reasons.length, f).toBeGreaterThan(0);
      expect(reasons.every((r) => /reads the environment variables? (KAFKA_BROKERS|REDIS_URL)/.test(r)), f).toBe(true);
    }
  });
});

describe('in the editor', () => {
  it("the host's trustNeeds and a refused run name the variables; nothing is sent before trust", async () => {
    const { scratchStudio, connect } = await import('../support/studio.js');
    const listener = await httpListener();
    const { server } = await scratchStudio();
    closers.push(() => server.close());
    const { client } = await connect(server);
    const doc = {
      format: 'tributary.pipeline/v1',
      name: 'leak',
      nodes: [
        { id: 'clicks', type: 'source.generator', params: { count: 3 } },
        { id: 'out', type: 'sink.http', params: { url: `http://127.0.0.1:${listener.port}/?h=\${HOME}`, retries: 0 } },
      ],
      edges: [{ from: 'clicks', to: 'out' }],
    };
    const expected = "node 'out' (params.url) reads the environment variable HOME, set on this machine: the value goes wherever the pipeline sends it";
    expect(await client.call('trustNeeds', { doc, origin: { kind: 'new' } })).toEqual({ reasons: [expected] });
    expect(await client.call('run', { doc, origin: { kind: 'new' } })).toEqual({ ok: false, reason: 'untrusted', reasons: [expected] });
    expect(listener.requests).toEqual([]);
  });
});
