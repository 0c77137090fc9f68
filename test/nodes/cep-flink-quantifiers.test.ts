// More of Flink's own CEP test suite (flink-cep: UntilConditionITCase, TimesOrMoreITCase,
// GreedyITCase) than cep-flink-suite.test.ts covers: the same patterns over the same events must
// give the same matches. Flink's tests compare matches as unordered lists (comparePatterns), so
// these do too. Events are written "a1", "c"…; their letters are what the conditions test, and a
// price is given where a condition reads it.
import { describe, expect, it } from 'vitest';
import { type Ev, matches, sorted, step, type Step } from '../support/cep.js';

const ev = (name: string, price: number): Ev => ({ name, price });
/** A looping step ({min, max: null}); `inner` goes into the quantifier, the rest onto the step. */
const loop = (min: number, { inner, ...more }: Step = {}): Step => ({ quantifier: { min, max: null, ...(inner === undefined ? {} : { inner }) }, ...more });
const run = (pattern: Step[], input: string | (string | Ev)[]) => sorted(matches({ pattern }, input));

describe('UntilConditionITCase: c, a+ until price == 5, (end: price == 5)', () => {
  const UNTIL = 'price == 5';
  const end = { name: 'end', where: UNTIL };
  const middle = (more: Step = {}) => step('middle', 'a', { ...loop(1, more), until: UNTIL });
  // c, a(2), a(3), a(5) breaks the loop, a(6) comes after it.
  const FOUR = [ev('c', 1), ev('a1', 2), ev('a2', 3), ev('a3', 5), ev('a4', 6)];
  const FIVE = [ev('c', 1), ev('a1', 2), ev('a2', 3), ev('a3', 4), ev('a4', 5), ev('a5', 6)];

  it('testUntilConditionFollowedByOneOrMore / ...Consecutive: the breaking event ends the loop and is the end', () => {
    expect(run([step('start', 'c'), middle(), end], FOUR)).toEqual(['c a1 a2 a3', 'c a1 a3']);
    expect(run([step('start', 'c'), middle({ inner: 'strict' }), end], FOUR)).toEqual(['c a1 a2 a3', 'c a1 a3']);
  });

  it('testUntilConditionFollowedByOneOrMoreCombinations', () => {
    expect(run([step('start', 'c'), middle({ inner: 'any' }), end], FIVE)).toEqual(sorted(['c a1 a2 a3 a4', 'c a1 a2 a4', 'c a1 a3 a4', 'c a1 a4']));
  });

  it('testUntilConditionFollowedByZeroOrMore / ...Combinations / ...Consecutive: also the match without middle', () => {
    expect(run([step('start', 'c'), middle({ optional: true }), end], FOUR)).toEqual(['c a1 a2 a3', 'c a1 a3', 'c a3']);
    expect(run([step('start', 'c'), middle({ inner: 'any', optional: true }), end], FIVE)).toEqual(sorted(['c a1 a2 a3 a4', 'c a1 a2 a4', 'c a1 a3 a4', 'c a1 a4', 'c a4']));
    expect(run([step('start', 'c'), middle({ inner: 'strict', optional: true }), end], FOUR)).toEqual(['c a1 a2 a3', 'c a1 a3', 'c a3']);
  });

  it('testUntilConditionFollowedByAnyOneOrMore / ...ZeroOrMore: followedByAny may start the loop again after the break', () => {
    expect(run([step('start', 'c'), middle({ contiguity: 'any' })], FOUR)).toEqual(sorted(['c a1 a2', 'c a1', 'c a2', 'c a4']));
    expect(run([step('start', 'c'), middle({ contiguity: 'any', optional: true })], FOUR)).toEqual(sorted(['c a1 a2', 'c a1', 'c a2', 'c a4', 'c']));
  });

  const WITH_D = [ev('c', 1), ev('a1', 2), ev('a2', 3), ev('d', 1), ev('a3', 5), ev('a4', 6)];
  it('testUntilConditionWithEmptyWhere', () => {
    const p = [step('start', 'c'), { name: 'middle', where: 'true', ...loop(1), until: UNTIL }];
    expect(run(p, WITH_D)).toEqual(sorted(['c a1 a2 d', 'c a1 a2', 'c a1']));
  });

  it('testIterativeUntilConditionOneOrMore / ...ZeroOrMore: until reads the events the loop has taken', () => {
    const until = "coalesce(sum(match.middle, 'price'), 0) == 6";
    expect(run([step('start', 'c'), { name: 'middle', where: 'true', ...loop(1), until }], WITH_D)).toEqual(sorted(['c a1 a2 d', 'c a1 a2', 'c a1']));
    expect(run([step('start', 'c'), { name: 'middle', where: 'true', ...loop(1), until, optional: true }], WITH_D)).toEqual(sorted(['c a1 a2 d', 'c a1 a2', 'c a1', 'c']));
  });
});

describe('TimesOrMoreITCase: c, a{2,}, b', () => {
  const b = step('end1', 'b');
  const c = step('start', 'c');
  const a = (contiguity: string, more: Step = {}) => step('middle', 'a', { contiguity, ...loop(2, more) });
  const PLAIN = 'c a1 a2 a3 b';
  const WITH_F = 'c f a1 f a2 a3 b';

  it('testTimesOrMore (allowCombinations)', () => {
    expect(run([c, a('relaxed', { inner: 'any' }), b], PLAIN)).toEqual(sorted(['c a1 a2 a3 b', 'c a1 a2 b', 'c a1 a3 b']));
  });

  it('testTimesOrMoreNonStrict: followedByAny, allowCombinations', () => {
    expect(run([c, a('any', { inner: 'any' }), b], WITH_F)).toEqual(sorted(['c a1 a2 a3 b', 'c a1 a2 b', 'c a1 a3 b', 'c a2 a3 b']));
  });

  it('testTimesOrMoreStrict: times(2).consecutive()', () => {
    expect(run([c, step('middle', 'a', { contiguity: 'any', quantifier: { min: 2, max: 2, inner: 'strict' } }), b], WITH_F)).toEqual(['c a2 a3 b']);
  });

  it('testTimesOrMoreStrictOptional / ...StrictOptional2', () => {
    expect(run([c, a('any', { inner: 'strict', optional: true }), b], WITH_F)).toEqual(sorted(['c a2 a3 b', 'c b']));
    expect(run([c, a('strict', { inner: 'strict', optional: true }), b], PLAIN)).toEqual(sorted(['c a1 a2 a3 b', 'c a1 a2 b', 'c b']));
  });

  it('testTimesOrMoreNonStrictOptional / ...Optional2 / ...Optional3', () => {
    expect(run([c, a('relaxed', { optional: true }), b], 'c f b')).toEqual(['c b']);
    expect(run([c, a('any', { inner: 'any', optional: true }), b], WITH_F)).toEqual(sorted(['c a1 a2 a3 b', 'c a1 a2 b', 'c a2 a3 b', 'c b', 'c a1 a3 b']));
    expect(run([c, a('any', { optional: true }), b], WITH_F)).toEqual(sorted(['c a1 a2 a3 b', 'c a1 a2 b', 'c a2 a3 b', 'c b']));
  });

  it('testTimesOrMoreNonStrictWithNext / ...NotStrictWithFollowedBy / ...NotStrictWithFollowedByAny', () => {
    expect(run([c, a('strict', { inner: 'any' }), b], 'c a1 f a2 f a3 b')).toEqual(sorted(['c a1 a2 a3 b', 'c a1 a2 b', 'c a1 a3 b']));
    expect(run([c, a('relaxed'), b], PLAIN)).toEqual(sorted(['c a1 a2 a3 b', 'c a1 a2 b']));
    expect(run([c, a('any', { inner: 'any' }), b], PLAIN)).toEqual(sorted(['c a1 a2 a3 b', 'c a1 a2 b', 'c a2 a3 b', 'c a1 a3 b']));
  });
});

describe('GreedyITCase: c, a+ greedy, d', () => {
  const p = (more: Step = {}) => [step('start', 'c'), step('middle', 'a', { ...loop(1), greedy: true, ...more }), step('end', 'd')];

  it('testGreedyOneOrMore / ...InBetween / ...WithDummyEventsAfterQuantifier / ...BeforeQuantifier', () => {
    expect(run(p(), 'c a1 a2 a3 d')).toEqual(['c a1 a2 a3 d']);
    expect(run(p(), 'c x1 a1 x2 a2 x3 a3 d')).toEqual(['c a1 a2 a3 d']);
    expect(run(p(), 'c a1 a2 x d')).toEqual(['c a1 a2 d']);
    expect(run(p(), 'c x d')).toEqual([]);
  });

  it('testGreedyUtilOneOrMoreWithDummyEventsAfterQuantifier / ...BeforeQuantifier (until price > 3)', () => {
    const after = [ev('c', 1), ev('a1', 2), ev('a2', 3), ev('a3', 3), ev('a4', 4), ev('d', 3)];
    const before = [ev('c', 1), ev('a4', 4), ev('a1', 2), ev('a2', 3), ev('a3', 3), ev('d', 3)];
    expect(run(p({ until: 'price > 3' }), after)).toEqual(['c a1 a2 a3 d']);
    expect(run(p({ until: 'price > 3' }), before)).toEqual([]);
  });

  it('testGreedyUtilWithDummyEventsBeforeQuantifier (zero or more): the loop is skipped, c d', () => {
    const before = [ev('c', 1), ev('a4', 4), ev('a1', 2), ev('a2', 3), ev('a3', 3), ev('d', 3)];
    expect(run(p({ until: 'price > 3', optional: true }), before)).toEqual(['c d']);
  });
});
