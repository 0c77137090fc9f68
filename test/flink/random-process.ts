// Randomly generated process pipelines over random inputs for the differential tests: a file of
// events with disorder and the odd bad value, an optional keyBy, then a process node whose code
// is put together from parts — value, list and map state, event-time timers (moved, deleted,
// re-armed from onTimer), the watermark, `side` and a throwing record for `errors` — with every
// port to a file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../support/cep.js';
import type { PipelineDoc } from '../support/run.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function events(r: () => number): string {
  const n = 20 + Math.floor(r() * 80);
  const disorder = pick(r, [0, 500, 3000]);
  const lines: string[] = [];
  let t = 1_000_000 + Math.floor(r() * 5000);
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 2000);
    const ts = r() < 0.2 ? t - Math.floor(r() * disorder) : t;
    const e: Record<string, unknown> = { id: i + 1, ts, k: pick(r, ['a', 'b', 'c']), n: pick(r, [1, 2, 3]), name: pick(r, ['x', 'y', 'z', null]) };
    const v = r();
    if (v < 0.85) e.v = Math.round(r() * 1000) / 10;
    else if (v < 0.95) e.v = null;
    else e.v = 'oops';
    lines.push(JSON.stringify(e));
  }
  return `${lines.join('\n')}\n`;
}

/** Parts of `code`, each optional; `on` lines run in onTimer. */
interface Part {
  open?: string;
  code: string;
  onTimer?: string;
  state?: Record<string, unknown>;
}

const PARTS: ((r: () => number) => Part)[] = [
  // A count and sum per key, reported when the key has been quiet for `gap` of event time.
  (r) => {
    const gap = pick(r, [1000, 3000, 10_000]);
    return {
      open: "this.count = ctx.state.value('count'); this.sum = ctx.state.value('sum'); this.due = ctx.state.value('due');",
      code: `this.count.update((this.count.value() ?? 0) + 1);
if (typeof event.v === 'number') this.sum.update((this.sum.value() ?? 0) + event.v);
const was = this.due.value();
if (was !== undefined) ctx.timers.deleteEventTime(was);
this.due.update(ctx.timestamp + ${gap});
ctx.timers.eventTime(ctx.timestamp + ${gap});`,
      onTimer: `if (timer.timestamp === this.due.value()) {
  ctx.emit({ quiet: ctx.key, count: this.count.value(), sum: this.sum.value() ?? null, at: timer.timestamp, wm: ctx.watermark, domain: timer.domain });
  this.count.clear(); this.sum.clear(); this.due.clear();
}`,
      state: { count: { kind: 'value', ttl: '1h' }, sum: { kind: 'value' }, due: { kind: 'value', ttl: '2h', ttlUpdate: 'onReadAndWrite' } },
    };
  },
  // The latest ids, newest first, read in place.
  (r) => {
    const keep = pick(r, [1, 3, 5]);
    return {
      code: `const recent = ctx.state.list('recent');
const seen = [];
for (let i = recent.size() - 1; i >= 0; i--) seen.push(recent.at(i).id);
let total = 0;
recent.forEach((x) => { total += x.id; });
ctx.emit({ id: event.id, key: ctx.key, seen, total, first: recent.at(0)?.id ?? null, ts: ctx.timestamp });
recent.add({ id: event.id, name: event.name });
recent.keepLast(${keep});`,
    };
  },
  // Names counted per key in a map; the top two, the entries in insertion order, removals.
  () => ({
    code: `const names = ctx.state.map('names');
const nm = event.name ?? (event.n > 1);
names.increment(nm, event.n);
if (event.n === 3 && names.contains('x')) names.remove('x');
if (event.id % 7 === 0) names.put(event.id, 'not a number');
ctx.emit({ id: event.id, top: names.top(2), keys: names.keys(), size: names.size(), x: names.get('x') ?? null }, event.id % 2 === 0 ? 'side' : 'out');`,
    state: { names: { kind: 'map', ttl: '1d' } },
  }),
  // A timer per record at its own time plus a re-armed follow-up, in onTimer order.
  (r) => {
    const step = pick(r, [500, 2000]);
    return {
      code: `ctx.timers.eventTime(ctx.timestamp + ${step});
const pend = ctx.state.list('pend');
pend.add(event.id);
if (ctx.timestamp <= ctx.watermark) ctx.emit({ late: event.id, ts: ctx.timestamp, wm: ctx.watermark }, 'side');`,
      onTimer: `const pend = ctx.state.list('pend');
const rounds = ctx.state.value('rounds');
const n = (rounds.value() ?? 0) + 1;
rounds.update(n);
ctx.emit({ fired: timer.timestamp, key: ctx.key, pending: pend.get(), n, end: ctx.watermark === Infinity });
pend.clear();
// Not from the final watermark: there Flink fires every timer registered meanwhile, the embedded
// runtime only those not later than what was pending (docs/flink.md, where the two differ).
if (n % 3 === 0 && ctx.watermark !== Infinity) ctx.timers.eventTime(timer.timestamp + ${step});`,
    };
  },
  // Bad records to errors; a bad emit too.
  () => ({
    code: `if (event.v === 'oops') throw new Error('v is not a number in ' + event.id);
if (event.v === null && event.n === 2) ctx.emit([event.id]);
if (event.v === null && event.n === 3) ctx.emit({ id: event.id }, 'nowhere');`,
  }),
];

/** Case i: writes its input into dir and returns a pipeline whose sinks write there too. */
export function randomProcessCase(seed: number, dir: string): PipelineDoc {
  const r = rng(seed);
  const input = join(dir, `in-${seed}.jsonl`);
  writeFileSync(input, events(r));
  const parts = PARTS.filter(() => r() < 0.5);
  if (parts.length === 0) parts.push(pick(r, PARTS));
  const made = parts.map((p) => p(r));
  const code = made.map((p) => `{\n${p.code}\n}`).join('\n');
  const onTimer = made.filter((p) => p.onTimer).map((p) => `{\n${p.onTimer}\n}`).join('\n');
  const open = made.filter((p) => p.open).map((p) => p.open).join('\n');
  const state = Object.assign({}, ...made.map((p) => p.state ?? {})) as Record<string, unknown>;
  const params: Record<string, unknown> = { code };
  if (onTimer !== '') params.onTimer = onTimer;
  if (open !== '') params.open = open;
  if (Object.keys(state).length > 0) params.state = state;
  const nodes: PipelineDoc['nodes'] = [
    { id: 'src', type: 'source.file', params: { path: input, eventTime: { field: 'ts', maxOutOfOrderness: pick(r, [0, 0, 500, 3000]) } } },
    { id: 'p', type: 'process', params },
    { id: 'out', type: 'sink.file', params: { path: join(dir, `out-${seed}.jsonl`) } },
    { id: 'side', type: 'sink.file', params: { path: join(dir, `side-${seed}.jsonl`) } },
    { id: 'errs', type: 'sink.file', params: { path: join(dir, `errors-${seed}.jsonl`) } },
  ];
  const edges: PipelineDoc['edges'] = [
    { from: 'p', to: 'out' },
    { from: 'p', fromPort: 'side', to: 'side' },
    { from: 'p', fromPort: 'errors', to: 'errs' },
  ];
  if (r() < 0.8) {
    nodes.push({ id: 'kb', type: 'keyBy', params: { key: pick(r, ['k', 'n', 'n > 1']) } });
    edges.push({ from: 'src', to: 'kb' }, { from: 'kb', to: 'p' });
  } else edges.push({ from: 'src', to: 'p' });
  return { name: `random-process-${seed}`, nodes, edges };
}
