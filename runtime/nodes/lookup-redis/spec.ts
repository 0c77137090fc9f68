import { z } from 'zod';
import { duration, envString, keyTemplate } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { closedSet, unionSets } from '../../format/fields.js';

export const lookupRedisSpec = defineNode({
  type: 'lookup.redis',
  title: 'Redis lookup',
  category: 'transform',
  doc: [
    'Enriches each record with what Redis holds under a key built from it (a customer profile under `user:{userId}`, say): Flink\'s async I/O lookup join.',
    '',
    '- `kind: hash` reads the hash (HGETALL), `string` the string (GET), `json` a string holding JSON. With `as`, the value goes into that field (null when the key is missing); without, a hash\'s (or JSON object\'s) fields are merged into the record, overriding fields of the same name, and a missing key leaves the record as it is. Hash values are strings, as Redis keeps them.',
    '- Lookups are asynchronous and pipelined: at most `capacity` records are held (in flight, or done and waiting for earlier ones to leave in order, as Flink\'s queue capacity), and while that many wait the sources pause. `ordered: true` keeps the input order; `ordered: false` lets a record go as soon as its lookup returns, but records and watermarks never pass each other (Flink\'s unordered mode): with event time, records reorder only between watermarks, so no record changes from late to on time or back.',
    '- At start, a Redis that does not answer within 5 s (refused, unreachable, or a server that accepts the connection and stays silent) fails the run naming this node.',
    '- A lookup that fails or takes longer than `timeout` sends the record to `errors` (or fails the run without an edge from it).',
    '- `cacheTtl` keeps looked-up values (missing keys too) in memory for that long, at most `cacheSize` keys, so a hot key is read once per TTL.',
  ].join('\n'),
  params: z
    .strictObject({
      url: envString('Redis URL, `redis://[user:password@]host:port/db`.').meta({ 'x-connects': 'redis' }).default('${REDIS_URL:-redis://127.0.0.1:6379}'),
      key: keyTemplate('Key template, e.g. `user:{userId}`.'),
      kind: z.enum(['hash', 'string', 'json']).default('hash').meta({ description: 'What the key holds.' }),
      as: z.string().regex(/^[A-Za-z_$][\w$]*$/).optional().meta({ description: 'Field to put the value in. Unset: merge a hash\'s or JSON object\'s fields into the record.' }),
      capacity: z.number().int().positive().default(500).meta({ description: 'Most records held: with a lookup in flight, or done and waiting to leave in order.' }),
      timeout: duration('How long a lookup may take before its record goes to `errors`.', { timer: true }).default('2s'),
      ordered: z.boolean().default(true).meta({ description: 'Keep the input order (else a record leaves as soon as its lookup returns, but never across a watermark).' }),
      cacheTtl: duration('Keep looked-up values this long in a local cache. Unset: no cache.').optional(),
      cacheSize: z.number().int().positive().default(10_000).meta({ description: 'Most keys in the local cache; the oldest entry goes first.' }),
    })
    .superRefine((p, ctx) => {
      if (p.kind === 'string' && p.as === undefined) ctx.addIssue({ code: 'custom', message: "kind 'string' needs 'as', the field to put the value in", path: ['as'] });
    }),
  inputs: [{ name: 'in', doc: 'Records to enrich.' }],
  outputs: [{ name: 'out', doc: 'Records with the looked-up value.' }, ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'preserve',
  // The record plus the value under `as`; merged (no `as`), the value's fields are unknown.
  outputFields: ({ params, input }) => (typeof params.as === 'string' ? unionSets([input, closedSet([{ name: params.as, doc: 'value looked up in Redis' }])]) : { fields: input.fields, open: true }),
  flinkExport: true,
  example: { key: 'profile:{userId}', kind: 'hash', as: 'profile', capacity: 500, timeout: '2s', cacheTtl: '1m' },
});
