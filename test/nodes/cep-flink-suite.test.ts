// Conformance with Flink's own CEP test suite (flink-cep: NotPatternITCase, AfterMatchSkipITCase,
// GreedyITCase, NFAITCase): the same patterns over the same events must give the same matches.
// Flink's NFA tests feed events in list order (advanceTime to each event's timestamp first); where
// a test's timestamps are out of order, the events here get their list position as timestamp so
// the cep node, which sorts by timestamp, sees them in the same order.
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { cepHarness, type Ev, matches, pushEvents, sorted, step, type Step } from '../support/cep.js';

const where = (name: string, expr: string, more: Step = {}): Step => ({ name, where: expr, ...more });
const has = (s: string) => `contains(name, '${s}')`;
const at = (spec: string): Ev[] => spec.split(' ').map((x) => {
  const [name, ts] = x.split('@');
  return { name: name!, ts: Number(ts) };
});

describe('NotPatternITCase', () => {
  it('testNotNext', () => {
    const p = { pattern: [step('start', 'a'), step('notPattern', 'b', { negated: true, contiguity: 'strict' }), step('middle', 'c', { contiguity: 'any' }), step('end', 'd')] };
    expect(sorted(matches(p, 'a1 c1 b1 c2 d'))).toEqual(['a1 c1 d', 'a1 c2 d']);
  });

  it('testNotNextNoMatches', () => {
    const p = { pattern: [step('start', 'a'), step('notPattern', 'b', { negated: true, contiguity: 'strict' }), step('middle', 'c'), step('end', 'd')] };
    expect(matches(p, 'a1 b1 c1 c2 d')).toEqual([]);
  });

  it('testNotNextNoMatchesAtTheEnd', () => {
    const p = { pattern: [step('start', 'a'), step('middle', 'c', { contiguity: 'any' }), step('end', 'd', { contiguity: 'any' }), step('notPattern', 'b', { negated: true, contiguity: 'strict' })] };
    expect(matches(p, 'a1 c1 c2 d b1')).toEqual([]);
  });

  it('testNotFollowedBy', () => {
    const p = { pattern: [step('start', 'a'), step('notPattern', 'b', { negated: true }), step('middle', 'c', { contiguity: 'any' }), step('end', 'd')] };
    expect(matches(p, 'a1 c1 b1 c2 d')).toEqual(['a1 c1 d']);
  });

  it('testNotFollowedByBeforeOptional', () => {
    const p = { pattern: [step('start', 'a'), step('notPattern', 'b', { negated: true }), step('middle', 'c', { contiguity: 'any', optional: true }), step('end', 'd')] };
    expect(matches(p, 'a1 c1 b1 c2 d')).toEqual(['a1 c1 d']);
  });

  it('testTimesWithNotFollowedBy', () => {
    const p = { pattern: [step('start', 'a'), step('middle', 'b', { contiguity: 'any', quantifier: { min: 2, max: 2 } }), step('notPattern', 'c', { negated: true }), step('end', 'd')] };
    expect(matches(p, 'a1 b1 c b2 d')).toEqual([]);
  });

  it('testIgnoreStateOfTimesWithNotFollowedBy', () => {
    const p = { pattern: [step('start', 'a'), step('notPattern', 'b', { negated: true }), step('middle', 'c', { contiguity: 'any', quantifier: { min: 2, max: 2 }, optional: true }), step('end', 'd')] };
    expect(matches(p, 'a1 d1 e b1 c1 c2 d2')).toEqual(['a1 d1']);
  });

  it('testTimesWithNotFollowedByAfter', () => {
    const p = { pattern: [step('start', 'a'), step('middle', 'b', { contiguity: 'any', quantifier: { min: 2, max: 2 } }), step('notPattern', 'c', { negated: true }), step('end', 'd')] };
    expect(matches(p, 'a1 d1 e b1 b2 c1 d2')).toEqual([]);
  });

  it('testNotFollowedByBeforeOptionalAtTheEnd', () => {
    const p = { pattern: [step('start', 'a'), step('notPattern', 'b', { negated: true }), step('end', 'c', { contiguity: 'any', optional: true })] };
    expect(sorted(matches(p, 'a1 c1 b1 c2'))).toEqual(['a1', 'a1 c1']);
  });

  it('testNotFollowedByBeforeOptionalTimes', () => {
    const p = { pattern: [step('start', 'a'), step('notPattern', 'b', { negated: true }), step('middle', 'c', { contiguity: 'any', quantifier: { min: 2, max: 2 }, optional: true }), step('end', 'd')] };
    expect(matches(p, 'a1 c1 b1 c2 d')).toEqual(['a1 c1 c2 d']);
  });

  it('testNotFollowedByWithBranchingAtStart', () => {
    const p = { pattern: [step('start', 'a'), step('notPattern', 'b', { negated: true }), step('middle', 'c'), step('end', 'd')] };
    expect(matches(p, 'a1 b1 c1 a2 c2 d')).toEqual(['a2 c2 d']);
  });

  const NOT_NEXT_DATA = 'a1 b1 c1 b2 d1';
  it('testNotNextAfterOneOrMoreSkipTillNext / SkipTillAny', () => {
    const p = (contiguity: string) => ({ pattern: [step('a', 'a'), step('bs', 'b', { contiguity, quantifier: { min: 1, max: null } }), step('notC', 'c', { negated: true, contiguity: 'strict' }), step('d', 'd')] });
    expect(matches(p('relaxed'), NOT_NEXT_DATA)).toEqual([]);
    expect(matches(p('any'), NOT_NEXT_DATA)).toEqual(['a1 b2 d1']);
  });

  const AFTER_DATA = 'a1 b1 b2 b3 c1 b4 b5 b6 d1';
  const afterOneOrMore = (contiguity: string, inner: string) => ({
    pattern: [step('a', 'a'), step('bs', 'b', { contiguity, quantifier: { min: 1, max: null, inner } }), step('notC', 'c', { negated: true }), step('d', 'd')],
  });
  it('testNotFollowedBy{Next,Any}AfterOneOrMoreEager', () => {
    expect(matches(afterOneOrMore('relaxed', 'relaxed'), AFTER_DATA)).toEqual([]);
    expect(sorted(matches(afterOneOrMore('any', 'relaxed'), AFTER_DATA))).toEqual(sorted(['a1 b4 b5 b6 d1', 'a1 b4 b5 d1', 'a1 b4 d1', 'a1 b5 b6 d1', 'a1 b5 d1', 'a1 b6 d1']));
  });
  it('testNotFollowedBy{Next,Any}AfterOneOrMoreCombinations', () => {
    expect(matches(afterOneOrMore('relaxed', 'any'), AFTER_DATA)).toEqual([]);
    expect(sorted(matches(afterOneOrMore('any', 'any'), AFTER_DATA))).toEqual(sorted(['a1 b4 b5 b6 d1', 'a1 b4 b5 d1', 'a1 b4 b6 d1', 'a1 b4 d1', 'a1 b5 b6 d1', 'a1 b5 d1', 'a1 b6 d1']));
  });

  const BEFORE_DATA = 'a1 b1 c1 b4 b5 b6 d1';
  const beforeOneOrMore = (contiguity: string, inner: string, optional: boolean) => ({
    pattern: [step('a', 'a'), step('notC', 'c', { negated: true }), step('bs', 'b', { contiguity, quantifier: { min: 1, max: null, inner }, optional }), step('d', 'd')],
  });
  const EAGER = ['a1 b1 b4 b5 b6 d1', 'a1 b1 b4 b5 d1', 'a1 b1 b4 d1', 'a1 b1 d1'];
  const COMBINATIONS = [...EAGER, 'a1 b1 b4 b6 d1', 'a1 b1 b5 b6 d1', 'a1 b1 b5 d1', 'a1 b1 b6 d1'];
  for (const optional of [false, true]) {
    const what = optional ? 'ZeroOrMore' : 'OneOrMore';
    it(`testNotFollowedBy{,Any}Before${what}{Eager,Combinations}`, () => {
      expect(sorted(matches(beforeOneOrMore('relaxed', 'relaxed', optional), BEFORE_DATA))).toEqual(sorted(EAGER));
      expect(sorted(matches(beforeOneOrMore('relaxed', 'any', optional), BEFORE_DATA))).toEqual(sorted(COMBINATIONS));
      expect(sorted(matches(beforeOneOrMore('any', 'relaxed', optional), BEFORE_DATA))).toEqual(sorted(EAGER));
      expect(sorted(matches(beforeOneOrMore('any', 'any', optional), BEFORE_DATA))).toEqual(sorted(COMBINATIONS));
    });
  }

  it('testNotFollowedByWithinAtEnd: only a2 goes 3 ms without a b', () => {
    const p = { pattern: [step('a', 'a'), step('b', 'b', { negated: true })], within: 3 };
    expect(matches(p, at('a1@1 b1@2 a2@4 c@5 b2@10 a3@11 b3@13'))).toEqual(['a2']);
  });

  it('testNotFollowByBeforeTimesWithin', () => {
    const p = { pattern: [step('a', 'a'), step('b', 'b', { negated: true }), step('c', 'c', { quantifier: { min: 0, max: 2 } })], within: 3 };
    expect(sorted(matches(p, at('a1@1 b1@2 a2@10 c1@11 c2@12 a3@20 c3@21 c4@24')))).toEqual(sorted(['a1', 'a2', 'a2 c1', 'a2 c1 c2', 'a3', 'a3 c3']));
  });

  it('testNotFollowedByWithinAtEndAfterMatch: skipPastLastEvent keeps the longest of the equal-start pending matches, as Flink', () => {
    const p = {
      pattern: [step('a', 'a', { quantifier: { min: 1, max: null, inner: 'any' } }), step('c', 'c'), step('b', 'b', { negated: true })],
      within: 5,
      afterMatch: { strategy: 'skipPastLastEvent' },
    };
    expect(matches(p, at('a1@1 a2@2 a3@3 c1@4 c2@10'))).toEqual(['a1 a2 a3 c1']);
  });
});

describe('AfterMatchSkipITCase', () => {
  it('testNoSkip / testSkipPastLast over times(3)', () => {
    const p = (strategy: string) => ({ pattern: [step('start', 'a', { quantifier: { min: 3, max: 3 } })], afterMatch: { strategy } });
    expect(sorted(matches(p('noSkip'), 'a1 a2 a3 a4 a5 a6'))).toEqual(['a1 a2 a3', 'a2 a3 a4', 'a3 a4 a5', 'a4 a5 a6']);
    expect(matches(p('skipPastLastEvent'), 'a1 a2 a3 a4 a5 a6')).toEqual(['a1 a2 a3', 'a4 a5 a6']);
  });

  const abTimes = (strategy: string) => ({
    pattern: [where('start', has('a'), { quantifier: { min: 2, max: 2 } }), where('end', has('b'), { contiguity: 'strict', quantifier: { min: 2, max: 2 } })],
    afterMatch: { strategy, step: 'end' },
  });
  it('testSkipToFirst', () => {
    expect(matches(abTimes('skipToFirst'), 'ab1 ab2 ab3 ab4 ab5 ab6')).toEqual(['ab1 ab2 ab3 ab4', 'ab3 ab4 ab5 ab6']);
  });
  it('testSkipToLast', () => {
    expect(matches(abTimes('skipToLast'), 'ab1 ab2 ab3 ab4 ab5 ab6 ab7')).toEqual(['ab1 ab2 ab3 ab4', 'ab4 ab5 ab6 ab7']);
  });

  it('testSkipPastLast2 (events with equal timestamps keep their order)', () => {
    const p = {
      pattern: [where('a', has('a')), where('b', has('b'), { contiguity: 'any' }), where('c', has('c'), { contiguity: 'any' }), where('d', has('d'))],
      afterMatch: { strategy: 'skipPastLastEvent' },
    };
    expect(matches(p, at('a1@1 a2@2 b1@3 b2@4 c1@5 c2@6 d1@7 d2@7'))).toEqual(['a1 b1 c1 d1']);
  });

  it('testSkipPastLast3', () => {
    const p = { pattern: [where('a', has('a')), where('b', has('b'), { contiguity: 'strict' })], afterMatch: { strategy: 'skipPastLastEvent' } };
    expect(matches(p, 'a1 c a2 b2')).toEqual(['a2 b2']);
  });

  it('testSkipToFirstWithOptionalMatch', () => {
    const p = {
      pattern: [where('x', has('x'), { quantifier: { min: 1, max: null }, optional: true }), where('b', has('b'), { contiguity: 'strict' }), where('c', has('c'), { contiguity: 'strict' })],
      afterMatch: { strategy: 'skipToFirst', step: 'b' },
    };
    expect(matches(p, 'ab1 c1 ab2 c2')).toEqual(['ab1 c1', 'ab2 c2']);
  });

  it('testSkipToFirstAtStartPosition', () => {
    const p = { pattern: [where('b', has('b')), where('c', has('c'), { contiguity: 'strict' })], afterMatch: { strategy: 'skipToFirst', step: 'b' } };
    expect(matches(p, 'ab1 c1 ab2 c2')).toEqual(['ab1 c1', 'ab2 c2']);
  });

  for (const strategy of ['skipToFirst', 'skipToLast']) {
    it(`testSkip${strategy.slice(6)}WithOneOrMore`, () => {
      const p = { pattern: [where('a', has('a')), where('b', has('b'), { contiguity: 'strict', quantifier: { min: 1, max: null, inner: 'strict' } })], afterMatch: { strategy, step: 'b' } };
      expect(matches(p, 'a1 b1 a2 b2 b3 a3 b4')).toEqual(['a1 b1', 'a2 b2', 'a3 b4']);
    });
  }

  it('testSkipToFirstNonExistentPositionWithoutException: skipping to a step the match lacks skips nothing', () => {
    const p = {
      pattern: [where('a', has('a')), where('b', has('b'), { contiguity: 'strict', quantifier: { min: 1, max: null, inner: 'strict' }, optional: true }), where('c', has('c'), { contiguity: 'strict' })],
      afterMatch: { strategy: 'skipToFirst', step: 'b' },
    };
    expect(matches(p, 'a c')).toEqual(['a c']);
  });

  it('testSkipBeforeOtherAlreadyCompleted (an iterative condition reads match.a)', () => {
    const p = {
      pattern: [where('a', has('a')), where('c', has('c')), where('b', `${has('b')} && match.a[0].price == price`)],
      afterMatch: { strategy: 'skipToFirst', step: 'c' },
    };
    const evs: Ev[] = [{ name: 'a1', price: 0 }, { name: 'c1', price: 0 }, { name: 'a2', price: 1 }, { name: 'c2', price: 0 }, { name: 'b1', price: 1 }, { name: 'b2', price: 0 }];
    // a2's match completes first but waits (a skip strategy) until a1's partial match, which started
    // earlier, has completed; then both go out, earliest start first.
    expect(matches(p, evs)).toEqual(['a1 c1 b2', 'a2 c2 b1']);
  });

  it('testNoSkipWithFollowedByAny / testSkipToNextWithFollowedByAny', () => {
    const p = (strategy: string) => ({ pattern: [step('start', 'a'), step('end', 'b', { contiguity: 'any' })], afterMatch: { strategy } });
    expect(sorted(matches(p('noSkip'), 'a1 b1 a2 b2'))).toEqual(['a1 b1', 'a1 b2', 'a2 b2']);
    expect(matches(p('skipToNext'), 'a1 b1 a2 b2')).toEqual(['a1 b1', 'a2 b2']);
  });

  it('testSharedBufferIsProperlyCleared: after skipPastLastEvent nothing is held', () => {
    const h = pushEvents(cepHarness({ pattern: [{ name: 'start', where: 'true', quantifier: { min: 2, max: 2 } }], afterMatch: { strategy: 'skipPastLastEvent' } }), 'a1 a2 a3 a4');
    h.watermark(Infinity).end();
    expect(h.outValues()).toHaveLength(2);
    expect((h.op as unknown as { stateSize(): { keys: number; partialMatches?: number } }).stateSize()).toMatchObject({ keys: 0, partialMatches: 0 });
  });
});

describe('GreedyITCase', () => {
  const cad = (more: Step = {}, end: Step = {}) => ({ pattern: [step('start', 'c'), step('middle', 'a', { quantifier: { min: 1, max: null }, optional: true, greedy: true, ...more }), step('end', 'd', end)] });

  it('testGreedyZeroOrMore', () => {
    expect(matches(cad(), 'c a1 a2 a3 d')).toEqual(['c a1 a2 a3 d']);
  });
  it('testGreedyZeroOrMoreInBetween', () => {
    expect(matches(cad(), 'c dummy1 a1 dummy2 a2 dummy3 a3 d')).toEqual(['c a1 a2 a3 d']);
  });
  it('testGreedyZeroOrMoreWithDummyEventsAfterQuantifier', () => {
    expect(matches(cad(), 'c a1 a2 dummy d')).toEqual(['c a1 a2 d']);
  });
  it('testGreedyZeroOrMoreWithDummyEventsBeforeQuantifier', () => {
    expect(matches(cad(), 'c dummy d')).toEqual(['c d']);
  });
  it('testGreedyZeroOrMoreBeforeOptional, ...ConsecutiveEndWithOptional: patterns current Flink rejects (optional after greedy)', () => {
    // Pattern.optional() now calls checkIfPreviousPatternGreedy; the validator applies the same rule.
    const spec = REGISTRY.get('cep')!;
    const p = { pattern: [step('start', 'c'), step('middle1', 'a', { quantifier: { min: 1, max: null }, optional: true, greedy: true }), step('middle2', 'd', { optional: true }), step('end', 'e')] };
    const r = spec.params.safeParse(p);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/Optional pattern cannot be preceded by greedy pattern/);
    expect(r.error!.issues[0]!.path).toEqual(['pattern', 2, 'optional']);
    expect(spec.params.safeParse(cad({ quantifier: { min: 1, max: null, inner: 'strict' } }, { optional: true })).success).toBe(false);
  });
  it('testGreedyUtilZeroOrMoreWithDummyEventsAfterQuantifier (until price > 3)', () => {
    const evs: Ev[] = [{ name: 'c', price: 1 }, { name: 'a1', price: 2 }, { name: 'a2', price: 3 }, { name: 'a3', price: 3 }, { name: 'a4', price: 4 }, { name: 'd', price: 3 }];
    expect(matches(cad({ until: 'price > 3' }), evs)).toEqual(['c a1 a2 a3 d']);
  });
});

describe('NFAITCase', () => {
  it('testNoConditionNFA / testAnyWithNoConditionNFA', () => {
    const p = (contiguity: string) => ({ pattern: [{ name: 'start', where: 'true' }, { name: 'end', where: 'true', contiguity }] });
    expect(matches(p('relaxed'), 'a b c d e')).toEqual(['a b', 'b c', 'c d', 'd e']);
    expect(sorted(matches(p('any'), 'a b c d e'))).toEqual(sorted(['a b', 'a c', 'a d', 'a e', 'b c', 'b d', 'b e', 'c d', 'c e', 'd e']));
  });

  it('testStrictContinuityWithResults / NoResults', () => {
    const p = { pattern: [step('middle', 'a'), step('end', 'b', { contiguity: 'strict' })] };
    expect(matches(p, 'a b')).toEqual(['a b']);
    expect(matches(p, 'a c b')).toEqual([]);
  });

  it('testSimplePatternWithTimeWindowNFA and testSimplePatternWithTimeoutHandling', () => {
    const p = (contiguity: string) => ({ pattern: [step('start', 'start'), step('middle', 'middle', { contiguity }), step('end', 'end', { contiguity })], within: 10 });
    const evs = at('start1@1 start2@2 middle@3 foobar@4 end1@11 end2@13');
    expect(matches(p('relaxed'), evs)).toEqual(['start2 middle end1']);
    const h = pushEvents(cepHarness(p('any')), evs).watermark(Infinity).end();
    expect(h.outValues()).toHaveLength(1);
    const timeouts = h.outValues('timeout').map((t: any) => `${Object.values(t.match).flat().map((e: any) => e.name).join(' ')}@${t.timeoutAt}`);
    expect(sorted(timeouts)).toEqual(sorted(['start1 middle@11', 'start2 middle@12', 'start1@11', 'start2@12']));
  });

  it('testAtLeastOne / testAtLeastOneEager / testBeginWithAtLeastOne', () => {
    const p = (inner: string) => ({ pattern: [step('start', 'c'), step('middle', 'a', { contiguity: 'any', quantifier: { min: 1, max: null, inner } }), step('end1', 'b', { contiguity: 'any' })] });
    expect(sorted(matches(p('any'), 'c a1 a2 b'))).toEqual(sorted(['c a1 a2 b', 'c a1 b', 'c a2 b']));
    expect(sorted(matches(p('relaxed'), 'c a1 a2 a3 b'))).toEqual(sorted(['c a1 a2 a3 b', 'c a1 a2 b', 'c a2 a3 b', 'c a3 b', 'c a2 b', 'c a1 b']));
    const begin = { pattern: [step('start', 'a', { quantifier: { min: 1, max: null, inner: 'any' } }), step('end', 'b')] };
    expect(sorted(matches(begin, 'a1 a2 a3 b'))).toEqual(sorted(['a1 a2 a3 b', 'a1 a2 b', 'a1 a3 b', 'a2 a3 b', 'a1 b', 'a2 b', 'a3 b']));
  });

  it('testNextZeroOrMore / testOptional / testTimes / testStartWithTimes', () => {
    const zeroOrMore = { pattern: [step('start', 'start'), step('middle', 'middle', { contiguity: 'strict', quantifier: { min: 1, max: null, inner: 'strict' }, optional: true }), step('end', 'end')] };
    expect(matches(zeroOrMore, 'start event middle1 middle2 middle3 end')).toEqual(['start end']);
    const optional = { pattern: [step('start', 'c'), step('middle', 'a', { optional: true }), step('end1', 'b')] };
    expect(sorted(matches(optional, 'c a b'))).toEqual(['c a b', 'c b']);
    const times = { pattern: [step('start', 'c'), step('middle', 'a', { contiguity: 'strict', quantifier: { min: 2, max: 2, inner: 'any' } }), step('end1', 'b')] };
    expect(sorted(matches(times, 'c a1 a2 a3 b'))).toEqual(['c a1 a2 b', 'c a1 a3 b']);
    const startWithTimes = { pattern: [step('middle', 'a', { quantifier: { min: 2, max: 2, inner: 'strict' } }), step('end1', 'b')] };
    expect(sorted(matches(startWithTimes, 'a1 a2 a3 b'))).toEqual(['a1 a2 b', 'a2 a3 b']);
  });
});
