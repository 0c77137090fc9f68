import { z } from 'zod';
import { objectExpressionFields, UNKNOWN } from '../../format/fields.js';
import { expression } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { session, sliding, tumbling } from '../window/spec.js';

export const joinWindowSpec = defineNode({
  type: 'join.window',
  title: 'Window join',
  category: 'keyed',
  doc: [
    'Joins two keyed streams per key and event-time window: when a window closes, every left record of the window is paired with every right record of the same key and window (Flink\'s `left.join(right).where(..).equalTo(..).window(assigner).apply(..)`, which Flink runs as a coGroup over the union of both inputs in one WindowOperator). `output` builds each pair\'s record, stamped with the window\'s last millisecond (`end − 1`, Flink\'s `window.maxTimestamp()`).',
    '',
    '- `assigner`: tumbling, sliding or session windows, with the window node\'s arithmetic (`TumblingEventTimeWindows`, `SlidingEventTimeWindows`, `EventTimeSessionWindows`). Session windows are per key over both inputs together: a record of either side extends the session.',
    '- `type`: `inner` (Flink\'s join: only windows with records on both sides yield pairs); `left`, `right` or `full` outer, the coGroup a Flink job writes by hand: a window without records on the other side still yields one record per record, with the missing side `null`.',
    '- Both inputs must come from a keyBy, keyed alike (keys equal with `===`). Event time; the watermark is the minimum of both inputs\'. A window closes when the watermark reaches `end − 1`. A record whose windows have all closed is late: it goes to `late` as `{side, record}`, or without an edge is counted and dropped (as Flink drops it).',
    '- Order: windows close in order of their end (ties in the order they opened); within a window, pairs follow arrival order, left-major — the nested loop of Flink\'s JoinCoGroupFunction. Records of the two inputs are taken in arrival order, fixed by the job (see "Two inputs" in Time).',
    '- State: a window\'s records are held until it closes, then dropped.',
    '- On Flink: what `JoinedStreams` / `CoGroupedStreams` build, written out so that late records reach a side output: both inputs tagged with their side, unioned, keyed and windowed by one `WindowOperator` (`sideOutputLateData` for `late`), a `ProcessWindowFunction` running the nested loop. Which records are late depends there on how Flink interleaves the inputs.',
  ].join('\n'),
  params: z.strictObject({
    assigner: z.discriminatedUnion('kind', [tumbling, sliding, session]).meta({ description: 'How records are grouped into windows (event time).' }),
    type: z.enum(['inner', 'left', 'right', 'full']).default('inner').meta({ description: 'Inner join, or left / right / full outer (coGroup).' }),
    output: expression('Object expression building the joined record from `left`, `right` (null for a missing side of an outer join), `key` and `window` ({start, end}).', { params: ['left', 'right', 'key', 'window'], fieldsOf: null }),
  }),
  inputs: [
    { name: 'left', doc: 'The first keyed stream (`left` in `output`).', keyed: 'required' },
    { name: 'right', doc: 'The second keyed stream, keyed alike (`right` in `output`).', keyed: 'required' },
  ],
  outputs: [
    { name: 'out', doc: 'One record per pair (and per unpaired record of an outer side) when a window closes.' },
    { name: 'late', doc: 'Records whose windows had all closed on arrival, as `{side: "left" | "right", record}`.' },
    ERRORS_PORT,
  ],
  keyed: 'required',
  keyOutput: 'clear',
  // `output` builds each pair's record: its keys, plus the fields of a spread side (`...left`).
  outputFields: ({ params, inputs }) => (typeof params.output === 'string' ? objectExpressionFields(params.output, UNKNOWN, 'set by output', { left: inputs.left!, right: inputs.right! }) : UNKNOWN),
  flinkExport: true,
  example: {
    assigner: { kind: 'tumbling', size: '10m' },
    type: 'inner',
    output: '{ userId: key, windowStart: window.start, viewed: left.productId, bought: right.productId }',
  },
});
