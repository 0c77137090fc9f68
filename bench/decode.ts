// Decode benchmark scenarios (one per child process): JSON Lines decoding alone, on the operator
// thread and in decode workers, and whole file pipelines (keyed window; stateless filter) with
// `decodeThreads` 0 (the single-thread figure) beside the off-thread ones.
import { createWriteStream } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { JsonlReader } from '../runtime/connectors/decode/jsonl-reader.js';
import { DecodePool } from '../runtime/connectors/decode/pool.js';
import { PackWriter } from '../runtime/engine/parallel/packed.js';
import { planJob } from '../runtime/engine/plan.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { EcommerceGenerator, type ClickEvent } from '../runtime/nodes/source-generator/ecommerce.js';
import type { ScenarioResult } from './section.js';

/** Writes `count` clickstream events (~185 B of JSON each) as JSON Lines; resolves when flushed. */
export async function writeClicks(path: string, count: number): Promise<void> {
  const gen = new EcommerceGenerator({ seed: 1, users: 100_000, products: 50_000, categories: 12, abandonment: 0.7, startTime: Date.UTC(2026, 0, 1), eventTimeRate: 5000, disorder: 2000 });
  const out = createWriteStream(path);
  for (let done = 0; done < count; ) {
    const recs: ClickEvent[] = [];
    const ts: number[] = [];
    const n = Math.min(50_000, count - done);
    gen.fill(recs, ts, n);
    let s = '';
    for (const r of recs) s += `${JSON.stringify(r)}\n`;
    if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
    done += n;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function input(): { path: string; count: number } {
  return { path: process.env.BENCH_DECODE_FILE!, count: Number(process.env.BENCH_DECODE_COUNT) };
}

/** Chunks as the file source takes them, doing nothing with the records: the decode ceiling. */
async function decodeOnly(threads: number): Promise<ScenarioResult> {
  const { path } = input();
  const pool = threads > 0 ? await DecodePool.start(threads) : null;
  if (threads > 0 && pool === null) throw new Error('decode workers did not start');
  const t0 = performance.now();
  // The operator thread's busy time, apart from waiting: what a pipeline after the source has left.
  const elu0 = performance.eventLoopUtilization();
  const r = new JsonlReader(path, undefined, pool);
  let records = 0;
  for (let c = await r.next(); c !== null; c = await r.next()) records += c.chunk.recs.length;
  const seconds = (performance.now() - t0) / 1000;
  const busyNs = (performance.eventLoopUtilization(elu0).active * 1e6) / records;
  await r.close();
  await pool?.close();
  return { scenario: `decode:${threads}`, records, seconds, busyNs } as ScenarioResult;
}

type Shape = 'window' | 'stateless';

async function pipeline(shape: Shape, threads: number): Promise<ScenarioResult> {
  const { path } = input();
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-decode-'));
  const src = { id: 'src', type: 'source.file', params: { path, decodeThreads: threads, eventTime: { field: 'ts', maxOutOfOrderness: '2s' } } };
  const doc =
    shape === 'window'
      ? {
          nodes: [
            src,
            { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
            { id: 'perMinute', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { events: { fn: 'count' }, spend: { fn: 'sum', field: 'price' } } } },
            { id: 'out', type: 'sink.file', params: { path: join(dir, 'windows.jsonl') } },
          ],
          edges: [
            { from: 'src', to: 'byUser' },
            { from: 'byUser', to: 'perMinute' },
            { from: 'perMinute', to: 'out' },
          ],
        }
      : {
          nodes: [
            src,
            { id: 'views', type: 'filter', params: { condition: "eventType != 'REMOVE_FROM_CART'" } },
            { id: 'out', type: 'sink.file', params: { path: join(dir, 'views.jsonl') } },
          ],
          edges: [
            { from: 'src', to: 'views' },
            { from: 'views', to: 'out' },
          ],
        };
  const { pipeline: p, problems } = validatePipeline({ format: 'tributary.pipeline/v1', name: `bench-decode-${shape}`, ...doc });
  if (!p) throw new Error(problems.map((x) => x.message).join('\n'));
  const job = planJob(p, { operators: OPERATORS, resolvePath: (x) => x, stdout: process.stdout });
  const t0 = performance.now();
  await job.run();
  const seconds = (performance.now() - t0) / 1000;
  const m = (id: string) => job.metrics.find((x) => x.nodeId === id)!;
  rmSync(dir, { recursive: true, force: true });
  return { scenario: `${shape}:${threads}`, records: m('src').recordsOut, seconds, written: m('out').recordsIn } as ScenarioResult;
}

/**
 * Operator-thread costs per record of the same 4096-record batches, alternated in one process so
 * load falls on all alike: parsing JSON here, against receiving records a worker parsed (the
 * structured clone's deserialisation); writing JSON here, against handing records to an encoding
 * worker (the clone's serialisation, or packed as parallel instances get them), either of which
 * costs this thread about as much as writing them.
 */
async function costs(): Promise<ScenarioResult> {
  const { serialize, deserialize } = await import('node:v8');
  const { path } = input();
  const r = new JsonlReader(path, undefined, null);
  const first = (await r.next())!.chunk;
  await r.close();
  const recs = first.recs;
  const lines = recs.map((x) => JSON.stringify(x));
  const cloned = serialize(recs);
  const ns: Record<string, number> = { parse: 0, receiveClone: 0, stringify: 0, sendClone: 0, sendPacked: 0 };
  // Packed as parallel instances send records (its string dictionary warm after the first round).
  const packer = new PackWriter();
  let sink = 0;
  for (let round = 0; round < 20; round++) {
    let t = performance.now();
    for (const l of lines) sink += (JSON.parse(l) as object) ? 1 : 0;
    ns.parse! += performance.now() - t;
    t = performance.now();
    sink += (deserialize(cloned) as unknown[]).length;
    ns.receiveClone! += performance.now() - t;
    t = performance.now();
    for (const x of recs) sink += JSON.stringify(x).length;
    ns.stringify! += performance.now() - t;
    t = performance.now();
    sink += serialize(recs).length;
    ns.sendClone! += performance.now() - t;
    t = performance.now();
    sink += packer.encode(recs)!.n;
    ns.sendPacked! += performance.now() - t;
  }
  const per = (ms: number) => (ms * 1e6) / (20 * recs.length);
  return { scenario: 'costs', records: recs.length * 20, seconds: ns.parse! / 1000, sink, ...Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, per(v)])) } as ScenarioResult;
}

export async function runDecodeScenario(scenario: string): Promise<ScenarioResult> {
  const [what, t] = scenario.split(':') as [string, string];
  const threads = Number(t);
  if (what === 'costs') return costs();
  if (what === 'decode') return decodeOnly(threads);
  if (what === 'window' || what === 'stateless') return pipeline(what, threads);
  throw new Error(`no decode scenario '${scenario}'`);
}
