// The cep node as an operator (Flink's CepOperator): event-time buffering and ordering, late
// records, expiry by within on the watermark and on the clock, keys, select, errors, state figures
// and checkpoints.
import { describe, expect, it } from 'vitest';
import { NodeError } from '../../runtime/engine/errors.js';
import type { Stateful } from '../../runtime/engine/timed.js';
import { cepHarness, matches, matchNames, pushEvents, step } from '../support/cep.js';
import { OperatorHarness } from '../support/harness.js';

const stateOf = (h: OperatorHarness) => (h.op as unknown as Stateful).stateSize();
const ab = (more: Record<string, unknown> = {}, b: Record<string, unknown> = {}) => ({ pattern: [step('a', 'a'), step('b', 'b', b)], ...more });

describe('event time (CepOperator: buffer until the watermark, then timestamp order)', () => {
  it('feeds records in timestamp order once the watermark passes them, not in arrival order', () => {
    const h = cepHarness(ab({}, { contiguity: 'strict' }));
    pushEvents(h, [{ name: 'b1', ts: 20 }, { name: 'a1', ts: 10 }]);
    expect(h.outValues()).toEqual([]);
    h.watermark(19);
    expect(h.outValues()).toEqual([]);
    h.watermark(20);
    expect(h.outValues().map(matchNames)).toEqual(['a1 b1']);
    expect(h.output()[0]!.ts).toBe(20);
  });

  it('breaks timestamp ties by arrival order', () => {
    const strict = ab({}, { contiguity: 'strict' });
    const inOrder = pushEvents(cepHarness(strict), [{ name: 'a1', ts: 5 }, { name: 'b1', ts: 5 }]).watermark(Infinity);
    expect(inOrder.outValues().map(matchNames)).toEqual(['a1 b1']);
    const swapped = pushEvents(cepHarness(strict), [{ name: 'b1', ts: 5 }, { name: 'a1', ts: 5 }]).watermark(Infinity);
    expect(swapped.outValues()).toEqual([]);
  });

  it('sends records at or behind the watermark to late, unchanged and counted, and never matches them', () => {
    const h = cepHarness(ab());
    pushEvents(h, [{ name: 'a1', ts: 10, wmAfter: 10 }, { name: 'b1', ts: 10 }, { name: 'b2', ts: 11 }]).watermark(Infinity);
    expect(h.outValues('late')).toEqual([{ name: 'b1', t: 'b' }]);
    expect(h.output('late')[0]!.ts).toBe(10);
    expect(h.metrics.late).toBe(1);
    expect(h.outValues().map(matchNames)).toEqual(['a1 b2']);
  });

  it('counts and drops late records when the late port has no edge', () => {
    const h = new OperatorHarness('cep', ab(), { connect: ['out'] });
    pushEvents(h, [{ name: 'a1', ts: 10, wmAfter: 50 }, { name: 'b1', ts: 20 }]).watermark(Infinity);
    expect(h.metrics.late).toBe(1);
    expect(h.outValues()).toEqual([]);
  });

  it('a batch where the watermark jumps over many records is the same as one record a batch', () => {
    const evs = ['a1', 'x', 'b1', 'a2', 'b2', 'a3', 'y', 'b3'];
    const p = ab({ within: 3 });
    const oneBatch = pushEvents(cepHarness(p), evs.map((name, i) => ({ name, ts: i * 2, wmAfter: i * 2 }))).watermark(Infinity);
    const perRecord = cepHarness(p);
    evs.forEach((name, i) => pushEvents(perRecord, [{ name, ts: i * 2, wmAfter: i * 2 }]));
    perRecord.watermark(Infinity);
    expect(perRecord.output()).toEqual(oneBatch.output());
    expect(perRecord.output('timeout')).toEqual(oneBatch.output('timeout'));
    expect(oneBatch.outValues().map(matchNames)).toEqual(['a2 b2']);
    expect(oneBatch.outValues('timeout').map(matchNames)).toEqual(['a1', 'a3']);
  });
});

describe('within', () => {
  it('drops a partial match once the watermark reaches first event + within, to timeout as {key, match, timeoutAt}', () => {
    const h = cepHarness(ab({ within: 10 }));
    pushEvents(h, [{ name: 'a1', ts: 0 }, { name: 'x', ts: 1 }]).watermark(9);
    expect(h.outValues('timeout')).toEqual([]);
    expect(stateOf(h).partialMatches).toBe(1);
    h.watermark(10);
    expect(h.outValues('timeout')).toEqual([{ key: null, match: { a: [{ name: 'a1', t: 'a' }] }, timeoutAt: 10 }]);
    expect(h.output('timeout')[0]!.ts).toBe(10);
    expect(stateOf(h)).toMatchObject({ keys: 0, partialMatches: 0 });
  });

  it('an event exactly at first event + within is too late for the match (Flink: timestamp - start >= within)', () => {
    expect(pushEvents(cepHarness(ab({ within: 10 })), [{ name: 'a1', ts: 0 }, { name: 'b1', ts: 10 }]).watermark(Infinity).outValues()).toEqual([]);
    expect(pushEvents(cepHarness(ab({ within: 10 })), [{ name: 'a1', ts: 0 }, { name: 'b1', ts: 9 }]).watermark(Infinity).outValues().map(matchNames)).toEqual(['a1 b1']);
  });

  it('without a timeout edge, expired partial matches are dropped silently and the state is freed', () => {
    const h = new OperatorHarness('cep', ab({ within: 10 }), { connect: ['out'] });
    pushEvents(h, [{ name: 'a1', ts: 0 }]).watermark(100);
    expect(stateOf(h)).toMatchObject({ keys: 0, partialMatches: 0 });
  });

  it('a pattern ending in notFollowedBy matches when within passes without the negated event, stamped first event + within', () => {
    const p = { pattern: [step('add', 'a'), step('paid', 'p', { negated: true })], within: 100 };
    const h = pushEvents(cepHarness(p), [{ name: 'a1', ts: 0 }, { name: 'x', ts: 50 }, { name: 'a2', ts: 60 }, { name: 'p1', ts: 120, wmAfter: 99 }]);
    expect(h.outValues()).toEqual([]);
    h.watermark(100);
    expect(h.outValues().map(matchNames)).toEqual(['a1']);
    expect(h.output()[0]!.ts).toBe(100);
    h.watermark(Infinity);
    // a2's window held a purchase (p1 at 120 < 160): no match for a2
    expect(h.outValues().map(matchNames)).toEqual(['a1']);
  });

  it('after a looping step, notFollowedBy starts watching with the key\'s next event, as in Flink: a key that goes quiet times out', () => {
    const p = { pattern: [step('add', 'a', { quantifier: { min: 1, max: null } }), step('paid', 'p', { negated: true })], within: 100 };
    const quiet = pushEvents(cepHarness(p), [{ name: 'a1', ts: 0 }]).watermark(Infinity);
    expect(quiet.outValues()).toEqual([]);
    expect(quiet.outValues('timeout').map(matchNames)).toEqual(['a1']);
    const busy = pushEvents(cepHarness(p), [{ name: 'a1', ts: 0 }, { name: 'v', ts: 10 }]).watermark(Infinity);
    expect(busy.outValues().map(matchNames)).toEqual(['a1']);
  });

  it('under a skip strategy, a match held back by an earlier partial match goes out when that one times out, stamped then', () => {
    // a2 b2 completes first but waits: a1 (price 1) started earlier and may still complete.
    const p = { pattern: [step('a', 'a'), { name: 'b', where: "t == 'b' && price == match.a[0].price" }], within: 10, afterMatch: { strategy: 'skipPastLastEvent' } };
    const h = pushEvents(cepHarness(p), [{ name: 'a1', ts: 0, price: 1 }, { name: 'a2', ts: 1, price: 2 }, { name: 'b2', ts: 2, price: 2, wmAfter: 9 }]);
    expect(h.outValues()).toEqual([]);
    h.watermark(10);
    expect(h.outValues('timeout').map(matchNames)).toEqual(['a1']);
    expect(h.outValues().map(matchNames)).toEqual(['a2 b2']);
    expect(h.output()[0]!.ts).toBe(10);
  });

  it('the end of a bounded input expires everything: pending notFollowedBy matches and timeouts', () => {
    const p = { pattern: [step('add', 'a'), step('paid', 'p', { negated: true })], within: '15m' };
    const h = pushEvents(cepHarness(p), [{ name: 'a1', ts: 1_000 }]).watermark(Infinity).end();
    expect(h.outValues().map(matchNames)).toEqual(['a1']);
    expect(h.output()[0]!.ts).toBe(1_000 + 15 * 60_000);
    const t = pushEvents(cepHarness(ab({ within: '1h' })), [{ name: 'a1', ts: 5 }]).watermark(Infinity).end();
    expect(t.outValues('timeout')).toEqual([{ key: null, match: { a: [{ name: 'a1', t: 'a' }] }, timeoutAt: 5 + 3_600_000 }]);
    expect(t.ended()).toBe(true);
  });
});

describe('keys', () => {
  it('matches each key on its own, output carries the key, and a key holds state only while it has partial matches', () => {
    const h = cepHarness(ab({ within: 100 }, { contiguity: 'strict' }), { keyed: true });
    pushEvents(h, [
      { name: 'a1', ts: 1, key: 'u1' },
      { name: 'a2', ts: 2, key: 'u2' },
      { name: 'b1', ts: 3, key: 'u1' },
      { name: 'x', ts: 4, key: 'u2' },
      { name: 'b2', ts: 5, key: 'u2' },
      { name: 'a3', ts: 6, key: 'u3' },
    ]).watermark(10);
    expect(h.outValues().map((o: any) => [o.key, matchNames(o)])).toEqual([['u1', 'a1 b1']]);
    expect(h.output()[0]!.key).toBeUndefined();
    expect(stateOf(h)).toMatchObject({ keys: 1, partialMatches: 1 });
    h.watermark(200);
    expect(stateOf(h)).toMatchObject({ keys: 0, partialMatches: 0 });
  });

  it('without keyBy every record has the key null', () => {
    const h = pushEvents(cepHarness(ab()), 'a1 b1').watermark(Infinity);
    expect(h.outValues()).toEqual([{ key: null, match: { a: [{ name: 'a1', t: 'a' }], b: [{ name: 'b1', t: 'b' }] } }]);
  });
});

describe('processing time (time: processing)', () => {
  const proc = (more: Record<string, unknown>) => cepHarness({ ...more, time: 'processing' }, { keyed: true });

  it('feeds records on arrival, stamped with the clock, whatever their timestamps', () => {
    const h = proc(ab({}, { contiguity: 'strict' }));
    h.job.clock.advanceTo(1_000);
    pushEvents(h, [{ name: 'b0', ts: 1, key: 'k' }, { name: 'a1', ts: 99, key: 'k' }]);
    h.job.clock.advanceTo(1_500);
    pushEvents(h, [{ name: 'b1', ts: 2, key: 'k' }]);
    expect(h.outValues().map(matchNames)).toEqual(['a1 b1']);
    expect(h.output()[0]!.ts).toBe(1_500);
  });

  it('expires partial matches on the clock (Flink\'s timer at first event + within + 1) and at the end of input', () => {
    const h = proc(ab({ within: 100 }));
    h.job.clock.advanceTo(1_000);
    pushEvents(h, [{ name: 'a1', key: 'k' }]);
    h.job.clock.advanceTo(1_100);
    expect(h.outValues('timeout')).toEqual([]);
    h.job.clock.advanceTo(1_101);
    expect(h.outValues('timeout')).toEqual([{ key: 'k', match: { a: [{ name: 'a1', t: 'a' }] }, timeoutAt: 1_100 }]);
    pushEvents(h, [{ name: 'a2', key: 'k' }]);
    h.watermark(Infinity).end();
    expect(h.outValues('timeout').map(matchNames)).toEqual(['a1', 'a2']);
    expect(h.job.clock.pendingCalls).toBe(0);
  });

  it('a pending notFollowedBy completes on the clock', () => {
    const h = proc({ pattern: [step('add', 'a'), step('paid', 'p', { negated: true })], within: 50 });
    pushEvents(h, [{ name: 'a1', key: 'k' }]);
    h.job.clock.advanceTo(20);
    pushEvents(h, [{ name: 'a2', key: 'k' }]);
    h.job.clock.advanceTo(30);
    pushEvents(h, [{ name: 'p1', key: 'k' }]);
    h.job.clock.advanceTo(200);
    expect(h.outValues()).toEqual([]);
    pushEvents(h, [{ name: 'a3', key: 'k' }]);
    h.job.clock.advanceTo(251);
    expect(h.outValues().map(matchNames)).toEqual(['a3']);
    expect(h.output()[0]!.ts).toBe(250);
  });
});

describe('select, errors', () => {
  it('select shapes each match from match and key', () => {
    const h = cepHarness({ ...ab(), select: '{ first: match.a[0].name, last: match.b[length(match.b) - 1].name, who: key }' }, { keyed: true });
    pushEvents(h, [{ name: 'a1', key: 7 }, { name: 'b1', key: 7 }]).watermark(Infinity);
    expect(h.outValues()).toEqual([{ first: 'a1', last: 'b1', who: 7 }]);
    expect(h.metrics.recordsOut).toBe(1);
  });

  it('a where that throws sends the record to errors and leaves the partial matches as if it never came', () => {
    const p = { pattern: [{ name: 'a', where: "t == 'a'" }, { name: 'b', contiguity: 'strict', where: 'detail.level > 2' }] };
    const h = cepHarness(p);
    h.push([
      { value: { t: 'a' }, ts: 1 },
      { value: { t: 'bad' }, ts: 2 },
      { value: { t: 'b', detail: { level: 3 } }, ts: 3 },
    ]).watermark(Infinity);
    expect(h.outValues('errors')).toEqual([{ node: 'cep', error: expect.stringMatching(/Cannot read properties of undefined/), record: { t: 'bad' } }]);
    expect(h.output('errors')[0]!.ts).toBe(2);
    expect(h.metrics.errors).toBe(1);
    expect(h.outValues()).toEqual([{ key: null, match: { a: [{ t: 'a' }], b: [{ t: 'b', detail: { level: 3 } }] } }]);
  });

  it('a select that throws or makes a non-object sends {key, match} to errors', () => {
    const thrower = cepHarness({ pattern: [step('a', 'a')], select: '{ x: match.b[0].name }' });
    pushEvents(thrower, 'a1').watermark(Infinity);
    expect(thrower.outValues('errors')).toEqual([{ node: 'cep', error: expect.any(String), record: { key: null, match: { a: [{ name: 'a1', t: 'a' }] } } }]);
    const scalar = cepHarness({ pattern: [step('a', 'a')], select: 'match.a[0].name' });
    pushEvents(scalar, 'a1').watermark(Infinity);
    expect(scalar.outValues('errors')[0]).toMatchObject({ error: 'select must produce an object, not string' });
  });

  it('without an errors edge the first failing record fails the run, naming the node', () => {
    const h = new OperatorHarness('cep', { pattern: [{ name: 'a', where: 'detail.level > 2' }] }, { connect: ['out'] });
    expect(() => h.push([{ value: { t: 'x' }, ts: 1 }]).watermark(Infinity)).toThrow(NodeError);
  });
});

describe('iterative conditions (where reads match)', () => {
  it('takes rising prices: each event priced above the last one taken', () => {
    const p = {
      pattern: [
        { name: 'start', where: "t == 'p'" },
        { name: 'up', contiguity: 'strict', where: "t == 'p' && price > coalesce(match.up, match.start)[length(coalesce(match.up, match.start)) - 1].price", quantifier: { min: 2, max: null, inner: 'strict' } },
      ],
      afterMatch: { strategy: 'skipPastLastEvent' },
    };
    const prices = [5, 6, 7, 3, 4, 8, 2];
    const h = pushEvents(cepHarness(p), prices.map((price, i) => ({ name: `p${i + 1}`, price }))).watermark(Infinity);
    expect(h.outValues().map(matchNames)).toEqual(['p1 p2 p3', 'p4 p5 p6']);
  });

  it('until can read match too: stop taking once the prices taken reach 5', () => {
    const p = { pattern: [step('a', 'a', { quantifier: { min: 1, max: null }, until: "coalesce(sum(match.a, 'price'), 0) >= 5" })] };
    const evs = [3, 2, 4, 1].map((price, i) => ({ name: `a${i + 1}`, price }));
    // From a1: 3, then 5 reached, a3 is refused; from a2: 2, 6 after a3, a4 refused; then a3, a4 on their own.
    expect(matches(p, evs)).toEqual(['a1', 'a1 a2', 'a2', 'a2 a3', 'a3', 'a3 a4', 'a4']);
  });
});

describe('state figures and checkpoints', () => {
  it('state stays flat on an endless stream once within has passed', () => {
    const h = cepHarness({ pattern: [step('add', 'a'), step('paid', 'p', { negated: true })], within: 1_000 }, { keyed: true });
    const samples: number[] = [];
    let ts = 0;
    for (let round = 0; round < 40; round++) {
      const batch = [];
      for (let i = 0; i < 500; i++) {
        ts += 10;
        const name = i % 7 === 0 ? 'a' : i % 11 === 0 ? 'p' : 'v';
        batch.push({ name: `${name}${i}`, ts, key: `u${(round * 500 + i) % 2_000}`, wmAfter: ts - 50 });
      }
      pushEvents(h, batch);
      if (round >= 5) samples.push(stateOf(h).partialMatches!);
    }
    const peak = Math.max(...samples);
    expect(Math.min(...samples)).toBeGreaterThan(0);
    // 1 s of event time at 100 events/s, one in seven an add: ~15 partial matches alive, never growing
    expect(peak).toBeLessThan(40);
    expect(samples.at(-1)).toBeLessThanOrEqual(peak);
    expect(h.outValues().length).toBeGreaterThan(100);
  });

  it('reports bytes that grow with partial matches and records', () => {
    const h = cepHarness(ab({}, { quantifier: { min: 1, max: null } }), { keyed: true });
    const before = stateOf(h).bytes;
    pushEvents(h, Array.from({ length: 50 }, (_, i) => ({ name: i === 0 ? 'a0' : `c${i}`, key: 'k', ts: i + 1, wmAfter: i + 1 })));
    const one = stateOf(h);
    expect(one).toMatchObject({ keys: 1, partialMatches: 1 });
    expect(one.bytes).toBeGreaterThan(before);
    pushEvents(h, Array.from({ length: 20 }, (_, i) => ({ name: `b${i}`, key: 'k', ts: 100 + i, wmAfter: 100 + i })));
    expect(stateOf(h).bytes).toBeGreaterThan(one.bytes);
  });

  it('a restored snapshot continues exactly where the original was, shared prefixes and buffered records included', () => {
    const p = { pattern: [step('a', 'a'), step('b', 'b', { contiguity: 'any', quantifier: { min: 1, max: null } }), step('c', 'c')], within: 100 };
    const first = 'a1 b1 x b2 a2'.split(' ').map((name, i) => ({ name, ts: i + 1, key: i % 2 === 0 ? 'k1' : 'k2', wmAfter: i }));
    const second = 'b3 c1 b4 c2 c3'.split(' ').map((name, i) => ({ name, ts: i + 10, key: i % 2 === 0 ? 'k1' : 'k2', wmAfter: i + 10 }));
    const whole = cepHarness(p, { keyed: true });
    pushEvents(whole, first);
    const snap = (whole.op as unknown as Stateful).snapshotState();
    pushEvents(whole, second).watermark(Infinity);

    const restored = cepHarness(p, { keyed: true });
    (restored.op as unknown as Stateful).restoreState(structuredClone(snap));
    pushEvents(restored, second).watermark(Infinity);
    const after = (h: OperatorHarness) => h.output().filter((o) => o.ts >= 5);
    expect(after(restored).map((o) => o.value)).toEqual(after(whole).map((o) => o.value));
    expect(restored.outValues('timeout')).toEqual(whole.outValues('timeout'));
    expect(after(whole).length).toBeGreaterThan(0);
  });
});
