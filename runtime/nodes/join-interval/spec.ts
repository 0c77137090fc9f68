import { z } from 'zod';
import { objectExpressionFields, UNKNOWN } from '../../format/fields.js';
import { expression, FORMATS } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { signedDuration } from '../window/spec.js';

function bound(description: string) {
  return z
    .union([z.number(), z.string()])
    .superRefine((v, ctx) => {
      if (signedDuration(v) === null) ctx.addIssue({ code: 'custom', message: `invalid bound ${JSON.stringify(v)}: use milliseconds or "[-]<n><unit>" with unit ms, s, m, h or d (e.g. "-30m")` });
    })
    .meta({ description, format: FORMATS.duration });
}

/** Bounds in ms with exclusivity folded in, as IntervalJoinOperator's constructor does (+1 / −1). */
export function effectiveBounds(p: { lowerBound: number | string; upperBound: number | string; lowerBoundExclusive: boolean; upperBoundExclusive: boolean }): { lower: number; upper: number } {
  const lo = signedDuration(p.lowerBound) ?? 0;
  const hi = signedDuration(p.upperBound) ?? 0;
  return { lower: p.lowerBoundExclusive ? lo + 1 : lo, upper: p.upperBoundExclusive ? hi - 1 : hi };
}

export const joinIntervalSpec = defineNode({
  type: 'join.interval',
  title: 'Interval join',
  category: 'keyed',
  doc: [
    'Joins two keyed streams on equal keys where the right record\'s event time lies within bounds relative to the left one\'s: `left.ts + lowerBound ≤ right.ts ≤ left.ts + upperBound` (Flink\'s `KeyedStream.intervalJoin(...).between(lowerBound, upperBound)`, run by its `IntervalJoinOperator`). Every matching pair becomes one record built by `output`, stamped with the larger of the two timestamps. Inner join: a record without a partner yields nothing.',
    '',
    '- Both inputs must come from a keyBy, keyed alike: records meet when their keys are equal (`===`, so the string `"7"` never meets the number `7`).',
    '- Bounds are inclusive; `lowerBoundExclusive` / `upperBoundExclusive` exclude them (Flink\'s `lowerBoundExclusive()` / `upperBoundExclusive()`).',
    '- Event time only. The node\'s watermark is the minimum of both inputs\' (the same rule as union). A record behind the watermark (`ts < watermark`) is late: it joins nothing and goes to `late` as `{side, record}` (Flink\'s `sideOutputLeftLateData` / `sideOutputRightLateData`); without an edge from `late` it is counted in the node\'s late figure and dropped.',
    '- State: each side keeps its records until the watermark makes a match impossible — a left record until the watermark reaches `ts + max(upperBound, 0)`, a right one until `ts + max(−lowerBound, 0)` (IntervalJoinOperator\'s cleanup timers), so memory follows the bounds, not the run\'s length. As in Flink, a record whose partner is exactly at that edge and arrives once the watermark stands on it may miss the partner already cleaned up.',
    '- Order: a new record is paired with the other side\'s buffered records in timestamp order (equal timestamps in arrival order); records from the two inputs are handled in arrival order, which the job fixes (see "Two inputs" in Time).',
    '- On Flink: `left.keyBy(..).intervalJoin(right.keyBy(..)).between(lower, upper)` (with `lowerBoundExclusive()` / `upperBoundExclusive()`, `sideOutputLeftLateData` / `sideOutputRightLateData`) and a `ProcessJoinFunction` evaluating `output`. Which records are late depends there on how Flink interleaves the inputs; the pairs one record makes come in the order Flink walks its buffer (a `MapState` by timestamp: on the heap state backend, no order), so a sink keeping only the last write (`HSET`, `SET`) may keep another pair there; a pair whose `output` fails is reported with the later-stamped record of the two (the left on a tie), since Flink does not say which arrived second.',
  ].join('\n'),
  params: z
    .strictObject({
      lowerBound: bound('Earliest right timestamp relative to the left record\'s, e.g. "-30m" (may be negative or positive).'),
      upperBound: bound('Latest right timestamp relative to the left record\'s, e.g. "30m".'),
      lowerBoundExclusive: z.boolean().default(false).meta({ description: 'Exclude a right record exactly at `lowerBound`.' }),
      upperBoundExclusive: z.boolean().default(false).meta({ description: 'Exclude a right record exactly at `upperBound`.' }),
      output: expression('Object expression building the joined record from `left`, `right` and `key`, e.g. `{...left, order: right.orderId}`.', { params: ['left', 'right', 'key'], fieldsOf: null }),
    })
    .superRefine((p, ctx) => {
      const lo = signedDuration(p.lowerBound);
      const hi = signedDuration(p.upperBound);
      if (lo === null || hi === null) return;
      const b = effectiveBounds(p);
      if (lo > hi) ctx.addIssue({ code: 'custom', message: 'lowerBound must not be greater than upperBound', path: ['lowerBound'] });
      else if (b.lower > b.upper) ctx.addIssue({ code: 'custom', message: 'the interval is empty once its exclusive bounds are left out', path: ['upperBoundExclusive'] });
    }),
  inputs: [
    { name: 'left', doc: 'The first keyed stream (`left` in `output`).', keyed: 'required' },
    { name: 'right', doc: 'The second keyed stream, keyed alike (`right` in `output`).', keyed: 'required' },
  ],
  outputs: [
    { name: 'out', doc: 'One record per matching pair, stamped with the later of the two timestamps.' },
    { name: 'late', doc: 'Records behind the watermark on arrival, as `{side: "left" | "right", record}`.' },
    ERRORS_PORT,
  ],
  keyed: 'required',
  keyOutput: 'clear',
  // `output` builds each pair's record: its keys, plus the fields of a spread side (`...left`).
  outputFields: ({ params, inputs }) => (typeof params.output === 'string' ? objectExpressionFields(params.output, UNKNOWN, 'set by output', { left: inputs.left!, right: inputs.right! }) : UNKNOWN),
  flinkExport: true,
  example: { lowerBound: '-30m', upperBound: '30m', output: '{ userId: key, page: left.productId, orderId: right.orderId }' },
});
