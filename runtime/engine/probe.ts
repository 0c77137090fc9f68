// Where the editor can watch an edge of a running job: how many records crossed it, and (while a
// data tap is open) the records themselves. An edge between two operators is an `Output`; an edge
// fused inside a chain never materialises a batch, so it is watched through its chain stage.
import type { Batch } from './batch.js';
import type { ChainOperator, RecordObserver } from './chain.js';
import type { NodeMetrics } from './metrics.js';
import type { Output } from './operator.js';

export interface EdgeWatcher {
  /** Batches leaving an operator's port. */
  batch(b: Batch): void;
  /** Single records inside a fused chain. */
  record: RecordObserver;
}

export interface EdgeProbe {
  /** Records that crossed the edge so far. */
  count(): number;
  /** Start (or, with null, stop) watching the records on the edge. */
  watch(w: EdgeWatcher | null): void;
}

export function outputProbe(out: Output): EdgeProbe {
  return {
    count: () => out.count,
    watch: (w) => {
      out.observer = w === null ? null : (b) => w.batch(b);
    },
  };
}

/** A fused edge from chain stage `stage` to the next: every record the stage emits crosses it. */
export function stageProbe(chain: ChainOperator, stage: number, metrics: NodeMetrics): EdgeProbe {
  return {
    count: () => metrics.recordsOut,
    watch: (w) => chain.observeStage(stage, w === null ? null : w.record),
  };
}
