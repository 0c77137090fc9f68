// Checkpoint benchmarks: the duration, stall and size of one checkpoint of 1M keys of tumbling or
// session window state or of ~500k CEP partial matches, and keyed-window throughput with a checkpoint every 10 s beside the same run without.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { FolderCheckpointStore } from '../runtime/connectors/files/checkpoints.js';
import type { Batch } from '../runtime/engine/batch.js';
import { CheckpointCoordinator } from '../runtime/engine/checkpoint/coordinator.js';
import type { Job } from '../runtime/engine/job.js';
import { planJob } from '../runtime/engine/plan.js';
import type { Stateful } from '../runtime/engine/timed.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { makeRegistry, NODE_SPECS } from '../runtime/nodes/registry.js';
import { prebuiltBatches } from './chain.js';
import { benchOperators, discardSpec, replaySpec } from './operators.js';

export interface CheckpointResult {
  scenario: string;
  records: number;
  seconds: number;
  checkpoints: number;
  /** Of the last (or only) checkpoint. */
  durationMs: number;
  stallMs: number;
  bytes: number;
  stateKeys: number;
  maxStallMs: number;
  /** CPU time the process spent on the run (all its threads, file writes included), s. */
  cpuSeconds: number;
  /** 1-minute load average when the run ended: the machine may be shared. */
  load: number;
  /** CPU ms of the checkpoints' copy and encoding, summed over the run (coordinator's lastCpu). */
  checkpointCpuMs: number;
  /** One-checkpoint scenarios: the state node's snapshot alone, on the job's thread (CPU and wall ms), and with its v8 encoding. */
  copyCpuMs?: number;
  copyMs?: number;
  copyEncodeCpuMs?: number;
  partialMatches?: number;
}

/** CPU seconds since `from` (process.cpuUsage: user + system, every thread of the process). */
function cpuSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

const KEYS_1M = 1_000_000;
const BATCH = 4096;

/** 1M records, one per key, all in the same minute: a window holding 1M keys. */
function millionKeys(): Batch[] {
  const t = Date.UTC(2026, 0, 1);
  const batches: Batch[] = [];
  for (let i = 0; i < KEYS_1M; i += BATCH) {
    const n = Math.min(BATCH, KEYS_1M - i);
    const recs = Array.from({ length: n }, (_, j) => ({ userId: `u${i + j}`, price: (i + j) % 97 }));
    batches.push({ recs, ts: new Array<number>(n).fill(t), keys: null, wm: new Array<number>(n).fill(t - 1), wmEnd: t - 1 });
  }
  return batches;
}

type Doc = { id: string; type: string; params: Record<string, unknown> };

const WINDOW_AGGS = { views: { fn: 'count' }, spend: { fn: 'sum', field: 'price' } };

/** The state node of each one-checkpoint scenario: a window or a cep node between keyBy and a discard. */
const STATE_NODES: Record<string, Doc> = {
  '1m-keys': { id: 'window', type: 'window', params: { assigner: { kind: 'tumbling', size: '1h' }, aggregates: WINDOW_AGGS } },
  'sessions-1m': { id: 'window', type: 'window', params: { assigner: { kind: 'session', gap: '30m' }, aggregates: WINDOW_AGGS } },
  'cep-500k': { id: 'window', type: 'cep', params: { pattern: [{ name: 'add', where: "eventType == 'ADD_TO_CART'" }, { name: 'purchase', where: "eventType == 'PURCHASE'", contiguity: 'relaxed', negated: true }], within: '15m' } },
};

function plan(batches: readonly Batch[], span: number, records: number, shift: boolean, onPull: () => void, state: Doc = { id: 'window', type: 'window', params: { assigner: { kind: 'tumbling', size: shift ? '1m' : '1h' }, aggregates: WINDOW_AGGS } }, parallelism = 1): Job {
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'bench-checkpoint',
    settings: { parallelism },
    nodes: [
      { id: 'src', type: 'bench.replay', params: { count: records, shift } },
      { id: 'key', type: 'keyBy', params: { key: 'userId' } },
      state,
      { id: 'sink', type: 'bench.discard', params: {} },
    ],
    edges: [
      { from: 'src', to: 'key' },
      { from: 'key', to: 'window' },
      { from: 'window', to: 'sink' },
    ],
  };
  const { pipeline, problems } = validatePipeline(doc, makeRegistry([...NODE_SPECS, replaySpec, discardSpec]));
  if (!pipeline) throw new Error(problems.map((x) => x.message).join('\n'));
  return planJob(pipeline, { operators: { ...OPERATORS, ...benchOperators(batches, span, onPull) }, resolvePath: (x) => x, stdout: process.stdout });
}

function folder(): { store: FolderCheckpointStore; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-ckpt-'));
  return { store: new FolderCheckpointStore(dir), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** 500k add-to-cart events of 500k users, 1 ms apart, the watermark 1 ms behind: ~500k partial matches waiting for `within`. */
function cartAdds(n: number): Batch[] {
  const t = Date.UTC(2026, 0, 1);
  const batches: Batch[] = [];
  for (let i = 0; i < n; i += BATCH) {
    const m = Math.min(BATCH, n - i);
    const ts = Array.from({ length: m }, (_, j) => t + i + j);
    // The generator's ClickEvent shape (runtime/nodes/source-generator/ecommerce.ts).
    const recs = ts.map((at, j) => {
      const u = i + j;
      return { eventId: u + 1, ts: at, userId: `u${u}`, sessionId: `u${u}-s1`, eventType: 'ADD_TO_CART', productId: `p${u % 5000}`, category: 'books', price: 10 + (u % 90), quantity: 1 + (u % 3), device: 'mobile' };
    });
    batches.push({ recs, ts, keys: null, wm: ts.map((x) => x - 1), wmEnd: ts[m - 1]! - 1 });
  }
  return batches;
}

/**
 * One checkpoint once the state node holds ~1M keys (window scenarios) or ~500k partial matches
 * (cep). Before it, at the same point, the node's snapshot alone is timed on the job's thread (the
 * copy a checkpoint holds the sources for), then the whole checkpoint is taken. At parallelism > 1
 * the copy is made by the instances behind the checkpoint's barrier, so only the whole is timed.
 */
async function oneCheckpoint(scenario: string, parallelism: number): Promise<CheckpointResult> {
  const cep = scenario === 'cep-500k';
  const n = cep ? 500_000 : KEYS_1M;
  const batches = cep ? cartAdds(n) : millionKeys();
  const { store, done } = folder();
  let coordinator: CheckpointCoordinator | null = null;
  let taken: Promise<string> | null = null;
  let keys = 0;
  let partialMatches = 0;
  let copyCpuMs = 0;
  let copyMs = 0;
  let copyEncodeCpuMs = 0;
  const job: Job = plan(
    batches,
    0,
    2 * n,
    false,
    () => {
      const win = job.metrics.find((m) => m.nodeId === 'window')!;
      // cep: all but the records still behind the watermark have reached the NFA.
      if (taken === null && win.recordsIn >= n) {
        const size = win.stateSize();
        keys = size.keys;
        partialMatches = size.partialMatches ?? 0;
        const op = job.operators.get('window') as unknown as Stateful;
        (globalThis as { gc?: () => void }).gc?.();
        if (parallelism === 1) {
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          const snap = op.snapshotState();
          copyMs = performance.now() - t0;
          copyCpuMs = cpuSince(cpu0) * 1000;
          serialize(snap);
          copyEncodeCpuMs = cpuSince(cpu0) * 1000;
        }
        taken = coordinator!.trigger('checkpoint');
      }
    },
    STATE_NODES[scenario],
    parallelism,
  );
  coordinator = new CheckpointCoordinator(job, store, { interval: null, pipeline: 'bench', firstId: 1 });
  coordinator.start();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await job.run();
  await taken;
  const s = coordinator.stats;
  const cpuSeconds = cpuSince(cpu0);
  done();
  return {
    scenario, records: 2 * n, seconds: (performance.now() - t0) / 1000, checkpoints: s.completed, durationMs: s.lastDuration!, stallMs: s.lastStall!,
    bytes: s.lastSize!, stateKeys: keys, maxStallMs: s.lastStall!, cpuSeconds, load: loadavg()[0]!, checkpointCpuMs: s.lastCpu!,
    partialMatches, copyCpuMs, copyMs, copyEncodeCpuMs,
  };
}

/** keyBy(userId) → tumbling 1m count+sum over 100k users, with or without a checkpoint every 10 s. */
async function throughput(withCheckpoints: boolean, records: number): Promise<CheckpointResult> {
  const { batches, span } = prebuiltBatches({ users: 100_000, products: 50_000, eventTimeRate: 50_000 });
  const { store, done } = folder();
  const job = plan(batches, span, records, true, () => {});
  const coordinator = new CheckpointCoordinator(job, store, { interval: withCheckpoints ? 10_000 : null, pipeline: 'bench', firstId: 1 });
  let maxStall = 0;
  let ckptCpu = 0;
  let seen = 0;
  const sample = () => {
    const st = coordinator.stats;
    maxStall = Math.max(maxStall, st.lastStall ?? 0);
    if (st.completed > seen) {
      seen = st.completed;
      ckptCpu += st.lastCpu ?? 0;
    }
  };
  // Checkpoints are 10 s apart: sampling every 100 ms sees each one.
  const watch = setInterval(sample, 100);
  coordinator.start();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await job.run();
  const seconds = (performance.now() - t0) / 1000;
  await coordinator.stop();
  const cpuSeconds = cpuSince(cpu0);
  clearInterval(watch);
  sample();
  const s = coordinator.stats;
  done();
  return {
    scenario: withCheckpoints ? 'with-10s' : 'without', records, seconds, checkpoints: s.completed,
    durationMs: s.lastDuration ?? 0, stallMs: s.lastStall ?? 0, bytes: s.lastSize ?? 0, stateKeys: 0, maxStallMs: maxStall, cpuSeconds, load: loadavg()[0]!,
    checkpointCpuMs: ckptCpu,
  };
}

export async function runCheckpointScenario(scenario: string, records: number): Promise<CheckpointResult> {
  // `<state>@<parallelism>`: the same state held by that many parallel instances.
  const [state, p] = scenario.split('@');
  if (state! in STATE_NODES) return { ...(await oneCheckpoint(state!, p === undefined ? 1 : Number(p))), scenario };
  if (scenario === 'with-10s') return throughput(true, records);
  if (scenario === 'without') return throughput(false, records);
  throw new Error(`no checkpoint scenario '${scenario}'`);
}
