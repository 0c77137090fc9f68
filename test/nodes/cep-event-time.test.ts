// The cep node at the edges of event time, as Flink's CepOperator behaves there (the expected
// outputs were checked against Flink 1.20.1's CepOperator in its operator test harness): events
// exactly at first event + within, late events for keys with partial matches, a watermark that
// jumps over many windows, the end of the input; and checkpoints taken at every point of such
// streams, which a restored node must continue exactly.
import { describe, expect, it } from 'vitest';
import type { Stateful } from '../../runtime/engine/timed.js';
import type { CepOperator } from '../../runtime/nodes/cep/operator.js';
import { cepHarness, type Ev, labelled, matchNames, pushEvents, rng, step } from '../support/cep.js';
import type { OperatorHarness } from '../support/harness.js';

const notPaid = { pattern: [step('add', 'a'), step('paid', 'p', { negated: true })], within: 10 };
const named = (h: OperatorHarness, port = 'out') => h.output(port).map((o) => `${matchNames(o.value)}@${o.ts}`);

describe('event-time edges (CepOperator)', () => {
  it('notFollowedBy: the negated event exactly at first event + within comes too late to discard the match; a late one never counts', () => {
    const h = pushEvents(cepHarness(notPaid, { keyed: true }), [
      { name: 'a1', ts: 1, key: 1 },
      { name: 'p1', ts: 11, key: 1 },
      { name: 'a2', ts: 20, key: 1 },
      { name: 'p2', ts: 29, key: 1 },
      { name: 'a3', ts: 40, key: 1, wmAfter: 45 },
      { name: 'p3', ts: 42, key: 1 },
    ]).watermark(Infinity);
    expect(named(h)).toEqual(['a1@11', 'a3@50']);
    expect(h.outValues('late')).toEqual([{ name: 'p3', t: 'p' }]);
  });

  it('a partial match times out at first event + within even when the key\'s next event is what reveals it', () => {
    // Flink's NFA.advanceTime runs with each event's timestamp before the event itself.
    const p = { pattern: [step('a', 'a'), step('b', 'b')], within: 5 };
    const h = pushEvents(cepHarness(p, { keyed: true }), [{ name: 'a1', ts: 1, key: 1 }, { name: 'b1', ts: 6, key: 1 }, { name: 'b2', ts: 7, key: 1 }]).watermark(6);
    expect(h.outValues()).toEqual([]);
    expect(h.output('timeout').map((o) => [matchNames(o.value), o.ts])).toEqual([['a1', 6]]);
  });

  it('a watermark jumping over many windows times every partial match out at its own first event + within, per key in start order', () => {
    const p = { pattern: [step('a', 'a'), step('b', 'b')], within: 5 };
    const h = pushEvents(cepHarness(p, { keyed: true }), [
      { name: 'a1', ts: 1, key: 1 },
      { name: 'a2', ts: 2, key: 2 },
      { name: 'a3', ts: 3, key: 1 },
      { name: 'x', ts: 4, key: 3, wmAfter: 100 },
    ]);
    const byKey = (k: number) => h.output('timeout').filter((o) => (o.value as { key: number }).key === k).map((o) => `${matchNames(o.value)}@${o.ts}`);
    expect(byKey(1)).toEqual(['a1@6', 'a3@8']);
    expect(byKey(2)).toEqual(['a2@7']);
  });

  it('a match held back by a skip strategy is stamped when the partial match holding it ran out, however far the watermark jumps', () => {
    // a2 b2 completes at 4 but waits for a1 (another price), which runs out at 1 + 5 = 6; a3's
    // window (5 + 5 = 10) runs out in the same jump, and has nothing to do with it.
    const p = { pattern: [step('a', 'a'), { name: 'b', where: "t == 'b' && price == match.a[0].price" }], within: 5, afterMatch: { strategy: 'skipPastLastEvent' } };
    const evs: Ev[] = [{ name: 'a1', ts: 1, price: 1 }, { name: 'a2', ts: 3, price: 2 }, { name: 'b2', ts: 4, price: 2 }, { name: 'a3', ts: 5, price: 3 }];
    const jump = pushEvents(cepHarness(p), evs).watermark(Infinity);
    const steps = pushEvents(cepHarness(p), evs.map((e) => ({ ...e, wmAfter: e.ts })));
    for (let t = 5; t <= 12; t++) steps.watermark(t);
    expect(named(steps)).toEqual(['a2 b2@6']);
    expect(named(jump)).toEqual(['a2 b2@6']);
    expect(named(jump, 'timeout')).toEqual(['a1@6', 'a3@10']);
  });

  it('at the end of the input a partial match in a loop times out with everything it took', () => {
    const p = { pattern: [step('a', 'a'), step('b', 'b', { quantifier: { min: 1, max: null } }), step('c', 'c')], within: 10 };
    const h = pushEvents(cepHarness(p, { keyed: true }), [{ name: 'a1', ts: 1, key: 1 }, { name: 'b1', ts: 2, key: 1 }]).watermark(Infinity).end();
    expect(h.output('timeout').map((o) => `${labelled(o.value)}@${o.ts}`)).toEqual(['a:a1 b:b1@11']);
  });
});

// Checkpoints: a snapshot at any point of a stream, restored into a fresh node that then sees the
// rest of the stream (after the watermark it had reached, as a restarted source re-sends it), gives
// exactly the outputs the uninterrupted node gave after that point, on every port.
const PATTERNS: Record<string, Record<string, unknown>> = {
  'pending notFollowedBy': notPaid,
  // A match of a later a waits while an earlier a (another price) may still complete.
  'matches held back by skipPastLastEvent': {
    pattern: [step('a', 'a'), { name: 'b', where: "t == 'b' && price == match.a[0].price" }],
    within: 8,
    afterMatch: { strategy: 'skipPastLastEvent' },
  },
  'greedy until with skipToFirst': {
    pattern: [step('a', 'a', { quantifier: { min: 1, max: null }, greedy: true, until: 'price > 3' }), step('b', 'b')],
    within: 12,
    afterMatch: { strategy: 'skipToFirst', step: 'a' },
  },
  'iterative conditions without within': {
    pattern: [step('a', 'a'), { name: 'up', where: "t != 'x' && price > coalesce(sum(match.a, 'price'), 0)", quantifier: { min: 2, max: 3, inner: 'any' } }],
    afterMatch: { strategy: 'skipToNext' },
  },
};

function stream(seed: number): Ev[] {
  const rand = rng(seed);
  const out: Ev[] = [];
  let ts = 1;
  let wm = -Infinity;
  for (let i = 0; i < 40; i++) {
    // Mostly forward, with ties and records from the past (some of them late).
    const r = rand();
    ts = r < 0.65 ? ts + 1 : r < 0.85 ? ts : Math.max(1, ts - 1 - Math.floor(rand() * 3));
    const e: Ev = { name: `${'aabbcpx'[Math.floor(rand() * 7)]}${i}`, ts, key: `k${Math.floor(rand() * 2)}`, price: 1 + Math.floor(rand() * 3) };
    if (rand() < 0.25) {
      wm = Math.max(wm, ts - 1 - Math.floor(rand() * 3));
      e.wmAfter = wm;
    }
    out.push(e);
  }
  return out;
}

const PORTS = ['out', 'timeout', 'late', 'errors'];

/**
 * Each port's records, in order, from record `from[port]` on: a restore keeps the order of the
 * keys' timers, so keys due at one time expire in the order of the uninterrupted run.
 */
function outputs(h: OperatorHarness, from: Record<string, number> = {}): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const port of PORTS) out[port] = h.output(port).slice(from[port] ?? 0).map((o) => [o.value, o.ts]);
  return out;
}

describe('checkpoints', () => {
  for (const [what, params] of Object.entries(PATTERNS)) {
    it(`${what}: a node restored from a snapshot at any point continues exactly as the original`, () => {
      let compared = 0;
      let held = 0;
      for (let seed = 1; seed <= 4; seed++) {
        const events = stream(seed);
        const whole = pushEvents(cepHarness(params, { keyed: true }), events).watermark(Infinity).end();
        for (let cut = 0; cut < events.length; cut++) {
          const before = pushEvents(cepHarness(params, { keyed: true }), events.slice(0, cut + 1));
          const snap = (before.op as unknown as Stateful).snapshotState();
          for (const k of (before.op as unknown as CepOperator).keys.values()) held += k.completed.size;
          const counts = Object.fromEntries(PORTS.map((p) => [p, before.output(p).length]));
          const wm = Math.max(-Infinity, ...events.slice(0, cut + 1).map((e) => e.wmAfter ?? -Infinity));
          // The snapshot is a copy: the original going on does not change it.
          pushEvents(before, events.slice(cut + 1)).watermark(Infinity).end();
          const restored = cepHarness(params, { keyed: true });
          (restored.op as unknown as Stateful).restoreState(structuredClone(snap));
          if (wm > -Infinity) restored.watermark(wm);
          pushEvents(restored, events.slice(cut + 1)).watermark(Infinity).end();
          expect(outputs(restored), `seed ${seed}, cut after event ${cut}`).toEqual(outputs(whole, counts));
          compared += whole.output().length + whole.output('timeout').length - counts.out! - counts.timeout!;
        }
      }
      // The streams reach the states the pattern is about.
      expect(compared).toBeGreaterThan(40);
      // Under a skip strategy some snapshots hold completed matches waiting for earlier partial ones.
      if ((params.afterMatch as { strategy?: string } | undefined) !== undefined) expect(held).toBeGreaterThan(0);
    });
  }
});
