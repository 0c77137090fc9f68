import { z } from 'zod';
import { parseDuration } from '../../format/duration.js';
import { duration, expression } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { patternProblems } from './spec-rules.js';
import { closedSet, objectExpressionFields, UNKNOWN } from '../../format/fields.js';

const CONTIGUITY = ['strict', 'relaxed', 'any'] as const;
export const SKIP_STRATEGIES = ['noSkip', 'skipToNext', 'skipPastLastEvent', 'skipToFirst', 'skipToLast'] as const;

/**
 * Largest `min` / `max` of a quantifier. The NFA has one state per repetition (Flink's
 * NFACompiler builds times(n, m) the same way), so the pattern's size and snapshot grow with it;
 * beyond this, count with a window or keep a counter in a process node instead.
 */
export const MAX_REPEAT = 1000;
const REPEAT_LIMIT = `at most ${MAX_REPEAT}: the pattern has one state per repetition (as in Flink); to count more events, use a window or a process node with a counter`;

const step = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'step names are identifiers (letters, digits, _), so that select can read match.<name>')
    .refine((n) => n !== '__proto__', 'choose another step name')
    .meta({ description: 'Name of the step; the key of its events in the match.' }),
  where: expression('Condition an event must meet to be taken into this step. `match` holds the events taken so far by this partial match (Flink\'s iterative condition: `price > match.add[0].price`, `coalesce(sum(match.items, \'price\'), 0) + price < 500`).', { params: ['event', 'match'] }),
  contiguity: z
    .enum(CONTIGUITY)
    .default('relaxed')
    .meta({ description: 'How this step follows the previous one: `strict` (Flink `next`: the very next event), `relaxed` (`followedBy`: skip non-matching events), `any` (`followedByAny`: also skip matching ones, one match per choice). No effect on the first step.' }),
  negated: z.boolean().default(false).meta({ description: 'Match the absence of such an event: `notNext` with contiguity `strict`, `notFollowedBy` with `relaxed`.' }),
  quantifier: z
    .strictObject({
      min: z.number().int().min(0).max(MAX_REPEAT, REPEAT_LIMIT).meta({ description: `Fewest events, at most ${MAX_REPEAT}; 0 makes the step optional (Flink \`times(0, n)\`).` }),
      max: z.number().int().positive().max(MAX_REPEAT, REPEAT_LIMIT).nullable().meta({ description: `Most events, at most ${MAX_REPEAT}, or null for no bound (\`oneOrMore\` when min is 1, \`timesOrMore(min)\`).` }),
      inner: z.enum(CONTIGUITY).default('relaxed').meta({ description: 'Contiguity between the step\'s own events: `relaxed` (default), `strict` (Flink `consecutive()`), `any` (`allowCombinations()`).' }),
    })
    .optional()
    .meta({ description: 'Repeat the step: `{min, max}` is Flink `times(min, max)`, `{min, max: min}` `times(min)`, `{min, max: null}` `timesOrMore(min)` / `oneOrMore()`. Unset: exactly one event.' }),
  optional: z.boolean().default(false).meta({ description: 'The step may match no event at all (Flink `optional()`).' }),
  greedy: z.boolean().default(false).meta({ description: 'Repeat as many times as possible: an event the step can take is not offered to the next step (Flink `greedy()`).' }),
  until: expression('Stop condition of a looping step: once an event meets it, the step takes no more events (Flink `until()`); `match` as in `where`.', { params: ['event', 'match'] }).optional(),
});

export type CepStep = z.output<typeof step>;

const MATCH_FIELDS = [
  { name: 'key', doc: 'The match\'s key.' },
  { name: 'match', type: 'object', doc: 'Matched records by step name.' },
];

export const cepSpec = defineNode({
  type: 'cep',
  title: 'Pattern (CEP)',
  category: 'pattern',
  doc: [
    'Detects sequences of events per key with the semantics of Flink CEP: the steps of `pattern` compile once to Flink\'s NFA (`NFACompiler`), and every key\'s partial matches advance through it as its events arrive. Without an upstream keyBy every record has the one global key `null`.',
    '',
    '- Steps follow each other with `strict` (`next`), `relaxed` (`followedBy`) or `any` (`followedByAny`) contiguity; `negated` steps are `notNext` / `notFollowedBy`; `quantifier` repeats a step with `inner` contiguity; `optional`, `greedy` and `until` as in Flink.',
    '- `within` bounds the time from a match\'s first event to its last: a partial match older than that is dropped and sent to `timeout` as `{key, match, timeoutAt}` (`timeoutAt` = first event + within). A pattern ending in a negated `relaxed` step (notFollowedBy) needs `within`; its match is emitted once `within` has passed without the negated event (Flink ≥ 1.16), stamped first event + within (Flink stamps it with the watermark that revealed it, which depends on when watermarks happen to arrive). As in Flink, the wait for the negated event starts once the NFA has moved on from the step before it: after a single-event step at once, after a looping step only with the key\'s next event (until then the partial match can still grow, and if no event comes it times out instead).',
    '- `afterMatch` is Flink\'s AfterMatchSkipStrategy: `noSkip` keeps every match; `skipToNext` drops partial matches that started with the match\'s first event; `skipPastLastEvent` those that started before its last event; `skipToFirst` / `skipToLast` (with `step`) those that started before the first / last event of that step. Under a skip strategy a match waits until no partial match that started earlier is alive, as in Flink.',
    '- Event time (`time: event`): records are buffered and fed to the NFA in timestamp order (ties in arrival order) once the watermark passes them; `within` expires as the watermark advances. Records at or behind the watermark go to `late` (without an edge they are counted in the late figure and dropped, as Flink drops them). Event time needs watermarks: behind a source without `eventTime`, records wait until the input ends; use `time: processing` there. Processing time: records are fed on arrival, stamped with the node\'s clock, and `within` expires on the clock. The end of a bounded input is the end of time in both: buffered records are fed, then every partial match expires.',
    '- Output on `out`: `{key, match}` with `match` = `{<step>: [records…]}` (steps that took no event are left out, records in event order), stamped with the last event\'s timestamp (a match held back by a skip strategy until earlier partial matches timed out: with the time they did); or what `select` makes of `match` and `key`.',
    '- State per key is the NFA\'s partial matches, which share their events (Flink\'s SharedBuffer idea: each record is held once, a partial match points at its last event and each event at the one before), plus the buffered records. With `within`, a key\'s state is gone once its partial matches expire, so memory stays flat over an endless stream. The node\'s state figure counts keys, bytes and partial matches alive.',
    '- A `where`, `until` or `select` that throws on a record sends `{node, error, record}` to `errors`; the key\'s partial matches are left as if the record had not arrived.',
    '- Validation applies Flink\'s rules with explanations: unique step names; no negated first step; a negated step cannot directly follow one that may match no event; a pattern ending in notFollowedBy needs `within`; `until` needs a looping step; `greedy` needs a quantifier (and not `inner: any`); an optional step cannot follow a greedy one; an optional greedy step with `until` cannot follow notFollowedBy (Flink compiles that into an NFA that fails at run time).',
  ].join('\n'),
  params: z
    .strictObject({
      pattern: z.array(step).min(1, 'a pattern needs at least one step').meta({ description: 'The steps, in order (Flink `begin` then `next` / `followedBy` / …).' }),
      within: duration('Longest time from a match\'s first event to its last (Flink `within`). Unset: partial matches never expire.').optional(),
      afterMatch: z
        .strictObject({
          strategy: z.enum(SKIP_STRATEGIES).default('noSkip').meta({ description: 'Flink AfterMatchSkipStrategy.' }),
          step: z.string().optional().meta({ description: '`skipToFirst` / `skipToLast`: the step whose first / last event the next match may start at.' }),
        })
        .default({ strategy: 'noSkip' })
        .meta({ description: 'What happens to overlapping partial matches after a match (Flink AfterMatchSkipStrategy).' }),
      select: expression('Shape of each match on `out`, an expression over `match` ({step: [records]}) and `key`, e.g. `{ userId: key, first: match.add[0] }`. Unset: `{key, match}`.', { params: ['match', 'key'] }).optional(),
      time: z.enum(['event', 'processing']).default('event').meta({ description: 'Event time (record timestamps and watermarks, Flink\'s default) or processing time (the node\'s clock, Flink `inProcessingTime()`).' }),
    })
    .superRefine((p, ctx) => {
      const within = p.within === undefined ? null : parseDuration(p.within);
      for (const problem of patternProblems(p, within)) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
    }),
  inputs: [{ name: 'in', doc: 'Records to match, keyed by an upstream keyBy (or one global key).' }],
  outputs: [
    { name: 'out', doc: 'One record per match: `{key, match}`, or what `select` makes of it.' },
    { name: 'timeout', doc: 'Partial matches dropped by `within`: `{key, match, timeoutAt}`.' },
    { name: 'late', doc: 'Records at or behind the watermark when they arrived (event time), unchanged.' },
    ERRORS_PORT,
  ],
  keyed: 'optional',
  keyOutput: 'clear',
  outputFields: ({ params, port }) => {
    if (port === 'timeout') return closedSet([...MATCH_FIELDS, { name: 'timeoutAt', type: 'number', doc: 'When the match timed out (epoch ms).' }]);
    return typeof params.select === 'string' ? objectExpressionFields(params.select, UNKNOWN, 'set by select') : closedSet(MATCH_FIELDS);
  },
  flinkExport: true,
  example: {
    pattern: [
      { name: 'add', where: "eventType == 'ADD_TO_CART' && price * quantity >= 100" },
      { name: 'paid', negated: true, where: "eventType == 'PURCHASE'" },
    ],
    within: '15m',
    select: '{ userId: key, productId: match.add[0].productId, addedAt: match.add[0].ts }',
  },
});
