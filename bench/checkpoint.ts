// Checkpoint benchmarks: the duration, stall and size of one checkpoint of 1M keys of window
// state, and keyed-window throughput with a checkpoint every 10 s beside the same run without.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderCheckpointStore } from '../runtime/connectors/files/checkpoints.js';
import type { Batch } from '../runtime/engine/batch.js';
import { CheckpointCoordinator } from '../runtime/engine/checkpoint/coordinator.js';
import type { Job } from '../runtime/engine/job.js';
import { planJob } from '../runtime/engine/plan.js';
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

function plan(batches: readonly Batch[], span: number, records: number, shift: boolean, onPull: () => void): Job {
  const doc = {
    format: 'tributary.pipeline/v1',
    name: 'bench-checkpoint',
    nodes: [
      { id: 'src', type: 'bench.replay', params: { count: records, shift } },
      { id: 'key', type: 'keyBy', params: { key: 'userId' } },
      { id: 'window', type: 'window', params: { assigner: { kind: 'tumbling', size: shift ? '1m' : '1h' }, aggregates: { views: { fn: 'count' }, spend: { fn: 'sum', field: 'price' } } } },
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

/** One checkpoint once the window holds 1M keys. */
async function oneMillion(): Promise<CheckpointResult> {
  const batches = millionKeys();
  const { store, done } = folder();
  let coordinator: CheckpointCoordinator | null = null;
  let taken: Promise<string> | null = null;
  let keys = 0;
  const job: Job = plan(batches, 0, 2 * KEYS_1M, false, () => {
    const win = job.metrics.find((m) => m.nodeId === 'window')!;
    if (taken === null && win.recordsIn >= KEYS_1M) {
      keys = win.stateSize().keys;
      taken = coordinator!.trigger('checkpoint');
    }
  });
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
    scenario: '1m-keys', records: 2 * KEYS_1M, seconds: (performance.now() - t0) / 1000, checkpoints: s.completed, durationMs: s.lastDuration!, stallMs: s.lastStall!,
    bytes: s.lastSize!, stateKeys: keys, maxStallMs: s.lastStall!, cpuSeconds, load: loadavg()[0]!, checkpointCpuMs: s.lastCpu!,
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
  if (scenario === '1m-keys') return oneMillion();
  if (scenario === 'with-10s') return throughput(true, records);
  if (scenario === 'without') return throughput(false, records);
  throw new Error(`no checkpoint scenario '${scenario}'`);
}
