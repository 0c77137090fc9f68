// The infer node's counters: plain fields bumped on the hot path, percentiles computed only when
// a reporter asks (a ring of the latest call latencies).
import type { ModelFigures } from '../../engine/metrics.js';

const RING = 512;

export class InferFigures {
  private readonly lat = new Float64Array(RING);
  private n = 0;
  inFlight = 0;
  batchSize = 0;
  timeouts = 0;
  retries = 0;
  cacheHits = 0;
  cacheMisses = 0;
  hasCache = false;
  version: string | null = null;
  reloads = 0;
  reloadFailures = 0;

  latency(ms: number): void {
    this.lat[this.n++ % RING] = ms;
  }

  snapshot(): ModelFigures {
    const k = Math.min(this.n, RING);
    const sorted = Array.from(this.lat.subarray(0, k)).sort((a, b) => a - b);
    const q = (p: number) => (k === 0 ? 0 : sorted[Math.min(k - 1, Math.floor(p * k))]!);
    const looked = this.cacheHits + this.cacheMisses;
    return {
      latencyP50: q(0.5),
      latencyP99: q(0.99),
      inFlight: this.inFlight,
      batchSize: this.batchSize,
      timeouts: this.timeouts,
      retries: this.retries,
      cacheHitRate: this.hasCache ? (looked === 0 ? 0 : this.cacheHits / looked) : null,
      version: this.version,
      reloads: this.reloads,
      reloadFailures: this.reloadFailures,
    };
  }
}
