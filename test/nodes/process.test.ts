// The process node: Flink's KeyedProcessFunction (processElement, onTimer, Context, side outputs)
// over keyed state and timers, driven through the operator harness.
import { describe, expect, it } from 'vitest';
import type { OperatorSnapshot, Stateful } from '../../runtime/engine/timed.js';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { OperatorHarness } from '../support/harness.js';

type R = { value: unknown; ts?: number; key?: unknown; wmAfter?: number };

function proc(params: Record<string, unknown>, opts: { keyed?: boolean; connect?: string[] } = {}) {
  return new OperatorHarness('process', params, { keyed: opts.keyed ?? true, connect: opts.connect });
}

function stateful(h: OperatorHarness): Stateful {
  return h.op as unknown as Stateful;
}

describe('params', () => {
  const parse = (p: unknown) => REGISTRY.get('process')!.params.safeParse(p);

  it('accepts code, onTimer and declared state', () => {
    expect(parse({ code: 'ctx.emit(event)', onTimer: 'ctx.emit(timer)', state: { s: { kind: 'list', ttl: '30m', ttlUpdate: 'onReadAndWrite' } } }).success).toBe(true);
  });

  it('rejects a bad declaration, a ttl of 0, ttlUpdate without ttl, and code that does not parse', () => {
    expect(parse({ code: 'x' , state: { s: { kind: 'set' } } }).success).toBe(false);
    expect(parse({ code: 'x', state: { s: { kind: 'value', ttl: 0 } } }).success).toBe(false);
    expect(parse({ code: 'x', state: { s: { kind: 'value', ttlUpdate: 'onReadAndWrite' } } }).success).toBe(false);
    expect(parse({ code: 'x', state: { s: { kind: 'value', extra: 1 } } }).success).toBe(false);
    expect(parse({ code: 'return (' }).success).toBe(false);
    expect(parse({ code: 'x', onTimer: '}{' }).success).toBe(false);
  });
});

describe('processElement and its context (KeyedProcessFunction.Context)', () => {
  it('sees ctx.key, ctx.timestamp, ctx.watermark and ctx.now; output carries the input timestamp and no key', () => {
    const h = proc({ code: 'ctx.emit({ v: event.v, key: ctx.key, ts: ctx.timestamp, wm: ctx.watermark, now: ctx.now })' });
    h.job.clock.advanceTo(777);
    h.push([
      { value: { v: 1 }, ts: 10, key: 'a', wmAfter: 5 },
      { value: { v: 2 }, ts: 20, key: 'b', wmAfter: 15 },
    ]);
    expect(h.outValues()).toEqual([
      { v: 1, key: 'a', ts: 10, wm: -Infinity, now: 777 },
      { v: 2, key: 'b', ts: 20, wm: 5, now: 777 },
    ]);
    expect(h.output().map((o) => [o.ts, o.key])).toEqual([
      [10, undefined],
      [20, undefined],
    ]);
  });

  it('without keyBy every record has the global key null', () => {
    const h = proc({ code: 'const c = ctx.state.value("n"); c.update((c.value() ?? 0) + 1); ctx.emit({ key: ctx.key, n: c.value() })' }, { keyed: false });
    h.push([{ value: {}, ts: 1 }, { value: {}, ts: 2 }]);
    expect(h.outValues()).toEqual([
      { key: null, n: 1 },
      { key: null, n: 2 },
    ]);
  });

  it('emits to out and to side, any number of records per input; the return value is ignored', () => {
    const h = proc({ code: "ctx.emit({ a: 1 }); ctx.emit({ b: 2 }, 'side'); ctx.emit({ c: 3 }, 'out'); return { ignored: true };" });
    h.push([{ value: {}, ts: 5, key: 'k' }]);
    expect(h.outValues()).toEqual([{ a: 1 }, { c: 3 }]);
    expect(h.outValues('side')).toEqual([{ b: 2 }]);
    expect(h.output('side')[0]!.ts).toBe(5);
    expect(h.metrics.recordsOut).toBe(2);
  });

  it('processes late records like any other', () => {
    const h = proc({ code: 'ctx.emit({ ts: ctx.timestamp, late: ctx.timestamp <= ctx.watermark })' });
    h.push([{ value: {}, ts: 100, key: 'a', wmAfter: 100 }, { value: {}, ts: 3, key: 'a' }]);
    expect(h.outValues()).toEqual([
      { ts: 100, late: false },
      { ts: 3, late: true },
    ]);
  });

  it('keeps state per key', () => {
    const h = proc({ code: "const c = ctx.state.value('count'); c.update((c.value() ?? 0) + 1); ctx.state.list('seen').add(event.v); ctx.emit({ key: ctx.key, n: c.value(), seen: ctx.state.list('seen').get() })" });
    h.push([
      { value: { v: 1 }, key: 'a' },
      { value: { v: 2 }, key: 'b' },
      { value: { v: 3 }, key: 'a' },
    ]);
    expect(h.outValues()).toEqual([
      { key: 'a', n: 1, seen: [1] },
      { key: 'b', n: 1, seen: [2] },
      { key: 'a', n: 2, seen: [1, 3] },
    ]);
  });
});

describe('errors', () => {
  it('sends a throwing record, a bad emit port and a non-object emit to errors as {node, error, record}', () => {
    const h = proc({ code: "if (event.kind === 'throw') throw new Error('boom'); if (event.kind === 'port') ctx.emit({}, 'nope'); if (event.kind === 'array') ctx.emit([1]); ctx.emit(event);" });
    h.push([
      { value: { kind: 'throw' }, ts: 1, key: 'a' },
      { value: { kind: 'port' }, ts: 2, key: 'a' },
      { value: { kind: 'array' }, ts: 3, key: 'a' },
      { value: { kind: 'ok' }, ts: 4, key: 'a' },
    ]);
    expect(h.outValues()).toEqual([{ kind: 'ok' }]);
    const errs = h.outValues('errors') as { node: string; error: string; record: unknown }[];
    expect(errs.map((e) => e.node)).toEqual(['process', 'process', 'process']);
    expect(errs[0]).toEqual({ node: 'process', error: 'boom', record: { kind: 'throw' } });
    expect(errs[1]!.error).toMatch(/no port "nope".*'out' and 'side'/);
    expect(errs[2]!.error).toMatch(/ctx.emit needs an object, not an array/);
    expect(h.output('errors').map((o) => o.ts)).toEqual([1, 2, 3]);
    expect(h.metrics.errors).toBe(3);
  });

  it('fails the run naming the node when errors is not connected', () => {
    const h = proc({ code: "throw new Error('boom')" }, { connect: ['out', 'side'] });
    expect(() => h.push([{ value: { x: 1 }, key: 'a' }])).toThrow(expect.objectContaining({ nodeId: 'process', message: expect.stringMatching(/boom/) }));
  });

  it('an error in onTimer goes to errors with {timer, key} as the record', () => {
    const h = proc({ code: 'ctx.timers.eventTime(ctx.timestamp + 5)', onTimer: "throw new Error('timer broke')" });
    h.push([{ value: {}, ts: 10, key: 'k' }]);
    h.watermark(15);
    expect(h.outValues('errors')).toEqual([{ node: 'process', error: 'timer broke', record: { timer: { timestamp: 15, domain: 'event' }, key: 'k' } }]);
  });

  it('a state asked for with options other than its declaration is an error naming the state', () => {
    const h = proc({ code: "ctx.state.list('recent', { ttl: '5m' }).add(1)", state: { recent: { kind: 'list', ttl: '30m' } } });
    h.push([{ value: {}, key: 'a' }]);
    expect((h.outValues('errors')[0] as { error: string }).error).toMatch(/state 'recent' is a list state with ttl 1800000 ms.*ttl 300000 ms/);
  });

  it('a bad timer timestamp is an error', () => {
    const h = proc({ code: "ctx.timers.eventTime('soon')" });
    h.push([{ value: {}, key: 'a' }]);
    expect((h.outValues('errors')[0] as { error: string }).error).toMatch(/finite timestamp/);
  });
});

describe('timers (TimerService in KeyedProcessFunction)', () => {
  const counter = {
    code: "const c = ctx.state.value('n'); c.update((c.value() ?? 0) + 1); ctx.timers.eventTime(ctx.timestamp + 10);",
    onTimer: "ctx.emit({ key: ctx.key, at: timer.timestamp, domain: timer.domain, ts: ctx.timestamp, wm: ctx.watermark, n: ctx.state.value('n').value() }); ctx.state.value('n').clear();",
  };

  it('event-time timers fire as the watermark passes them, per key, in time order, stamped with their time', () => {
    const h = proc(counter);
    h.push([
      { value: {}, ts: 5, key: 'b' },
      { value: {}, ts: 1, key: 'a' },
      { value: {}, ts: 5, key: 'b' }, // same (key, time): one timer
    ]);
    h.watermark(14);
    h.push([{ value: {}, ts: 20, key: 'a', wmAfter: 40 }]);
    expect(h.outValues()).toEqual([
      { key: 'a', at: 11, domain: 'event', ts: 11, wm: 14, n: 1 },
      { key: 'b', at: 15, domain: 'event', ts: 15, wm: 40, n: 2 },
      { key: 'a', at: 30, domain: 'event', ts: 30, wm: 40, n: 1 },
    ]);
    expect(h.output().map((o) => o.ts)).toEqual([11, 15, 30]);
  });

  it('deleteEventTime cancels a timer (an inactivity timeout that moves)', () => {
    const h = proc({
      code: "const d = ctx.state.value('due'); if (d.value() !== undefined) ctx.timers.deleteEventTime(d.value()); d.update(ctx.timestamp + 10); ctx.timers.eventTime(ctx.timestamp + 10);",
      onTimer: 'ctx.emit({ key: ctx.key, quietAt: timer.timestamp })',
    });
    h.push([
      { value: {}, ts: 0, key: 'a', wmAfter: 0 },
      { value: {}, ts: 8, key: 'a', wmAfter: 8 },
      { value: {}, ts: 15, key: 'a', wmAfter: 15 },
    ]);
    h.watermark(100);
    expect(h.outValues()).toEqual([{ key: 'a', quietAt: 25 }]);
  });

  it('processing-time timers fire on the clock; their output goes out at once', () => {
    const h = proc({ code: 'ctx.timers.processingTime(ctx.now + 100)', onTimer: 'ctx.emit({ key: ctx.key, at: timer.timestamp, domain: timer.domain, now: ctx.now })' });
    h.job.clock.advanceTo(1000);
    h.push([{ value: {}, key: 'a' }]);
    h.job.clock.advanceTo(1050);
    h.push([{ value: {}, key: 'b' }]);
    h.job.clock.advanceTo(1120);
    expect(h.outValues()).toEqual([{ key: 'a', at: 1100, domain: 'processing', now: 1100 }]);
    h.job.clock.advanceTo(2000);
    expect(h.outValues().map((v) => (v as { key: string }).key)).toEqual(['a', 'b']);
  });

  it('the final watermark fires pending event-time, then processing-time timers', () => {
    const h = proc({ code: 'ctx.timers.processingTime(ctx.now + 1000); ctx.timers.eventTime(ctx.timestamp + 1000);', onTimer: 'ctx.emit({ key: ctx.key, domain: timer.domain })' });
    h.push([{ value: {}, ts: 1, key: 'a' }, { value: {}, ts: 2, key: 'b' }]);
    h.watermark(Infinity).end();
    expect(h.outValues()).toEqual([
      { key: 'a', domain: 'event' },
      { key: 'b', domain: 'event' },
      { key: 'a', domain: 'processing' },
      { key: 'b', domain: 'processing' },
    ]);
    expect(h.ended()).toBe(true);
  });

  it('an interrupted run (inputs end without the final watermark) fires nothing more', () => {
    const h = proc({ code: 'ctx.timers.processingTime(ctx.now + 10); ctx.timers.eventTime(ctx.timestamp + 10);', onTimer: 'ctx.emit({ key: ctx.key })' });
    h.push([{ value: {}, ts: 1, key: 'a' }]);
    h.end();
    h.job.clock.advanceTo(10_000);
    expect(h.outValues()).toEqual([]);
    expect(h.job.clock.pendingCalls).toBe(0);
  });
});

describe('state TTL in the node (StateTtlConfig, processing time)', () => {
  it('a declared TTL applies when code asks by name only; ctx.state options work undeclared', () => {
    const h = proc({
      code: "ctx.state.list('recent').add(event.v); ctx.state.value('last', { ttl: '1s', ttlUpdate: 'onReadAndWrite' }).update(event.v); ctx.emit({ recent: ctx.state.list('recent').get() })",
      state: { recent: { kind: 'list', ttl: '30m' } },
    });
    h.push([{ value: { v: 1 }, key: 'a' }]);
    h.job.clock.advanceTo(29 * 60_000);
    h.push([{ value: { v: 2 }, key: 'a' }]);
    h.job.clock.advanceTo(30 * 60_000);
    h.push([{ value: { v: 3 }, key: 'a' }]);
    expect(h.outValues()).toEqual([{ recent: [1] }, { recent: [1, 2] }, { recent: [2, 3] }]);
  });

  it('expired keys leave the state figure as records flow (incremental cleanup)', () => {
    const h = proc({ code: "ctx.state.value('v', { ttl: 1000 }).update(1)" });
    h.push(Array.from({ length: 500 }, (_, i) => ({ value: {}, key: `old${i}` })));
    expect(h.metrics.stateSize().keys).toBe(500);
    h.job.clock.advanceTo(5000);
    h.push(Array.from({ length: 500 }, (_, i) => ({ value: {}, key: `new${i}` })));
    expect(h.metrics.stateSize().keys).toBe(500); // every old key was swept while the new ones arrived
  });
});

describe('metrics and snapshots (Stateful)', () => {
  it('stateSize reports keys and bytes of state and timers', () => {
    const h = proc({ code: "ctx.state.value('v').update({ n: event.n, text: 'x'.repeat(40) }); ctx.timers.eventTime(ctx.timestamp + 10);", onTimer: "ctx.state.value('v').clear()" });
    expect(h.metrics.stateSize()).toEqual({ keys: 0, bytes: 0 });
    h.push(Array.from({ length: 1000 }, (_, i) => ({ value: { n: i }, ts: i, key: `user-${i}` })));
    const s = h.metrics.stateSize();
    expect(s.keys).toBe(1000);
    expect(s.bytes).toBeGreaterThan(1000 * 150);
    expect(s.bytes).toBeLessThan(1000 * 1000);
    h.watermark(2000);
    expect(h.metrics.stateSize()).toEqual({ keys: 0, bytes: 0 });
  });

  it('snapshot → structuredClone → restore into a fresh node continues as if never stopped', () => {
    const params = {
      code: [
        "const c = ctx.state.value('count'); const n = (c.value() ?? 0) + 1; c.update(n);",
        "const recent = ctx.state.list('recent', { ttl: 60000 }); recent.add(event.v);",
        "ctx.state.map('byV').put(event.v % 3, n);",
        'ctx.timers.eventTime(ctx.timestamp + 7);',
        'ctx.timers.processingTime(ctx.now + 50);',
        "if (n % 3 === 0) ctx.emit({ key: ctx.key, n, recent: recent.get(), byV: ctx.state.map('byV').entries() });",
      ].join('\n'),
      onTimer: "ctx.emit({ key: ctx.key, at: timer.timestamp, domain: timer.domain, n: ctx.state.value('count').value() }, 'side'); if (timer.domain === 'event' && ctx.state.value('count').value() > 6) ctx.state.value('count').clear();",
    };
    const input: R[] = [];
    for (let i = 0; i < 240; i++) input.push({ value: { v: (i * 7) % 11 }, ts: i * 2 - (i % 4) * 3, key: `k${i % 5}`, wmAfter: i * 2 - 10 });
    const feed = (h: OperatorHarness, part: R[], from: number) => {
      for (let i = 0; i < part.length; i += 20) {
        h.job.clock.advanceTo((from + i) * 10);
        h.push(part.slice(i, i + 20));
      }
    };
    const whole = proc(params);
    feed(whole, input, 0);
    whole.job.clock.advanceTo(input.length * 10);
    whole.watermark(Infinity);

    const first = proc(params);
    feed(first, input.slice(0, 120), 0);
    const snap = structuredClone(stateful(first).snapshotState()) as OperatorSnapshot;
    const second = proc(params);
    second.job.clock.advanceTo(first.job.clock.now());
    stateful(second).restoreState(snap);
    second.watermark(input[119]!.wmAfter!);
    feed(second, input.slice(120), 120);
    second.job.clock.advanceTo(input.length * 10);
    second.watermark(Infinity);

    expect([...first.outValues(), ...second.outValues()]).toEqual(whole.outValues());
    expect([...first.outValues('side'), ...second.outValues('side')]).toEqual(whole.outValues('side'));
    expect(whole.outValues().length).toBeGreaterThan(50);
    expect((whole.outValues('side') as { domain: string }[]).filter((v) => v.domain === 'processing').length).toBeGreaterThan(50);
  });
});

describe('open and this (RichFunction.open, the function object\'s fields)', () => {
  it('runs open once; handles kept on this serve every key in code and onTimer', () => {
    const h = proc({
      open: "this.count = ctx.state.value('count'); this.seen = ctx.state.list('seen'); this.opened = (this.opened ?? 0) + 1;",
      code: "this.count.update((this.count.value() ?? 0) + 1); this.seen.add(event.v); this.seen.keepLast(2); ctx.timers.eventTime(100); ctx.emit({ key: ctx.key, n: this.count.value(), last: this.seen.at(-1), size: this.seen.size(), opened: this.opened });",
      onTimer: 'ctx.emit({ key: ctx.key, n: this.count.value(), seen: this.seen.get() }, \'side\');',
      state: { count: { kind: 'value' }, seen: { kind: 'list', ttl: '1h' } },
    });
    h.push([
      { value: { v: 1 }, ts: 1, key: 'a' },
      { value: { v: 2 }, ts: 2, key: 'b' },
      { value: { v: 3 }, ts: 3, key: 'a' },
      { value: { v: 4 }, ts: 4, key: 'a', wmAfter: 200 },
    ]);
    expect(h.outValues()).toEqual([
      { key: 'a', n: 1, last: 1, size: 1, opened: 1 },
      { key: 'b', n: 1, last: 2, size: 1, opened: 1 },
      { key: 'a', n: 2, last: 3, size: 2, opened: 1 },
      { key: 'a', n: 3, last: 4, size: 2, opened: 1 },
    ]);
    expect(h.output('side').map((o) => o.value)).toEqual([
      { key: 'a', n: 3, seen: [3, 4] },
      { key: 'b', n: 1, seen: [2] },
    ]);
  });

  it('reading state in open (no current key) or a throwing open fails the node, naming it and open', () => {
    expect(() => proc({ open: "ctx.state.value('v').value()", code: '' })).toThrow(/open: no current key/);
    expect(() => proc({ open: "throw new Error('nope')", code: '' })).toThrow(/open: nope/);
  });

  it('emitting or setting a timer in open fails the node: there is no record (Flink gives open no Collector or TimerService)', () => {
    expect(() => proc({ open: 'ctx.emit({ hello: 1 });', code: '' })).toThrow(/open: no current record: ctx.emit is called in code and onTimer, not in open/);
    expect(() => proc({ open: 'ctx.timers.eventTime(5);', code: '' })).toThrow(/open: no current record: ctx.timers is called in code and onTimer, not in open/);
    // Kept for later, the same calls serve code.
    const h = proc({ open: 'this.send = (r) => ctx.emit(r);', code: 'this.send({ v: event.v });' });
    h.push([{ value: { v: 1 }, ts: 1, key: 'a' }]);
    expect(h.outValues()).toEqual([{ v: 1 }]);
  });
});
