import { z } from 'zod';
import { duration, envString, expression, keyTemplate } from '../../format/params.js';
import { deliveryGuarantee } from '../delivery.js';
import { defineNode, ERRORS_PORT } from '../spec.js';

const NEEDS: Record<string, readonly ('fields' | 'value' | 'member' | 'score')[]> = {
  HSET: ['fields'],
  HINCRBY: ['fields'],
  XADD: ['fields'],
  SET: ['value'],
  PUBLISH: ['value'],
  LPUSH: ['value'],
  ZADD: ['member', 'score'],
  ZINCRBY: ['member', 'score'],
};

export const sinkRedisSpec = defineNode({
  type: 'sink.redis',
  title: 'Redis sink',
  category: 'sink',
  doc: [
    'Writes each record to Redis with one command, pipelined: up to `batchSize` commands go in one round trip, one batch at a time, so writes land in record order.',
    '',
    '- `HSET key fields…`, `HINCRBY key field n` (for each field of `fields`), `XADD key [MAXLEN ~ maxLen] * fields…`, `SET key value`, `PUBLISH key value`, `LPUSH key value` (then `LTRIM` to `maxLen`), `ZADD key score member`, `ZINCRBY key score member`. `key` is a template such as `user:{userId}`; `fields` an object expression; string values are written as they are, others as JSON.',
    '- `ttl` sets an expiry on the key after each write (`SET … PX` for SET).',
    '- At start, a Redis that does not answer within 5 s (refused, unreachable, or a server that accepts the connection and stays silent) fails the run naming this node. Later, a request without an answer for 10 s counts as Redis being unreachable.',
    '- While Redis is down the sink keeps up to `maxBuffered` records, then pauses the sources, and retries with backoff until Redis is back (for at most `retryFor`, then the run fails naming this node). A login refused when connecting again mid-run (a password being rotated) is retried the same way; at start it fails the run. Nothing accepted is dropped.',
    '- Guarantees after a crash and a restore from a checkpoint (records since that checkpoint are replayed), per command: with `deliveryGuarantee: at-least-once` (default) HSET, SET and ZADD are idempotent (writing the same values again leaves the same result once the replay has caught up); HINCRBY, ZINCRBY, LPUSH, XADD and PUBLISH are at-least-once: what was written since the checkpoint counts twice (a batch cut off by an outage is sent again in full too). With `deliveryGuarantee: exactly-once` every command is exactly-once: the commands of each checkpoint epoch are applied once the checkpoint completes, in chunks of `batchSize` records, each by one Lua script that applies only the records an epoch marker in Redis (`tributary:commit:<node>:<run id>`, the count of records applied, kept 7 days after the last write) shows have not been applied yet, and advances it in the same step; a chunk cut off by a crash, or cut differently after a restore, still applies each record once. PUBLISH is then delivered once to the subscribers listening at that moment; `ttl` and `maxLen` apply as usual. Output appears once per checkpoint rather than as records arrive. Redis Cluster is not supported in this mode (the script touches keys it is not given).',
    '- A record whose key or values cannot be computed goes to `errors`. A command Redis refuses (say, HSET on a key that holds a list) fails the run with the command and key.',
  ].join('\n'),
  params: z
    .strictObject({
      url: envString('Redis URL, `redis://[user:password@]host:port/db` (`rediss://` for TLS).').meta({ 'x-connects': 'redis' }).default('${REDIS_URL:-redis://127.0.0.1:6379}'),
      command: z.enum(['HSET', 'HINCRBY', 'SET', 'ZADD', 'ZINCRBY', 'XADD', 'PUBLISH', 'LPUSH']).meta({ description: 'The command each record becomes.' }),
      key: keyTemplate('Key (or channel, for PUBLISH) template, e.g. `user:{userId}`.'),
      fields: expression('Object of field → value (HSET, XADD) or field → increment (HINCRBY).').optional(),
      value: expression('The value (SET, PUBLISH, LPUSH).').optional(),
      member: expression('Sorted-set member (ZADD, ZINCRBY).').optional(),
      score: expression('Score (ZADD) or increment (ZINCRBY); must be a number.').optional(),
      ttl: duration('Expire the key this long after each write. Unset: no expiry.').optional(),
      maxLen: z.number().int().positive().optional().meta({ description: 'LPUSH: keep the newest `maxLen` elements; XADD: trim the stream to about `maxLen` entries.' }),
      batchSize: z.number().int().positive().default(1000).meta({ description: 'Most commands in one pipelined round trip.' }),
      maxBuffered: z.number().int().positive().default(50_000).meta({ description: 'Records held while Redis is slow or down before the sources pause.' }),
      retryFor: duration('How long to keep retrying while Redis is unreachable before the run fails.', { timer: true }).default('2m'),
      deliveryGuarantee: deliveryGuarantee('the commands of each checkpoint epoch are applied once, by a Lua script that checks and advances an epoch marker in Redis.'),
    })
    .superRefine((p, ctx) => {
      for (const need of NEEDS[p.command]!) if (p[need] === undefined) ctx.addIssue({ code: 'custom', message: `${p.command} needs '${need}'`, path: [need] });
      if (p.maxLen !== undefined && p.command !== 'LPUSH' && p.command !== 'XADD') ctx.addIssue({ code: 'custom', message: 'maxLen applies to LPUSH and XADD only', path: ['maxLen'] });
    }),
  inputs: [{ name: 'in', doc: 'Records to write.', multiple: true }],
  outputs: [ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: true,
  example: { url: '${REDIS_URL:-redis://127.0.0.1:6379}', command: 'HSET', key: 'user:{userId}', fields: '{ lastSeen: ts, lastProduct: productId }' },
});
