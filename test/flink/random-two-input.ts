// Random connect and broadcast pipelines for the differential tests. Flink gives no order between
// a node's two inputs, so these cases only let the output depend on what the input fixes: every
// record is counted into its second (a bucket), and an event-time timer at the bucket's last
// millisecond emits the bucket's figures — by then the watermark (the minimum of both inputs')
// has passed every record of the bucket on both sides, and no record is late (disorder stays
// within the source's bound). Records emitted on arrival carry only the record's own fields.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../support/cep.js';
import type { PipelineDoc } from '../support/run.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function events(r: () => number, bound: number): string {
  const n = 30 + Math.floor(r() * 70);
  const lines: string[] = [];
  let t = 1_000_000 + Math.floor(r() * 5000);
  for (let i = 0; i < n; i++) {
    t += pick(r, [0, 100, 250, 400, 1000]);
    const ts = bound > 0 && r() < 0.3 ? t - Math.floor(r() * (bound + 1)) : t;
    lines.push(JSON.stringify({ id: i + 1, ts, side: r() < 0.5 ? 'L' : 'R', k: pick(r, ['a', 'b', 'c']), v: r() < 0.9 ? Math.floor(r() * 10) : null }));
  }
  return `${lines.join('\n')}\n`;
}

const BUCKET = 'const b = Math.floor(ctx.timestamp / 1000) * 1000 + 999;';

function connectNode(r: () => number): Record<string, unknown> {
  const count = (side: string) =>
    `${BUCKET}\nctx.state.map('n').increment('${side}:' + b, event.v ?? 0);\nctx.timers.eventTime(b);` + (r() < 0.5 ? `\nctx.emit({ side: '${side}', id: event.id, key: ctx.key, ts: ctx.timestamp });` : '');
  return {
    type: 'connect',
    params: {
      onLeft: count('L'),
      // A null `v` on the right fails the record: to `errors` on both engines.
      onRight: `if (event.v === null) throw new Error('no v in ' + event.id);\n${count('R')}`,
      onTimer: "const m = ctx.state.map('n');\nconst at = timer.timestamp;\nctx.emit({ key: ctx.key, at, left: m.get('L:' + at) ?? 0, right: m.get('R:' + at) ?? 0 });\nm.remove('L:' + at);\nm.remove('R:' + at);",
      state: { n: { kind: 'map' } },
    },
  };
}

function broadcastNode(r: () => number): Record<string, unknown> {
  const side = r() < 0.5
    ? { key: "'b' + (floor(ts / 1000) * 1000 + 999)", value: pick(r, ['{ id, v }', 'v == null ? null : { id, v }']) }
    : { onBroadcast: "const b = Math.floor(ctx.timestamp / 1000) * 1000 + 999;\nif (event.v === null) ctx.broadcast.put(null, 1);\nctx.broadcast.put('b' + b, { id: event.id, v: event.v, n: (ctx.broadcast.get('b' + b)?.n ?? 0) + 1 });\nctx.emit({ from: 'broadcast', id: event.id });" };
  const main = r() < 0.7
    ? {
        // Ids per bucket: records of later buckets may arrive before this one's timer fires.
        // `order`: the broadcast state's insertion order (a removed entry put again goes last)
        // over the buckets the watermark has passed, which both engines have fully read by then.
        code: `${BUCKET}\nconst m = ctx.state.map('ids');\nm.put(b, [...(m.get(b) ?? []), event.id]);\nctx.timers.eventTime(b);`,
        onTimer: "const m = ctx.state.map('ids');\nconst at = timer.timestamp;\nctx.emit({ key: ctx.key, at, ids: m.get(at) ?? [], last: ctx.broadcast.get('b' + at) ?? null, order: ctx.broadcast.keys().filter((k) => Number(k.slice(1)) <= at) });\nm.remove(at);",
      }
    : { output: pick(r, ['v === null ? null : { id, k, v }', 'v === null ? 5 : { id, v, key }']) };
  return { type: 'broadcast', params: { ...side, ...main } };
}

/** Case `seed`: a connect or broadcast node over one file split by `side`. */
export function randomTwoInputCase(seed: number, dir: string): PipelineDoc {
  const r = rng(seed);
  const bound = pick(r, [0, 300, 1000]);
  const input = join(dir, `in-${seed}.jsonl`);
  writeFileSync(input, events(r, bound));
  const isConnect = seed % 2 === 0;
  const node = isConnect ? connectNode(r) : broadcastNode(r);
  const mainKeyed = isConnect || r() < 0.7;
  const nodes: PipelineDoc['nodes'] = [
    { id: 'src', type: 'source.file', params: { path: input, eventTime: { field: 'ts', maxOutOfOrderness: bound } } },
    { id: 'fl', type: 'filter', params: { condition: "side == 'L'" } },
    { id: 'fr', type: 'filter', params: { condition: "side == 'R'" } },
    { id: 'kl', type: 'keyBy', params: { key: 'k' } },
    { id: 'j', type: node.type as string, params: node.params as Record<string, unknown> },
    { id: 'out', type: 'sink.file', params: { path: join(dir, `out-${seed}.jsonl`) } },
    { id: 'errs', type: 'sink.file', params: { path: join(dir, `errors-${seed}.jsonl`) } },
  ];
  const edges: PipelineDoc['edges'] = [
    { from: 'src', to: 'fl' },
    { from: 'src', to: 'fr' },
    { from: mainKeyed ? 'kl' : 'fl', to: 'j', toPort: isConnect ? 'left' : 'main' },
    { from: 'j', to: 'out' },
    { from: 'j', fromPort: 'errors', to: 'errs' },
  ];
  if (mainKeyed) edges.push({ from: 'fl', to: 'kl' });
  else nodes.splice(nodes.findIndex((n) => n.id === 'kl'), 1);
  if (isConnect) {
    nodes.push({ id: 'kr', type: 'keyBy', params: { key: 'k' } });
    edges.push({ from: 'fr', to: 'kr' }, { from: 'kr', to: 'j', toPort: 'right' });
  } else {
    edges.push({ from: 'fr', to: 'j', toPort: 'broadcast' });
  }
  return { name: `two-input-${seed}`, nodes, edges };
}
