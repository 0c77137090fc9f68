import { z } from 'zod';
import { UNKNOWN } from '../../format/fields.js';
import { code } from '../../format/params.js';
import { stateDecl } from '../process/spec.js';
import { defineNode, ERRORS_PORT } from '../spec.js';

export const connectSpec = defineNode({
  type: 'connect',
  title: 'Connect (co-process)',
  category: 'keyed',
  doc: [
    'Two keyed streams sharing one keyed state and one timer service, in code: Flink\'s `KeyedCoProcessFunction` (`left.connect(right).keyBy(..).process(..)`), for what the joins cannot say — a profile built from several streams, a stream gated by another, a custom join. `onLeft` is `processElement1`, `onRight` is `processElement2`, `onTimer` is `onTimer`.',
    '',
    '- Both inputs must come from a keyBy, keyed alike: a record of either side sees the state of its key (`===`).',
    '- `ctx` is the process node\'s: `ctx.key`, `ctx.timestamp`, `ctx.watermark`, `ctx.now`, `ctx.emit(record)`, `ctx.state.value|list|map(name, opts?)`, `ctx.timers.eventTime|processingTime|deleteEventTime|deleteProcessingTime(ts)`; states and TTL as there (`state` declares them).',
    '- The watermark is the minimum of both inputs\' (event-time timers fire when it passes them). Flink gives no order between the two inputs; here records are handled in arrival order, fixed by the job (see "Two inputs" in Time), so the same input gives the same output.',
    '- Late records are processed like any other. An exception sends `{node, error, record}` to `errors`. Output records carry the record\'s (or timer\'s) timestamp and no key. Code needs trust.',
    '- On Flink: `left.connect(right).keyBy(key, key).process(KeyedCoProcessFunction)` running the code in GraalJS over Flink\'s keyed state and timers (as the process node). Flink interleaves the two inputs as they arrive, so code whose output depends on the order between the sides can give other results there.',
  ].join('\n'),
  params: z.strictObject({
    onLeft: code('Function body for each left record (processElement1), with `event` and `ctx` in scope.', ['event', 'ctx']),
    onRight: code('Function body for each right record (processElement2), with `event` and `ctx` in scope.', ['event', 'ctx']),
    onTimer: code('Function body run when a timer fires, with `timer` ({timestamp, domain}) and `ctx`.', ['timer', 'ctx']).optional(),
    state: z
      .record(z.string().min(1, 'a state needs a name'), stateDecl)
      .optional()
      .meta({ description: 'Declared states, shared by both sides: name → `{kind, ttl?, ttlUpdate?}` as in the process node.' }),
  }),
  inputs: [
    { name: 'left', doc: 'The first keyed stream (`onLeft`).', keyed: 'required' },
    { name: 'right', doc: 'The second keyed stream, keyed alike (`onRight`).', keyed: 'required' },
  ],
  outputs: [{ name: 'out', doc: 'Records the code sends with `ctx.emit(record)`.' }, ERRORS_PORT],
  keyed: 'required',
  keyOutput: 'clear',
  // Records are whatever the code passes to ctx.emit.
  outputFields: () => UNKNOWN,
  flinkExport: true,
  example: {
    onLeft: 'const p = ctx.state.value(\'profile\'); p.update({ ...(p.value() ?? {}), lastView: event.productId });',
    onRight: 'const p = ctx.state.value(\'profile\'); ctx.emit({ userId: ctx.key, ...(p.value() ?? {}), lastOrder: event.orderId });',
    state: { profile: { kind: 'value', ttl: '1d' } },
  },
});
