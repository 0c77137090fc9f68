import { z } from 'zod';
import { parseDuration } from '../../format/duration.js';
import { code, duration } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { UNKNOWN } from '../../format/fields.js';

const ttl = duration('Time to live, in processing time: a value, list element or map entry not written (or, with `onReadAndWrite`, read) for this long is gone. Unset: kept until cleared.').refine(
  (v) => (parseDuration(v) ?? 0) > 0,
  { message: 'ttl must be longer than 0' },
);

export const stateDecl = z
  .strictObject({
    kind: z.enum(['value', 'list', 'map']).meta({ description: 'Flink ValueState, ListState or MapState.' }),
    ttl: ttl.optional(),
    ttlUpdate: z.enum(['onCreateAndWrite', 'onReadAndWrite']).optional().meta({ description: 'What refreshes the TTL (Flink StateTtlConfig.UpdateType); default `onCreateAndWrite`.' }),
  })
  .superRefine((d, ctx) => {
    if (d.ttlUpdate !== undefined && d.ttl === undefined) ctx.addIssue({ code: 'custom', message: 'ttlUpdate needs a ttl', path: ['ttlUpdate'] });
  });

export type StateDecl = z.output<typeof stateDecl>;

export const processSpec = defineNode({
  type: 'process',
  title: 'Process',
  category: 'keyed',
  doc: [
    'Runs `code` for every record with per-key state and timers at hand: Flink\'s `KeyedProcessFunction` (`code` is `processElement`, `onTimer` is `onTimer`, `open` is `open`). Without an upstream keyBy every record has the one global key `null`. Output records carry no key (keyBy again downstream). On Flink: a `KeyedProcessFunction` running the code in GraalJS over Flink\'s keyed state and timers (docs/flink.md lists where the two differ).',
    '',
    '`ctx`, the same object for every call:',
    '',
    '- `ctx.key`: the current key. `ctx.timestamp`: the record\'s timestamp (in `onTimer`, the timer\'s). `ctx.watermark`: the node\'s watermark, −Infinity before the first (in `onTimer` for an event-time timer, the watermark that fired it). `ctx.now`: processing time, epoch ms.',
    '- `ctx.emit(record, port = \'out\')`: send an object to `out` or to `side` (a side output), stamped with `ctx.timestamp` (Flink\'s TimestampedCollector). The code\'s return value is ignored.',
    '- `ctx.state.value(name, opts?)`, `ctx.state.list(name, opts?)`, `ctx.state.map(name, opts?)`: the handle of a state, created on first use, the same object on every call; it follows the current key, so a handle obtained once (in `open`) serves every record. Value: `value()` (undefined when none), `update(v)` (null or undefined clears), `clear()`. List: `get()` (a copy, oldest first), `size()`, `at(i)` (0 the oldest, -1 the newest; undefined outside), `forEach((v, i) => …)` (oldest first), `add(v)`, `addAll(vs)`, `update(vs)`, `keepLast(n)` (drop the oldest beyond `n`), `clear()`. Map: `get(k)`, `put(k, v)`, `increment(k, by = 1)` (adds to the number at `k`, 0 when absent; returns the sum), `remove(k)`, `contains(k)`, `top(n)` (the `n` entries with the largest numeric values as `[key, value]`, largest first, ties by key ascending; kept up to date by every write, so it costs no sort), `forEach((v, k) => …)`, `size()`, `entries()`, `keys()`, `values()` (copies), `isEmpty()`, `clear()`; keys are strings, finite numbers or booleans. `size`, `at`, `forEach` and `top` read in place: no copy of the list or map. `opts` is `{ttl, ttlUpdate}` as in `state`. A state declared in `state` is used as declared: ask for it without `opts` or with the same; other `opts` or another kind is an error naming the state.',
    '- `this`: an object of the node\'s own, the same in `open`, `code` and `onTimer` (the fields of Flink\'s function object). `open` keeps state handles and constants there, e.g. `this.recent = ctx.state.list(\'recent\')`. It is not checkpointed: what must survive a restart belongs in state.',
    '- TTL follows Flink\'s `StateTtlConfig`: processing time, read once per input batch (handled in milliseconds; TTLs are minutes or hours); `onCreateAndWrite` (default) or `onReadAndWrite`; expired state is never returned; list elements and map entries expire one by one. Expired state is removed when read and by an incremental cleanup (a few entries per record and per state access), and a key left without state is dropped, so memory stays flat over ever-new keys.',
    '- `ctx.timers.eventTime(ts)`, `ctx.timers.processingTime(ts)`, `ctx.timers.deleteEventTime(ts)`, `ctx.timers.deleteProcessingTime(ts)`: timers of the current key, one per key and time in each domain. An event-time timer fires when the watermark reaches `ts`, a processing-time timer when the clock does, in timestamp order; `onTimer` then runs with `timer` = `{timestamp, domain}` (`domain` is `\'event\'` or `\'processing\'`) and `ctx.key` set to the timer\'s key. A timer registered in `onTimer` for a time already reached fires in the same pass.',
    '- The end of a bounded input is the end of time for both domains (as in Flink\'s BATCH execution mode): the final watermark fires every pending event-time timer, then every processing-time timer. Timers registered meanwhile fire too if they are not later than the pending ones (or the time already reached), each at most once, so a timer that re-arms itself stops. An interrupted run fires nothing more.',
    '- Records behind the watermark are processed like any other (a process function sees late records; there is no late port).',
    '- An exception in `code` or `onTimer`, or a bad `ctx.emit`, sends `{node, error, record}` to `errors` (from `onTimer`, `record` is `{timer, key}`); records emitted and state written before it stay.',
  ].join('\n'),
  params: z.strictObject({
    code: code('Function body run for each record (processElement), with `event` (the record) and `ctx` in scope.', ['event', 'ctx']),
    onTimer: code('Function body run when a timer fires, with `timer` ({timestamp, domain}) and `ctx` in scope. Unset: timers fire without effect.', ['timer', 'ctx']).optional(),
    open: code('Function body run once when the node starts, before any record (Flink\'s `open`), with `ctx` in scope: obtain state handles and build constants on `this`. There is no current key or record: reading or writing state, `ctx.emit` and `ctx.timers` here are errors. Unset: nothing to prepare.', ['ctx']).optional(),
    state: z
      .record(z.string().min(1, 'a state needs a name'), stateDecl)
      .optional()
      .meta({ description: 'Declared states: name → `{kind, ttl?, ttlUpdate?}` with `kind` `value`, `list` or `map`. Declaring puts the TTL in the pipeline file; code then asks for the state by name.' }),
  }),
  inputs: [{ name: 'in', doc: 'Records, keyed by an upstream keyBy (or one global key).' }],
  outputs: [
    { name: 'out', doc: 'Records the code sends with `ctx.emit(record)`.' },
    { name: 'side', doc: 'Records the code sends with `ctx.emit(record, \'side\')`.' },
    ERRORS_PORT,
  ],
  keyed: 'optional',
  keyOutput: 'clear',
  // Code emits the records (`ctx.emit`): their fields cannot be known before running.
  outputFields: () => UNKNOWN,
  flinkExport: true,
  example: {
    code: [
      '// Count a user\'s events; report once they have been quiet for 30 minutes of event time.',
      'const count = ctx.state.value(\'count\');',
      'count.update((count.value() ?? 0) + 1);',
      'const due = ctx.state.value(\'due\');',
      'if (due.value() !== undefined) ctx.timers.deleteEventTime(due.value());',
      'due.update(ctx.timestamp + 30 * 60_000);',
      'ctx.timers.eventTime(due.value());',
    ].join('\n'),
    onTimer: [
      'ctx.emit({ userId: ctx.key, events: ctx.state.value(\'count\').value(), quietSince: timer.timestamp - 30 * 60_000 });',
      'ctx.state.value(\'count\').clear();',
      'ctx.state.value(\'due\').clear();',
    ].join('\n'),
    state: { count: { kind: 'value', ttl: '1d' }, due: { kind: 'value', ttl: '1d' } },
  },
});
