// `tributary run` once the pipeline is valid: trust, plan, serve metrics, show progress, run.
import { errorMessage, NodeError } from '../engine/errors.js';
import { planJob } from '../engine/plan.js';
import { tuneHeapForStreaming } from '../host/heap.js';
import type { Loaded } from '../host/load.js';
import { metricsRegistry, type MetricsServer, serveMetrics } from '../host/prometheus.js';
import { TrustStore } from '../host/trust.js';
import { trustReasons } from '../host/trust-needs.js';
import { dirname, resolve } from 'node:path';
import { OPERATORS } from '../nodes/operators.js';
import type { Io } from './main.js';
import { LiveProgress } from './progress.js';
import { writeWithoutCheckpoints } from '../engine/transactional-sink.js';
import { type CheckpointOptions, type Checkpointing, setUpCheckpointing } from '../host/checkpointing.js';
import { RunFinishingError } from '../engine/checkpoint/coordinator.js';

export interface RunOptions {
  readonly io: Io;
  readonly trust: boolean;
  readonly quiet: boolean;
  readonly metricsPort?: number;
  readonly metricsToken?: string;
  readonly confirm: (question: string) => Promise<boolean>;
  readonly checkpoints?: CheckpointOptions;
}

export async function trusted(loaded: Loaded, opts: Pick<RunOptions, 'io' | 'trust' | 'confirm'>): Promise<boolean> {
  const store = new TrustStore();
  const reasons = await trustReasons(loaded.pipeline!, dirname(loaded.path), store.file);
  if (reasons.length === 0) return true;
  const text = loaded.text!;
  if (await store.isTrusted(text)) return true;
  const what = `${loaded.path} needs your trust to run:\n${reasons.map((r) => `  - ${r}\n`).join('')}`;
  if (opts.trust || (opts.io.stdin.isTTY && (await opts.confirm(`${what}Trust this file and run it? [y/N] `)))) {
    await store.trust(text, loaded.path);
    return true;
  }
  opts.io.stderr.write(`${what}It runs only once you trust the file: review it, then rerun with --trust\n`);
  return false;
}

export async function runLoaded(loaded: Loaded, opts: RunOptions): Promise<number> {
  const { io } = opts;
  const pipeline = loaded.pipeline!;
  if (!(await trusted(loaded, opts))) return 2;

  tuneHeapForStreaming();
  let job;
  try {
    job = planJob(pipeline, { operators: OPERATORS, resolvePath: loaded.resolvePath, stdout: io.stdout, pipelinePath: resolve(loaded.path), warn: (m) => io.stderr.write(`tributary: ${m}\n`) });
  } catch (err) {
    io.stderr.write(`tributary: ${describeFailure(err)}\n`);
    return 1;
  }
  if (!opts.quiet) for (const note of job.notes) io.stderr.write(`tributary: ${note}\n`);

  let ckpt: Checkpointing | null = null;
  try {
    ckpt = await setUpCheckpointing(
      job,
      pipeline,
      loaded.path,
      opts.checkpoints ?? {},
      (err) => io.stderr.write(`\ntributary: checkpoint failed: ${describeFailure(err)}\n`),
      (line) => io.stderr.write(`tributary: ${line}\n`),
    );
  } catch (err) {
    io.stderr.write(`tributary: cannot resume: ${describeFailure(err)}\n`);
    return 1;
  }
  // Exactly-once server sinks apply output at checkpoints; with none coming they write as it arrives.
  if (!ckpt?.coordinator.periodic && writeWithoutCheckpoints(job.operators.values()) > 0 && !opts.quiet) {
    io.stderr.write('tributary: no periodic checkpoints in this run: exactly-once sinks write as records arrive\n');
  }
  if (ckpt) {
    for (const n of ckpt.notes) io.stderr.write(`tributary: ${n}\n`);
    if (ckpt.resumedFrom) io.stderr.write(`resuming from ${ckpt.resumedFrom}\n`);
  }

  let server: MetricsServer | null = null;
  if (opts.metricsPort !== undefined) {
    try {
      server = await serveMetrics(metricsRegistry(() => job.metrics, () => ckpt?.coordinator.stats ?? null), opts.metricsPort, opts.metricsToken);
    } catch (err) {
      io.stderr.write(`tributary: cannot serve metrics on port ${opts.metricsPort}: ${errorMessage(err)}\n`);
      await ckpt?.release();
      return 1;
    }
    io.stderr.write(`metrics: ${server.url} (Authorization: Bearer ${server.token})\n`);
  }

  const progress = opts.quiet ? null : new LiveProgress(pipeline.name, () => job.metrics, io.stderr, undefined, () => ckpt?.coordinator.stats ?? null);
  progress?.start();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    if (!ckpt) {
      io.stderr.write('\nstopping: flushing sinks (interrupt again to quit at once)\n');
      job.stop();
      return;
    }
    // Open windows, partial matches and timers go into a savepoint; the next run resumes them.
    io.stderr.write('\nstopping: taking a savepoint, then flushing sinks (interrupt again to quit at once)\n');
    ckpt.coordinator.savepointAndStop().then(
      (path) => io.stderr.write(`savepoint: ${path}\n`),
      (err: unknown) => {
        // Any other failure is reported by onFailure; the job stops all the same.
        if (err instanceof RunFinishingError) io.stderr.write(`tributary: ${err.message}\n`);
      },
    );
  };
  // A reader that goes away (`tributary run p.json | head`) ends the run like an interrupt.
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') job.stop();
    else job.fail(err);
  };
  io.stdout.on('error', onStdoutError);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Nothing left to wait for while the run has not settled would end the process with exit 0
  // and no output: report it as the failure it is.
  const onStall = () => {
    io.stderr.write('tributary: the run stalled: nothing is left to run but it has not finished (an internal error; please report it)\n');
    process.exit(1);
  };
  process.once('beforeExit', onStall);
  ckpt?.coordinator.start();
  try {
    const outcome = await job.run();
    await ckpt?.coordinator.stop();
    progress?.stop();
    // A finished run has nothing left to resume: the next run starts afresh.
    if (outcome === 'finished') await ckpt?.store.clear();
    if (!opts.quiet) io.stderr.write(`${pipeline.name}: ${outcome}\n`);
    return 0;
  } catch (err) {
    await ckpt?.coordinator.stop();
    progress?.stop();
    io.stderr.write(`tributary: ${describeFailure(err)}\n`);
    if (ckpt?.coordinator.stats.lastPath) io.stderr.write(`the next run resumes from ${ckpt.coordinator.stats.lastPath} (--fresh to start over)\n`);
    return 1;
  } finally {
    process.off('beforeExit', onStall);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.stdout.off('error', onStdoutError);
    await ckpt?.release();
    await server?.close();
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof NodeError) return `node '${err.nodeId}' failed: ${err.message}`;
  return errorMessage(err);
}
