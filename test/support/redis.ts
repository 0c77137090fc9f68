// Tests' own Redis access: a client on REDIS_URL, a unique key prefix per test file with cleanup,
// and a private redis-server (with an append-only file, so data survives a restart) for outages.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { answers } from '../../scripts/kafka/broker.js';

export const REDIS_URL = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function redis(url = REDIS_URL()): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

export function prefix(name: string): string {
  return `tributary-test:${name}:${randomBytes(3).toString('hex')}`;
}

/** Every key matching a pattern (SCAN walks the whole keyspace, a slice per call). */
export async function keysMatching(r: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

/** Delete every key under a prefix. */
export async function cleanup(r: Redis, pre: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${pre}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await r.del(...keys);
  } while (cursor !== '0');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A redis-server of the test's own, on 127.0.0.1, persisting every write (appendfsync always). */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'redis-'));

  /** `args`: more redis-server options (a password, a unix socket, TLS). */
  constructor(
    readonly port: number,
    private readonly args: readonly string[] = [],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', ...this.args], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await answers(`127.0.0.1:${this.port}`, 200)); i++) await new Promise((r) => setTimeout(r, 50));
  }

  /** Kill the server outright (no graceful shutdown): what was acknowledged is in the AOF. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c) return;
    this.child = null;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  }
}
