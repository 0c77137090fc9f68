// sink.redis's own connection (writer.ts) against real redis-server processes: the URL means what
// it means to ioredis elsewhere (user and password, database, unix socket, TLS), a refused login
// fails the run without the password, and a server that stops answering mid-run (SIGSTOP) times
// the batch out, reconnects once it answers again, and loses nothing.
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { generatedEvents as events } from '../support/clicks.js';
import { freePort, PrivateRedis } from '../support/redis.js';
import { metricsOf, plan, runPipeline } from '../support/run.js';
import { selfSignedCert } from '../support/smtp.js';
import { RedisWriter, RedisWriterClosed } from '../../runtime/connectors/redis/writer.js';

const servers: PrivateRedis[] = [];
async function server(args: string[] = [], port?: number): Promise<PrivateRedis> {
  const s = new PrivateRedis(port ?? (await freePort()), args);
  servers.push(s);
  await s.start();
  return s;
}
afterAll(async () => {
  for (const s of servers) await s.kill();
});

function doc(url: string, count: number, sink: Record<string, unknown> = {}, rate = 0) {
  return {
    nodes: [
      { id: 'gen', type: 'source.generator', params: { count, rate, seed: 21 } },
      { id: 'out', type: 'sink.redis', params: { url, command: 'HSET', key: 'w:{userId}', fields: '{ lastEvent: eventId }', ...sink } },
    ],
    edges: [{ from: 'gen', to: 'out' }],
  };
}

/** user → last eventId, as HSET leaves it. */
function lastEvents(n: number): Map<string, number> {
  const last = new Map<string, number>();
  for (const e of events(n, 21)) last.set(e.userId, e.eventId);
  return last;
}

async function stored(r: Redis, users: Iterable<string>): Promise<number[]> {
  const p = r.pipeline();
  for (const u of users) p.hget(`w:${u}`, 'lastEvent');
  return (await p.exec())!.map(([, v]) => Number(v));
}

describe('sink.redis connection', () => {
  it('logs in as a user with a password and writes to the database the URL names', async () => {
    const s = await server(['--requirepass', 'default-secret', '--user', 'writer', 'on', '>w-secret', '~*', '+@all']);
    await runPipeline(doc(`redis://writer:w-secret@127.0.0.1:${s.port}/3`, 2000));
    const r = new Redis(`redis://writer:w-secret@127.0.0.1:${s.port}/3`);
    const last = lastEvents(2000);
    expect(await stored(r, last.keys())).toEqual([...last.values()]);
    await r.select(0);
    expect(await r.dbsize()).toBe(0);
    r.disconnect();
    // The password alone logs in as the default user.
    await runPipeline(doc(`redis://:default-secret@127.0.0.1:${s.port}/4`, 10));
  });

  it('a wrong password or none fails the run naming the node and the server, not the password', async () => {
    const s = await server(['--requirepass', 'default-secret']);
    const wrong = await runPipeline(doc(`redis://:not-it@127.0.0.1:${s.port}`, 10)).then(() => null, (e: unknown) => String(e));
    expect(wrong).toMatch(new RegExp(`node 'out'.*cannot reach Redis at redis://:\\*+@127\\.0\\.0\\.1:${s.port}.*WRONGPASS`));
    expect(wrong).not.toContain('not-it');
    const none = await runPipeline(doc(`redis://127.0.0.1:${s.port}`, 10)).then(() => null, (e: unknown) => String(e));
    expect(none).toMatch(/NOAUTH/);
  });

  it('connects through a unix socket', async () => {
    const sock = join(mkdtempSync(join(tmpdir(), 'tributary-redis-sock-')), 'redis.sock');
    const s = await server(['--unixsocket', sock, '--unixsocketperm', '700']);
    await runPipeline(doc(sock, 500));
    const r = new Redis(s.url);
    const last = lastEvents(500);
    expect(await stored(r, last.keys())).toEqual([...last.values()]);
    r.disconnect();
  });

  it('rediss:// connects with TLS, trusting the CA the user gives Node', async () => {
    const cert = selfSignedCert();
    try {
      const port = await freePort();
      await server(['--port', '0', '--tls-port', String(port), '--tls-cert-file', cert.certPath, '--tls-key-file', join(cert.certPath, '..', 'key.pem'), '--tls-ca-cert-file', cert.certPath, '--tls-auth-clients', 'no'], port);
      const dir = mkdtempSync(join(tmpdir(), 'tributary-redis-tls-'));
      const file = join(dir, 'p.json');
      writeFileSync(file, JSON.stringify({ format: 'tributary.pipeline/v1', ...doc(`rediss://127.0.0.1:${port}`, 300) }, null, 2));
      const run = await runCli(['run', '-q', file], { env: { NODE_EXTRA_CA_CERTS: cert.certPath }, timeout: 60_000 });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const r = new Redis(`rediss://127.0.0.1:${port}`, { tls: { ca: cert.cert } });
      const last = lastEvents(300);
      expect(await stored(r, last.keys())).toEqual([...last.values()]);
      r.disconnect();
      // Without the CA the certificate does not verify: no connection, and the run says why.
      const refused = await runCli(['run', '-q', file], { timeout: 60_000 });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+: .*(self-signed|certificate)/);
    } finally {
      cert.dispose();
    }
  }, 120_000);

  it('a server that stops answering mid-run: the batch times out, is sent again once it answers, nothing lost', async () => {
    const s = await server();
    const n = 40_000;
    const job = plan(doc(s.url, n, { batchSize: 500, maxBuffered: 2000 }, 8000));
    const running = job.run();
    const gen = metricsOf(job, 'gen');
    while (gen.recordsOut < 8000) await new Promise((res) => setTimeout(res, 20));
    process.kill(s.pid!, 'SIGSTOP');
    // Past the 10 s command timeout: the connection is given up and dialled again.
    await new Promise((res) => setTimeout(res, 11_500));
    process.kill(s.pid!, 'SIGCONT');
    expect(await running).toBe('finished');
    expect(metricsOf(job, 'out').errors).toBeGreaterThan(0);
    const r = new Redis(s.url);
    const last = lastEvents(n);
    expect(await stored(r, last.keys())).toEqual([...last.values()]);
    r.disconnect();
  }, 60_000);
});

describe('sink.redis connection: what ioredis accepts, closing, loading', () => {
  it('a user allowed only the commands it writes (no PING, no INFO) writes, as it does through ioredis', async () => {
    const s = await server(['--user', 'hw', 'on', '>hw-secret', '~w:*', '+hset']);
    await runPipeline(doc(`redis://hw:hw-secret@127.0.0.1:${s.port}`, 200));
    const r = new Redis(s.url);
    const last = lastEvents(200);
    expect(await stored(r, last.keys())).toEqual([...last.values()]);
    r.disconnect();
  });

  it('a login refused while dialling again mid-run (a password being rotated) is retried, not a failed run', async () => {
    const s = await server(['--requirepass', 'old-secret']);
    const admin = new Redis(`redis://:old-secret@127.0.0.1:${s.port}`);
    const n = 30_000;
    const job = plan(doc(`redis://:old-secret@127.0.0.1:${s.port}`, n, { batchSize: 500, maxBuffered: 2000 }, 8000));
    const running = job.run();
    const gen = metricsOf(job, 'gen');
    while (gen.recordsOut < 6000) await new Promise((res) => setTimeout(res, 20));
    // The password changes and the sink's connection is cut: it dials again and is refused…
    await admin.config('SET', 'requirepass', 'new-secret');
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await new Promise((res) => setTimeout(res, 1500));
    // …until the password it has is good again.
    await admin.config('SET', 'requirepass', 'old-secret');
    expect(await running).toBe('finished');
    expect(metricsOf(job, 'out').errors).toBeGreaterThan(0);
    const last = lastEvents(n);
    expect(await stored(admin, last.keys())).toEqual([...last.values()]);
    admin.disconnect();
  }, 60_000);

  it('names its connection after `?connectionName=`, and goes on when Redis refuses the name, as ioredis does', async () => {
    const s = await server();
    const r = new Redis(s.url);
    const job = plan(doc(`${s.url}/2?connectionName=orders-sink`, 3000, {}, 3000));
    let ended = false;
    const running = job.run().finally(() => (ended = true));
    let names = '';
    while (!ended && metricsOf(job, 'out').recordsIn < 1000) await new Promise((res) => setTimeout(res, 20));
    names = String(await r.call('CLIENT', 'LIST'));
    expect(await running).toBe('finished');
    expect(names).toMatch(/ name=orders-sink .* db=2 /);
    // Client names cannot hold spaces: refused, and the run still writes.
    await runPipeline(doc(`${s.url}/3?connectionName=${encodeURIComponent('orders sink')}`, 20));
    await r.select(3);
    expect(await r.dbsize()).toBeGreaterThan(0);
    r.disconnect();
  }, 60_000);

  it('a password on the URL of a server that asks for none is not an error, as through ioredis', async () => {
    const s = await server();
    await runPipeline(doc(`redis://:unused-secret@127.0.0.1:${s.port}`, 50));
    const r = new Redis(s.url);
    const last = lastEvents(50);
    expect(await stored(r, last.keys())).toEqual([...last.values()]);
    r.disconnect();
  });

  it('closed while dialling again: nothing is written after the close and no connection is left open', async () => {
    const s = await server();
    const r = new Redis(s.url);
    const w = await RedisWriter.open(s.url, 'out', 5000, 10_000);
    const clients = async () => Number(/connected_clients:(\d+)/.exec(await r.info('clients'))![1]);
    await r.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    // Once the writer has seen its connection go, the next write dials again; the close comes meanwhile.
    while ((await clients()) > 1) await new Promise((res) => setTimeout(res, 10));
    await new Promise((res) => setTimeout(res, 50));
    const writing = w.write([['set', 'after-close', '1']]).then(
      () => 'resolved',
      (e: unknown) => (e instanceof RedisWriterClosed ? 'closed' : String(e)),
    );
    await w.close();
    // Closed, not unreachable: the sink gives the batch up rather than retrying for retryFor.
    expect(await writing).toBe('closed');
    await new Promise((res) => setTimeout(res, 300));
    expect(await r.exists('after-close')).toBe(0);
    expect(await clients()).toBe(1);
    r.disconnect();
  });

  it('a write whose connection is ready as the writer closes is rejected as closed, not left waiting for ever', async () => {
    const s = await server();
    const r = new Redis(s.url);
    const w = await RedisWriter.open(s.url, 'out', 5000, 10_000);
    await w.write([['set', 'before-close', '1']]);
    // The write has its connection; the close comes before it is sent.
    const writing = w.write([['set', 'after-close', '1']]).then(
      () => 'resolved',
      (e: unknown) => (e instanceof RedisWriterClosed ? 'closed' : String(e)),
    );
    await w.close();
    const outcome = await Promise.race([writing, new Promise((res) => setTimeout(() => res('still waiting'), 2000))]);
    expect(outcome).toBe('closed');
    expect(await r.exists('after-close')).toBe(0);
    r.disconnect();
  });

  it('a password holding # / or ? (not percent-encoded, so the URL does not parse) stays out of the message', async () => {
    const s = await server(['--requirepass', 'pa#ss/wo?rd']);
    for (const url of [`redis://:pa#ss/wo?rd@127.0.0.1:${s.port}`, `redis://user:pa#ss/wo?rd@127.0.0.1:${s.port}/2`]) {
      const err = await runPipeline(doc(url, 10)).then(() => null, (e: unknown) => String(e));
      expect(err).toMatch(/node 'out'.*url: cannot use redis:\/\/(user)?:\*\*\*@127\.0\.0\.1:\d+/);
      for (const piece of ['pa#', 'ss/', 'wo?', '?rd']) expect(err).not.toContain(piece);
    }
  });

  it('a Redis still loading its data at start is waited for within the 5 s, as ioredis does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-redis-loading-'));
    const port = await freePort();
    const files = ['--dir', dir, '--appendonly', 'no', '--dbfilename', 'big.rdb'];
    const first = await server([...files, '--enable-debug-command', 'yes'], port);
    const r = new Redis(first.url);
    await r.call('DEBUG', 'POPULATE', '20000');
    await r.save();
    r.disconnect();
    await first.kill();
    // About 2 s of loading, answering LOADING meanwhile.
    const s = await server([...files, '--key-load-delay', '10', '--loading-process-events-interval-bytes', '1024'], port);
    const probe = new Redis(s.url, { enableReadyCheck: false, maxRetriesPerRequest: 0 });
    expect(await probe.ping().catch((e: unknown) => String(e))).toMatch(/LOADING/);
    probe.disconnect();
    await runPipeline(doc(s.url, 50));
    const after = new Redis(s.url);
    const last = lastEvents(50);
    expect(await stored(after, last.keys())).toEqual([...last.values()]);
    expect(await after.dbsize()).toBe(20_000 + last.size);
    after.disconnect();
  });
});
