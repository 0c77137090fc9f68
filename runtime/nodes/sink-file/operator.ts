// Writes JSON Lines to a temporary file beside the target and renames it when the whole run ends
// well (the job commits every sink together), so a failed run publishes nothing.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { jsonLines, type Unwritable, unwritablePreview } from '../../connectors/json-lines.js';
import type { Batch } from '../../engine/batch.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { SinkOperator } from '../../engine/sink.js';
import type { ParamsOf } from '../spec.js';
import { removeOrphans } from './orphans.js';
import type { sinkFileSpec } from './spec.js';

export class FileSink extends SinkOperator {
  private out: WriteStream | null = null;
  private readonly tmp: string;
  private accepted = false;
  private publish: () => void = () => {};
  private readonly published = new Promise<void>((resolve) => {
    this.publish = resolve;
  });

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly path: string,
    /** The pipeline's checkpoint folder: temporary files a checkpoint names are kept for its restore. */
    private readonly checkpoints: string,
  ) {
    super(job, metrics, 1);
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  }

  override async open(): Promise<void> {
    const existing = await stat(this.path).catch(() => null);
    if (existing !== null && !existing.isFile()) throw new NodeError(this.metrics.nodeId, `cannot write ${this.path}: it is a folder (or not a regular file); name a file`);
    try {
      await mkdir(dirname(this.path), { recursive: true });
    } catch (err) {
      throw new NodeError(this.metrics.nodeId, `cannot create the folder for ${this.path}: ${errorMessage(err)}`);
    }
    await removeOrphans(this.path, new Set([basename(this.tmp)]), this.checkpoints);
    const out = createWriteStream(this.tmp, { flags: 'wx' });
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', (err) => reject(new NodeError(this.metrics.nodeId, `cannot write ${this.path}: ${errorMessage(err)}`)));
    });
    out.on('error', (err) => this.job.fail(new NodeError(this.metrics.nodeId, `writing ${this.path} failed: ${errorMessage(err)}`)));
    this.out = out;
  }

  protected write(b: Batch): boolean {
    this.accepted = true;
    const failed: Unwritable[] = [];
    const text = jsonLines(b.recs, failed);
    if (failed.length > 0) this.emitErrors(this.metrics.nodeId, failed.map((f) => ({ error: f.error, record: unwritablePreview(b.recs[f.index]), ts: b.ts[f.index]! })));
    return text === '' || this.out!.write(text);
  }

  /**
   * The job's barrier (barrier.ts): records written here are durable only once the file is
   * published at the end of a run that did not fail, so until then an at-least-once source
   * (source.kafka) must not commit past them; a failed run discards the file, and they are read again.
   */
  flushed(): Promise<void> {
    return this.accepted ? this.published : Promise.resolve();
  }

  protected waitForDrain(): void {
    this.out!.once('drain', () => this.drained());
  }

  protected async close(): Promise<void> {
    const out = this.out!;
    await new Promise<void>((resolve, reject) => {
      out.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  override async commit(): Promise<void> {
    await rename(this.tmp, this.path).catch((err: unknown) => {
      throw new NodeError(this.metrics.nodeId, `cannot move the output to ${this.path}: ${errorMessage(err)}`);
    });
    this.publish();
  }

  async abort(): Promise<void> {
    this.out?.destroy();
    await rm(this.tmp, { force: true });
  }
}

export const createFileSink: OperatorFactory<ParamsOf<typeof sinkFileSpec>> = (ctx, p) => ({
  operator: new FileSink(ctx.job, ctx.metrics, ctx.resolvePath(p.path), ctx.resolvePath(join('.tributary', 'checkpoints'))),
});
