// Turns a running job's counters into the figures the editor shows: per node records in/out and
// their rates, watermark, state, errors; per edge records and rate; total source throughput.
// One sampler per run; rates are over the time since the previous sample.
import { edgeKey, type EdgeFigures, type HostEvents, type NodeFigures, toWireWatermark } from './contract.js';
import type { Job } from '../engine/job.js';
import { preview } from '../engine/chain.js';
import type { NodeMetrics } from '../engine/metrics.js';

/** Longest message or record text sent per failure: a figures message stays small (5 per node). */
const RECENT_ERROR_CHARS = 400;

/** The latest failed records of a node, as the wire carries them (records as short JSON). */
function recentErrors(m: NodeMetrics): NodeFigures['recentErrors'] {
  if (m.recentErrors.length === 0) return undefined;
  // Messages are bounded too: a server's error body or a parser's message can be any length.
  const clip = (s: string) => (s.length > RECENT_ERROR_CHARS ? `${s.slice(0, RECENT_ERROR_CHARS)}…` : s);
  return m.recentErrors.map((e) => ({ at: e.at, message: clip(e.message), record: preview(e.record, RECENT_ERROR_CHARS) }));
}

export class FigureSampler {
  private readonly prevIn = new Map<string, number>();
  private readonly prevOut = new Map<string, number>();
  private readonly prevEdge = new Map<string, number>();
  private lastAt: number;
  private readonly startedAt: number;

  constructor(
    private readonly job: Job,
    private readonly runId: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastAt = this.startedAt = now();
  }

  uptimeMs(): number {
    return Math.round(this.now() - this.startedAt);
  }

  sample(): HostEvents['metrics'] {
    const at = this.now();
    const dt = (at - this.lastAt) / 1000;
    this.lastAt = at;
    const rate = (now: number, prev: number | undefined) => (dt > 0 ? Math.max(0, now - (prev ?? 0)) / dt : 0);
    let throughput = 0;
    const nodes: NodeFigures[] = this.job.metrics.map((m) => {
      const rateIn = rate(m.recordsIn, this.prevIn.get(m.nodeId));
      const rateOut = rate(m.recordsOut, this.prevOut.get(m.nodeId));
      this.prevIn.set(m.nodeId, m.recordsIn);
      this.prevOut.set(m.nodeId, m.recordsOut);
      if (m.type.startsWith('source.')) throughput += rateOut;
      const state = m.stateSize();
      return {
        id: m.nodeId,
        recordsIn: m.recordsIn,
        recordsOut: m.recordsOut,
        rateIn,
        rateOut,
        errors: m.errors,
        late: m.late,
        watermark: toWireWatermark(m.watermark),
        stateKeys: state.keys,
        stateBytes: state.bytes,
        ...(state.partialMatches === undefined ? {} : { partialMatches: state.partialMatches }),
        ...(m.model === null ? {} : { model: m.model() }),
        ...(m.recentErrors.length === 0 ? {} : { recentErrors: recentErrors(m) }),
        ...(m.windowTiming === null ? {} : { window: m.windowTiming() }),
      };
    });
    const edges: EdgeFigures[] = [];
    for (const [e, probe] of this.job.edges) {
      const id = edgeKey(e);
      const records = probe.count();
      edges.push({ id, records, rate: rate(records, this.prevEdge.get(id)) });
      this.prevEdge.set(id, records);
    }
    return { runId: this.runId, uptimeMs: this.uptimeMs(), throughput, nodes, edges };
  }
}
