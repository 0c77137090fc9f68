import { z } from 'zod';
import { parseDuration } from '../../format/duration.js';
import { duration, FORMATS } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { closedSet } from '../../format/fields.js';

/** A window offset: like a duration, but may be negative ("-8h"), as Flink's offsets may. */
function offset(description: string) {
  return z
    .union([z.number(), z.string()])
    .superRefine((v, ctx) => {
      if (signedDuration(v) === null) ctx.addIssue({ code: 'custom', message: `invalid offset ${JSON.stringify(v)}: use milliseconds or "[-]<n><unit>" with unit ms, s, m, h or d` });
    })
    .default(0)
    .meta({ description, format: FORMATS.duration });
}

export function signedDuration(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  const d = parseDuration(t.startsWith('-') ? t.slice(1) : t);
  return d === null ? null : t.startsWith('-') ? -d : d;
}

function positive(v: unknown): boolean {
  const d = parseDuration(v);
  return d !== null && d > 0;
}

const size = (what: string) => duration(what).refine(positive, { message: 'must be longer than 0' });

export const tumbling = z
  .strictObject({
    kind: z.literal('tumbling'),
    size: size('Window length.'),
    offset: offset('Shift of the window grid from the epoch, |offset| < size (e.g. "-8h" for days in UTC+8).'),
  })
  .refine((a) => Math.abs(signedDuration(a.offset) ?? 0) < (parseDuration(a.size) ?? 0), { message: '|offset| must be smaller than size', path: ['offset'] })
  .meta({ description: 'Fixed-size, non-overlapping windows (Flink TumblingEventTimeWindows / TumblingProcessingTimeWindows).' });

/**
 * Most windows one record may fall in. Every record updates each of its ceil(size/slide)
 * windows, and each key holds that many open windows, so time and memory grow with the ratio:
 * 2d/1ms is 172,800,000 windows per record and no machine runs it.
 */
export const MAX_WINDOWS_PER_RECORD = 10_000;

export const sliding = z
  .strictObject({
    kind: z.literal('sliding'),
    size: size('Window length.'),
    slide: size('How often a new window starts.'),
    offset: offset('Shift of the window grid from the epoch, |offset| < slide.'),
  })
  .refine((a) => Math.abs(signedDuration(a.offset) ?? 0) < (parseDuration(a.slide) ?? 0), { message: '|offset| must be smaller than slide', path: ['offset'] })
  .superRefine((a, ctx) => {
    const n = Math.ceil((parseDuration(a.size) ?? 0) / (parseDuration(a.slide) ?? Infinity));
    if (n > MAX_WINDOWS_PER_RECORD) {
      ctx.addIssue({
        code: 'custom',
        path: ['slide'],
        message: `size ${JSON.stringify(a.size)} with slide ${JSON.stringify(a.slide)} puts every record in ${n.toLocaleString('en-US')} windows; the limit is ${MAX_WINDOWS_PER_RECORD.toLocaleString('en-US')}, because each record updates every window it is in. Use a larger slide, or a tumbling window of the slide's length followed by a process node that combines the last size/slide results`,
      });
    }
  })
  .meta({ description: `Overlapping windows of \`size\` starting every \`slide\`; a record belongs to ceil(size/slide) windows (Flink SlidingEventTimeWindows), at most ${MAX_WINDOWS_PER_RECORD.toLocaleString('en-US')}.` });

export const session = z
  .strictObject({
    kind: z.literal('session'),
    gap: size('A key\'s window closes after this long without its records.'),
  })
  .meta({ description: 'Per-key windows of activity separated by at least `gap` (Flink EventTimeSessionWindows.withGap).' });

const global = z
  .strictObject({
    kind: z.literal('global'),
    count: z.number().int().positive().meta({ description: 'Fire and clear a key\'s window every this many records.' }),
  })
  .meta({ description: 'Count windows: every `count` records of a key form a window (Flink countWindow: GlobalWindows with a purging CountTrigger). A partial window is never emitted, as in Flink.' });

const FNS = ['count', 'sum', 'min', 'max', 'avg', 'first', 'last', 'collect', 'countDistinct', 'topK', 'approxCountDistinct', 'approxTopK'] as const;
export type AggregateFn = (typeof FNS)[number];
/** Aggregates that read a number from `field` (null and missing values are skipped, as in SQL). */
export const NUMERIC_FNS: ReadonlySet<AggregateFn> = new Set(['sum', 'min', 'max', 'avg']);
const NEEDS_FIELD: ReadonlySet<AggregateFn> = new Set(['sum', 'min', 'max', 'avg', 'countDistinct', 'topK', 'approxCountDistinct', 'approxTopK']);

const aggregate = z
  .strictObject({
    fn: z.enum(FNS).meta({ description: 'Aggregate function.' }),
    field: z.string().min(1).optional().meta({ description: 'Record field (dots for nested fields) the function reads. Optional for `count` (counts records; with a field, non-null values), `first`, `last` and `collect` (the whole record).' }),
    k: z.number().int().positive().max(1000).optional().meta({ description: '`topK`, `approxTopK`: how many values to keep (default 10).' }),
    precision: z.number().int().min(4).max(16).optional().meta({ description: '`approxCountDistinct`: HyperLogLog precision p, 2^p registers, relative error ≈ 1.04/√(2^p) (default 12: 1.6 %).' }),
  })
  .superRefine((a, ctx) => {
    if (NEEDS_FIELD.has(a.fn) && a.field === undefined) ctx.addIssue({ code: 'custom', message: `'${a.fn}' needs a field`, path: ['field'] });
    if (a.k !== undefined && a.fn !== 'topK' && a.fn !== 'approxTopK') ctx.addIssue({ code: 'custom', message: `k applies only to topK and approxTopK, not '${a.fn}'`, path: ['k'] });
    if (a.precision !== undefined && a.fn !== 'approxCountDistinct') ctx.addIssue({ code: 'custom', message: `precision applies only to approxCountDistinct, not '${a.fn}'`, path: ['precision'] });
  });

export type AggregateSpec = z.output<typeof aggregate>;

const RESERVED = new Set(['key', 'windowStart', 'windowEnd']);

export const windowSpec = defineNode({
  type: 'window',
  title: 'Window',
  category: 'keyed',
  doc: [
    'Groups a keyed stream into windows and emits one record per key and window: `{key, windowStart, windowEnd, ...aggregates}` (`windowStart`/`windowEnd` are null for count windows). Without an upstream keyBy every record falls in one global key, `null`. Semantics are Flink\'s WindowOperator with its default triggers:',
    '',
    '- Windows are `[start, end)` on a grid aligned to the epoch plus `offset` (Flink `TimeWindow.getWindowStartWithOffset`, negative timestamps included); a sliding window may start before 0. Session windows merge whenever they touch or overlap (`TimeWindow.intersects`), per key.',
    '- Event time: a window fires when the watermark reaches `end − 1`; the result carries timestamp `end − 1`. The final watermark of an exhausted input closes every window.',
    '- `allowedLateness`: a window keeps its state until the watermark passes `end − 1 + allowedLateness`; a late record inside that span updates the window and fires it again at once (a late firing). A record too late for all its windows goes to `late` unchanged (without an edge it is counted in the node\'s late figure and dropped, as Flink drops it).',
    '- Processing time (`time: processing`): a record falls in the window of the wall-clock time it arrives; windows fire on the wall clock. At the end of a bounded input the remaining windows fire (the end of input is the end of time, as in Flink\'s BATCH mode); an interrupted run emits nothing more.',
    '- Aggregates are incremental: a window holds accumulators, never records (except `collect`). `first`, `last` and `collect` follow arrival order. `topK` lists `[{value, count}]` by count desc then value asc. `approxCountDistinct` (HyperLogLog) and `approxTopK` (Count-Min Sketch with a candidate heap) use bounded memory for high-cardinality fields.',
    '- A record whose numeric field holds a non-number goes to `errors` and counts in no aggregate.',
  ].join('\n'),
  params: z.strictObject({
    assigner: z.discriminatedUnion('kind', [tumbling, sliding, session, global]).meta({ description: 'Which windows a record belongs to: `tumbling` {size, offset}, `sliding` {size, slide, offset}, `session` {gap}, `global` {count}.' }),
    time: z.enum(['event', 'processing']).default('event').meta({ description: 'Event time (record timestamps and watermarks) or processing time (the wall clock).' }),
    allowedLateness: duration('How long after a window fires it still accepts late records (event time only).').default(0),
    aggregates: z
      .record(z.string().regex(/^[A-Za-z_$][\w$]*$/, 'aggregate names must be identifiers'), aggregate)
      .superRefine((m, ctx) => {
        for (const name of Object.keys(m)) if (RESERVED.has(name)) ctx.addIssue({ code: 'custom', message: `'${name}' is a field of every window result; choose another name`, path: [name] });
      })
      .refine((m) => Object.keys(m).length > 0, { message: 'at least one aggregate' })
      .meta({ description: 'Output field → aggregate `{fn, field?, k?, precision?}`.' }),
  }),
  inputs: [{ name: 'in', doc: 'Records to aggregate, keyed by an upstream keyBy (or one global key).' }],
  outputs: [
    { name: 'out', doc: 'One result per key and window firing.' },
    { name: 'late', doc: 'Records that arrived after all their windows had closed (beyond `allowedLateness`), unchanged.' },
    ERRORS_PORT,
  ],
  keyed: 'optional',
  keyOutput: 'clear',
  outputFields: ({ params }) =>
    closedSet([
      { name: 'key', doc: 'The window\'s key.' },
      { name: 'windowStart', type: 'number', doc: 'Window start, epoch ms (inclusive); null for count windows.' },
      { name: 'windowEnd', type: 'number', doc: 'Window end, epoch ms (exclusive); null for count windows.' },
      ...Object.entries((params.aggregates ?? {}) as Record<string, { fn?: string }>).map(([name, a]) => ({ name, doc: `${a?.fn ?? 'aggregate'} aggregate` })),
    ]),
  flinkExport: true,
  example: {
    assigner: { kind: 'tumbling', size: '1m' },
    aggregates: { views: { fn: 'count' }, revenue: { fn: 'sum', field: 'price' } },
  },
});
