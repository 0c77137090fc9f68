import { z } from 'zod';
import { duration, envString, filePath, keyTemplate } from '../../format/params.js';
import { deliveryGuarantee } from '../delivery.js';
import { defineNode, ERRORS_PORT } from '../spec.js';

export const sinkEmailSpec = defineNode({
  type: 'sink.email',
  title: 'E-mail (SMTP)',
  category: 'sink',
  doc: [
    'Sends one e-mail per record through an SMTP server (alerts to a team, an offer to a customer): `capacity` connections at a time, at most `rateLimit.messages` in any `rateLimit.per`. `to`, `subject`, `text` and `html` are templates filled from the record (`{userId}`, `{cart.total}`); values placed in `html` are HTML-escaped.',
    '',
    '- `security`: `starttls` (default, port 587) upgrades the connection and refuses to send if the server cannot; `tls` (port 465) connects over TLS from the start; `none` sends in the clear (a local relay only). `ca` trusts a private authority, and the server\'s certificate must verify unless `rejectUnauthorized` is false.',
    '- `user` and `password` log in (AUTH PLAIN/LOGIN); write them as environment references (`${SMTP_PASSWORD}`), never in the file. They are not shown in messages or `errors` records. A server that refuses the login (535) fails the run, naming the node and the server: every message would fail the same way.',
    '- A connection error, a timeout or a temporary refusal (4xx) is retried up to `retries` times with exponential backoff from `backoff`. A message still undelivered, a permanent refusal (5xx, such as an unknown recipient) or a record missing a field a template needs goes to `errors` as `{node, error, record, code}` (`code` is the SMTP reply code, or null); without an edge from `errors` it fails the run.',
    '- After a crash and a restore from a checkpoint, with `deliveryGuarantee: at-least-once` (default) the messages sent since that checkpoint are sent again. With `exactly-once` (which needs `dedupeRedis`) the messages of each checkpoint epoch go out once the checkpoint completes; each has a deterministic id (the run\'s id and the record\'s ordinal in it, also its `Message-ID`), claimed in Redis with `SET NX` (`tributary:mail:<node>:<id>`, kept 7 days) before it is sent and released if sending fails, so a restored run never sends a message twice. It is at-most-once at the edge: a crash after the claim and before the server\'s answer loses that message rather than repeating it.',
    '- Like `sink.http`, the node contacts the server named in the file without asking for trust; only `ca`, a file, follows the trust rules for paths.',
    '- On Flink the node is Async I/O (`AsyncDataStream.unorderedWait`, `capacity` in flight, at parallelism 1 so the limits hold for the node) around Jakarta Mail (Eclipse Angus, bundled into the job jar) with the same message, retry and rate rules, at-least-once; `exactly-once` runs only in the embedded runtime.',
  ].join('\n'),
  params: z
    .strictObject({
      host: envString('SMTP server host name.'),
      port: z
        .union([z.number().int().min(1).max(65535), envString('SMTP port as an environment reference, e.g. `${SMTP_PORT:-587}`.')])
        .optional()
        .meta({ description: 'SMTP port (a number, or an environment reference). Unset: 465 with `security: tls`, else 587.' }),
      security: z.enum(['starttls', 'tls', 'none']).default('starttls').meta({ description: '`starttls`: upgrade with STARTTLS and refuse to send without it; `tls`: TLS from the first byte (SMTPS); `none`: plain text.' }),
      ca: filePath('PEM file of certificate authorities to trust besides the system\'s (a private mail server).').optional(),
      rejectUnauthorized: z.boolean().default(true).meta({ description: 'Refuse a server whose certificate does not verify.' }),
      user: envString('Login user name. Unset: no login.').optional(),
      password: envString('Login password; write an environment reference such as `${SMTP_PASSWORD}`.').optional(),
      from: envString('Sender, `alerts@example.com` or `"Shop alerts" <alerts@example.com>`.'),
      to: keyTemplate('Recipients (comma-separated) template, e.g. `ops@example.com` or `{email}`.'),
      subject: keyTemplate('Subject template, e.g. `Cart abandoned by {userId}`.'),
      text: keyTemplate('Plain-text body template.').optional(),
      html: keyTemplate('HTML body template; record values are HTML-escaped.').optional(),
      rateLimit: z
        .strictObject({
          messages: z.number().int().positive().meta({ description: 'Most messages started…' }),
          per: duration('…in any window this long.').default('1s'),
        })
        .optional()
        .meta({ description: 'Send at most `messages` in any window of `per` (the server\'s or provider\'s limit). Unset: no limit.' }),
      retries: z.number().int().nonnegative().default(3).meta({ description: 'Retries of a message that failed temporarily.' }),
      backoff: duration('Wait before the first retry; doubles each time.').default('1s'),
      timeout: duration('Time allowed for connecting, and for each reply of the server.').default('30s'),
      capacity: z.number().int().positive().default(2).meta({ description: 'Most messages (and SMTP connections) in flight.' }),
      maxBuffered: z.number().int().positive().default(1000).meta({ description: 'Messages waiting to be sent before the sources pause.' }),
      deliveryGuarantee: deliveryGuarantee('each checkpoint epoch is sent once it completes, every message once per deterministic id recorded in `dedupeRedis`.'),
      dedupeRedis: envString('Redis URL where `exactly-once` records the ids of messages sent, e.g. `${REDIS_URL:-redis://127.0.0.1:6379}`.').meta({ 'x-connects': 'redis' }).optional(),
    })
    .superRefine((p, ctx) => {
      if (p.text === undefined && p.html === undefined) ctx.addIssue({ code: 'custom', message: 'give a body: text, html or both', path: ['text'] });
      if (p.deliveryGuarantee === 'exactly-once' && p.dedupeRedis === undefined) ctx.addIssue({ code: 'custom', message: 'exactly-once needs dedupeRedis: the Redis where sent message ids are recorded', path: ['dedupeRedis'] });
      if ((p.user === undefined) !== (p.password === undefined)) ctx.addIssue({ code: 'custom', message: 'user and password go together', path: [p.user === undefined ? 'user' : 'password'] });
    }),
  inputs: [{ name: 'in', doc: 'Records to mail.', multiple: true }],
  outputs: [ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: true,
  example: {
    host: '${SMTP_HOST:-127.0.0.1}',
    user: '${SMTP_USER}',
    password: '${SMTP_PASSWORD}',
    from: 'Shop alerts <alerts@example.com>',
    to: 'crm@example.com',
    subject: 'Cart abandoned by user {userId}',
    text: 'User {userId} left {items} items worth {value} in their cart.',
    rateLimit: { messages: 10, per: '1s' },
  },
});
