// Live figures on stderr while `tributary run` works: one row per node, redrawn in place when
// stderr is a terminal. Rendering is a pure function so it can be tested without a terminal.
import type { CheckpointStats } from '../engine/checkpoint/coordinator.js';
import { type MetricsSnapshot, type NodeMetrics, RateSampler } from '../engine/metrics.js';

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function count(n: number): string {
  return INT.format(n);
}

function watermark(wm: number): string {
  if (wm === -Infinity) return '—';
  if (wm === Infinity) return 'end';
  const d = new Date(wm);
  return Number.isNaN(d.getTime()) ? String(wm) : d.toISOString().replace('T', ' ').replace('Z', '');
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Model nodes: version, call latency, in flight, batch, timeouts, retries, cache hits. */
function model(r: MetricsSnapshot): string {
  const f = r.model!;
  const cache = f.cacheHitRate === null ? '' : `, cache ${(f.cacheHitRate * 100).toFixed(0)}%`;
  return `model ${f.version ?? '—'}, p50 ${f.latencyP50.toFixed(1)} ms, p99 ${f.latencyP99.toFixed(1)} ms, ${f.inFlight} in flight, batch ${count(f.batchSize)}, ${count(f.timeouts)} timeouts, ${count(f.retries)} retries${cache}`;
}

/** Keys and bytes held; pattern nodes add their partial matches alive; model nodes their figures. */
function state(r: MetricsSnapshot): string {
  if (r.model) return model(r);
  if (r.stateKeys === 0 && !r.partialMatches) return '—';
  const held = `${count(r.stateKeys)} keys, ${bytes(r.stateBytes)}`;
  return r.partialMatches === undefined ? held : `${held}, ${count(r.partialMatches)} partial matches`;
}

/** The last checkpoint in one line: when, how long, how big; and failures. */
export function checkpointLine(s: CheckpointStats, now = Date.now()): string {
  const parts: string[] = [];
  if (s.lastAt !== null) {
    const age = Math.max(0, Math.round((now - s.lastAt) / 1000));
    parts.push(`last ${s.lastKind} #${s.lastId} ${age}s ago, ${Math.round(s.lastDuration!)} ms (sources held ${Math.round(s.lastStall!)} ms), ${bytes(s.lastSize!)}`);
  } else {
    parts.push('none yet');
  }
  parts.push(`${count(s.completed)} completed`);
  if (s.failed > 0) parts.push(`${count(s.failed)} failed${s.lastFailure ? ` (last: ${s.lastFailure})` : ''}`);
  return `checkpoints: ${parts.join(', ')}`;
}

export function renderProgress(title: string, elapsedMs: number, rows: readonly MetricsSnapshot[], checkpoints: CheckpointStats | null = null): string[] {
  const header = ['node', 'type', 'in', 'out', 'rate/s', 'errors', 'late', 'watermark', 'state'];
  const cells = rows.map((r) => [
    r.nodeId,
    r.type,
    count(r.recordsIn),
    count(r.recordsOut),
    count(r.rate),
    count(r.errors),
    count(r.late),
    watermark(r.watermark),
    state(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const line = (c: string[]) => c.map((v, i) => (numeric.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const table = [`${title}  ${(elapsedMs / 1000).toFixed(1)}s`, line(header), ...cells.map(line)];
  return checkpoints ? [...table, checkpointLine(checkpoints)] : table;
}

export interface ProgressTarget {
  write(s: string): unknown;
  readonly isTTY?: boolean;
}

export class LiveProgress {
  private timer: NodeJS.Timeout | null = null;
  private drawn = 0;
  private readonly sampler = new RateSampler();
  private readonly started = performance.now();

  constructor(
    private readonly title: string,
    private readonly nodes: () => readonly NodeMetrics[],
    private readonly out: ProgressTarget,
    private readonly intervalMs = 500,
    private readonly checkpoints: () => CheckpointStats | null = () => null,
  ) {}

  start(): void {
    if (!this.out.isTTY) return;
    this.timer = setInterval(() => this.draw(), this.intervalMs);
    this.timer.unref();
  }

  /** Final figures: redrawn in place on a terminal, printed once otherwise. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.draw();
  }

  private draw(): void {
    const lines = renderProgress(this.title, performance.now() - this.started, this.sampler.sample(this.nodes()), this.checkpoints());
    // Move up over the previous drawing and clear it, so the table updates in place.
    const up = this.out.isTTY && this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
    this.out.write(`${up}${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
