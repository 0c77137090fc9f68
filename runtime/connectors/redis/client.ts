// Redis connections for the Redis nodes (ioredis). The offline queue is off: ioredis would
// otherwise hold every command issued while disconnected in an unbounded queue; instead a command
// fails at once and the node decides (the sink keeps its bounded buffer and retries, the lookup
// sends the record to `errors`). ioredis keeps reconnecting in the background.
import { Redis } from 'ioredis';
// Not in ioredis's typed surface, but the parser its constructor uses: checks must agree with it.
import { parseURL } from 'ioredis/built/utils/index.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import { resolveEnv } from '../env.js';
import { redactUrl } from '../redact.js';

export interface RedisHandle {
  readonly client: Redis;
  /** The URL without a password, for messages. */
  readonly where: string;
  /** The last connection error seen, for messages when retries run out. */
  lastError(): string;
  close(): Promise<void>;
}

/**
 * @param connectTimeout how long the connection may take until Redis has answered its first
 *   command (ioredis's own connectTimeout stops at the TCP handshake, so a server that accepts
 *   and then says nothing would hold the run forever)
 * @param commandTimeout how long a command may wait for its answer once connected; unset: no limit
 */
export async function connectRedis(urlParam: string, nodeId: string, connectTimeout = 5000, commandTimeout?: number): Promise<RedisHandle> {
  const url = resolveEnv(urlParam, nodeId, 'url');
  const where = redactUrl(url);
  let last = '';
  let client: Redis;
  try {
    client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout,
      ...(commandTimeout === undefined ? {} : { commandTimeout }),
      retryStrategy: (times) => Math.min(50 * times, 500),
    });
  } catch (err) {
    throw new NodeError(nodeId, `url: cannot use ${where}: ${errorMessage(err)}`);
  }
  client.on('error', (err: Error) => {
    last = err.message;
  });
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(noAnswer(connectTimeout))), connectTimeout);
  });
  try {
    await Promise.race([client.connect(), silent]);
  } catch (err) {
    client.disconnect();
    throw cannotReach(nodeId, where, errorMessage(err) || last, err);
  } finally {
    clearTimeout(timer);
  }
  return {
    client,
    where,
    lastError: () => last,
    close: async () => {
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

/** Why a connection failed when something accepted it and never answered as Redis. */
export function noAnswer(connectTimeout: number): string {
  return `no answer within ${connectTimeout / 1000} s (something accepts connections there but does not answer as Redis)`;
}

/** The error that fails a run whose Redis node cannot connect at start, in the same words for every Redis node. */
export function cannotReach(nodeId: string, where: string, why: string, cause: unknown): NodeError {
  return new NodeError(nodeId, `cannot reach Redis at ${where}: ${why || 'connection refused'}`, { cause });
}

/** True for failures of the connection (worth retrying once Redis is back), not of a command. */
export function isConnectionError(err: unknown, client: Redis): boolean {
  if (client.status !== 'ready') return true;
  const m = errorMessage(err);
  return /Connection is closed|Stream isn't writeable|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|LOADING|Command timed out/.test(m);
}

/**
 * The local (unix) socket a Redis URL connects to, or null for TCP. Asks ioredis's own parser, so
 * every form it treats as a socket counts: `/run/redis.sock`, `unix:/…`, `host/path`, `?path=…`.
 */
export function redisSocketPath(url: string): string | null {
  try {
    const path = parseURL(url).path;
    return typeof path === 'string' && path !== '' ? path : null;
  } catch {
    return null; // not a URL ioredis can use at all: the run fails on it
  }
}
