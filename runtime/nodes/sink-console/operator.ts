import { jsonLines, type Unwritable, unwritablePreview } from '../../connectors/json-lines.js';
import type { Batch } from '../../engine/batch.js';
import type { OperatorFactory, TextOut } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { SinkOperator } from '../../engine/sink.js';
import type { ParamsOf } from '../spec.js';
import { TableFormat } from './format.js';
import type { sinkConsoleSpec } from './spec.js';

export class ConsoleSink extends SinkOperator {
  private readonly table: TableFormat | null;
  private pending: Promise<void> | null = null;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly out: TextOut,
    format: 'json' | 'table',
  ) {
    super(job, metrics, 1);
    this.table = format === 'table' ? new TableFormat() : null;
  }

  protected write(b: Batch): boolean {
    const failed: Unwritable[] = [];
    const text = this.table ? this.table.format(b.recs, failed) : jsonLines(b.recs, failed);
    if (failed.length > 0) this.emitErrors(this.metrics.nodeId, failed.map((f) => ({ error: f.error, record: unwritablePreview(b.recs[f.index]), ts: b.ts[f.index]! })));
    return text === '' || this.out.write(text);
  }

  protected waitForDrain(): void {
    this.pending = new Promise((resolve) => {
      // A reader that went away (EPIPE) never drains: give up waiting once the stream errors or closes.
      const done = () => {
        this.pending = null;
        this.drained();
        resolve();
      };
      this.out.once('drain', done);
      this.out.once('error', done);
      this.out.once('close', done);
    });
  }

  protected async close(): Promise<void> {
    // Standard output stays open for others; only wait for what we wrote to be taken.
    await this.pending;
  }

  async abort(): Promise<void> {}
}

export const createConsoleSink: OperatorFactory<ParamsOf<typeof sinkConsoleSpec>> = (ctx, p) => ({
  operator: new ConsoleSink(ctx.job, ctx.metrics, ctx.stdout, p.format),
});
