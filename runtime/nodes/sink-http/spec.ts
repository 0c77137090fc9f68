import { z } from 'zod';
import { duration, envString, expression } from '../../format/params.js';
import { deliveryGuarantee } from '../delivery.js';
import { defineNode, ERRORS_PORT } from '../spec.js';

export const sinkHttpSpec = defineNode({
  type: 'sink.http',
  title: 'HTTP webhook',
  category: 'sink',
  doc: [
    'Sends each record to a webhook (alerts to a chat, an e-mail gateway, an incident tool): one request per record, `capacity` at a time, the body JSON from `body` (default: the record).',
    '',
    '- A network error, a timeout, HTTP 408, 429 or 5xx is retried up to `retries` times with exponential backoff from `backoff` (a `Retry-After` header, when given, is honoured up to 30 s); other 4xx answers are not retried.',
    '- A record that still fails goes to `errors` as `{node, error, record, status}` (`status` is null for network errors and timeouts); without an edge from `errors` it fails the run.',
    '- After a crash and a restore from a checkpoint, with `deliveryGuarantee: at-least-once` (default) the records sent since that checkpoint are sent again (at-least-once; idempotent only if the receiver makes them so). With `exactly-once` the requests of each checkpoint epoch go out once the checkpoint completes, each with an `Idempotency-Key` header (the run\'s id and the record\'s ordinal in it, the same on every attempt and after a restore); a restored run sends again only the epoch its checkpoint had not finished sending, with the same keys. So delivery is exactly-once with a receiver that honours `Idempotency-Key` (most payment and incident APIs do), and at-least-once, limited to that one epoch, with one that does not.',
    '- `url` and `headers` values may use environment references, so a token such as `Bearer ${ALERT_TOKEN}` (or a secret webhook URL, `${ALERT_URL}`) stays out of the file. Messages and `errors` records show the URL as written, with passwords and query values masked; `user:password@` in the URL is sent as Basic authorization.',
  ].join('\n'),
  params: z.strictObject({
    url: envString('URL to send to: http:// or https://.').refine((u) => u.startsWith('${') || /^https?:\/\//i.test(u.trim()), {
      message: 'url must start with http:// or https:// (or be an environment reference); data:, file: and other schemes are not sent',
    }),
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST').meta({ description: 'HTTP method.' }),
    body: expression('The JSON body; unset: the whole record.').optional(),
    headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), envString('Header value.')).default({}).meta({ description: 'Extra request headers (`content-type: application/json` is set).' }),
    retries: z.number().int().nonnegative().default(3).meta({ description: 'Retries of a failed request.' }),
    backoff: duration('Wait before the first retry; doubles each time.', { timer: true }).default('500ms'),
    timeout: duration('Time allowed for one request.', { timer: true }).default('10s'),
    capacity: z.number().int().positive().default(8).meta({ description: 'Most requests in flight.' }),
    maxBuffered: z.number().int().positive().default(1000).meta({ description: 'Records waiting to be sent before the sources pause.' }),
    deliveryGuarantee: deliveryGuarantee('each checkpoint epoch is sent once it completes, every request with a stable `Idempotency-Key` header.'),
  }),
  inputs: [{ name: 'in', doc: 'Records to send.', multiple: true }],
  outputs: [ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: true,
  example: { url: 'https://hooks.example.com/alerts', body: "{ text: concat('Cart abandoned by ', userId) }", headers: { authorization: 'Bearer ${ALERT_TOKEN}' } },
});
