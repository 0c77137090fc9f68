import { z } from 'zod';
import { objectExpressionFields, UNKNOWN } from '../../format/fields.js';
import { code, expression } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';

export const broadcastSpec = defineNode({
  type: 'broadcast',
  title: 'Broadcast state',
  category: 'keyed',
  doc: [
    'The broadcast state pattern: records on `broadcast` (rules, a trending list, thresholds) update one map state, the broadcast state, that every record on `main` can read but not write — Flink\'s `BroadcastProcessFunction` for an unkeyed main input, `KeyedBroadcastProcessFunction` for a keyed one (`main.connect(rules.broadcast(descriptor)).process(...)`).',
    '',
    '- Broadcast side (`processBroadcastElement`): either `key` and `value` expressions over the broadcast record (`event`) — the entry `key` is set to `value` (the whole record when `value` is unset); a `value` of null removes the entry — or `onBroadcast` code with `event` and `ctx`, where `ctx.broadcast` has `get(k)`, `contains(k)`, `keys()`, `entries()`, `size()`, `put(k, v)`, `remove(k)`, `clear()`, and `ctx.emit(record)` sends a record to `out` stamped with the broadcast record\'s timestamp (Flink\'s `processBroadcastElement` has a Collector too); `ctx.timestamp`, `ctx.watermark` and `ctx.now` are there as on the main side.',
    '- Main side (`processElement`): either an `output` expression over `event` (the main record), `broadcast` (the state as an object: `broadcast.trending`, `broadcast[productId]`) and `key`, giving the output record (null: nothing), or `code` with `event` and `ctx` as in the process node (`ctx.key`, `ctx.timestamp`, `ctx.watermark`, `ctx.now`, `ctx.emit(record)`, `ctx.state.*` keyed state, `ctx.timers.*` with `onTimer`) plus `ctx.broadcast` read-only (`get`, `contains`, `keys`, `entries`, `size`). Values read from the broadcast state are frozen copies: the main side cannot change them.',
    '- Keys of the broadcast state are strings, finite numbers or booleans; in `output` they are property names.',
    '- Order: a broadcast record updates the state when it arrives, and main records see the state as of their own arrival. Flink gives no order between the two inputs; here it is the arrival order, fixed by the job (see "Two inputs" in Time), so the same input gives the same output. The watermark is the minimum of both inputs\'.',
    '- Output records carry the main record\'s timestamp and no key. An exception, or an `output` that is not an object or null, sends `{node, error, record}` to `errors`.',
    '- On Flink: `main.keyBy(..).connect(broadcastSide.broadcast(descriptor)).process(KeyedBroadcastProcessFunction)` over a `MapStateDescriptor` of strings (entries keep their insertion order); `key`, `value` and `output` run as Java, `onBroadcast`, `code` and `onTimer` in GraalJS over Flink\'s broadcast and keyed state. An unkeyed main input is keyed by one stand-in key (the null key here), so that node runs as one instance. Flink interleaves the two inputs as they arrive, so which broadcast records a main record sees can differ from this runtime\'s order.',
  ].join('\n'),
  params: z
    .strictObject({
      key: expression('Broadcast side: the entry a broadcast record sets, e.g. `\'trending\'` or `ruleId`.').optional(),
      value: expression('Broadcast side: the value stored under `key`; null removes the entry. Unset: the whole record.').optional(),
      onBroadcast: code('Broadcast side: function body with `event` (the broadcast record) and `ctx` (`ctx.broadcast` writable, `ctx.emit`).', ['event', 'ctx']).optional(),
      output: expression('Main side: object expression building the output from `event`, `broadcast` and `key`; null emits nothing.', { params: ['event', 'broadcast', 'key'], fieldsOf: 'event' }).optional(),
      code: code('Main side: function body with `event` and `ctx` (`ctx.broadcast` read-only, `ctx.state`, `ctx.timers`, `ctx.emit`).', ['event', 'ctx']).optional(),
      onTimer: code('Main side: function body run when a timer of `code` fires, with `timer` ({timestamp, domain}) and `ctx`.', ['timer', 'ctx']).optional(),
    })
    .superRefine((p, ctx) => {
      if ((p.key !== undefined) === (p.onBroadcast !== undefined)) {
        ctx.addIssue({ code: 'custom', message: p.key !== undefined ? 'give either \'key\' (with \'value\') or \'onBroadcast\', not both' : '\'key\' or \'onBroadcast\' is required' });
      }
      if (p.value !== undefined && p.key === undefined) ctx.addIssue({ code: 'custom', message: '\'value\' needs \'key\'', path: ['value'] });
      if ((p.output !== undefined) === (p.code !== undefined)) {
        ctx.addIssue({ code: 'custom', message: p.output !== undefined ? 'give either \'output\' or \'code\', not both' : '\'output\' or \'code\' is required' });
      }
      if (p.onTimer !== undefined && p.code === undefined) ctx.addIssue({ code: 'custom', message: '\'onTimer\' needs \'code\'', path: ['onTimer'] });
    }),
  inputs: [
    { name: 'main', doc: 'The stream to process, keyed (state and timers per key) or not.', keyed: 'optional' },
    { name: 'broadcast', doc: 'Records that update the broadcast state, seen by every key.', keyed: 'none' },
  ],
  outputs: [{ name: 'out', doc: 'Records built by `output` or sent by `ctx.emit` (either side).' }, ERRORS_PORT],
  keyed: 'optional',
  keyOutput: 'clear',
  // `output` over the main record (`...event`); `code` emits whatever it builds.
  outputFields: ({ params, inputs }) => (typeof params.output === 'string' ? objectExpressionFields(params.output, inputs.main!, 'set by output') : UNKNOWN),
  flinkExport: true,
  example: {
    key: '\'trending\'',
    value: 'top',
    output: '{ ...event, trending: broadcast.trending ?? [] }',
  },
});
