// Writes JSON Lines to a temporary file beside the target and renames it when the whole run ends
// well (the job commits every sink together), so a failed run publishes nothing.
//
// With checkpoints the temporary file is Flink's in-progress part file (RecoverableWriter): a
// checkpoint records its name and the length written up to the checkpoint, flushed and fsynced
// before the checkpoint counts as complete; a restored run truncates it back to that length and
// appends, so after any crash the output holds every line exactly once.
import { createWriteStream, fsync, type WriteStream } from 'node:fs';
import { rename, rm, stat, truncate } from 'node:fs/promises';
import { makeDirs } from '../../connectors/files/make-dirs.js';
import { basename, dirname, join } from 'node:path';
import { jsonLines, type Unwritable, unwritablePreview } from '../../connectors/json-lines.js';
import type { Batch } from '../../engine/batch.js';
import type { Checkpointed } from '../../engine/checkpoint/participant.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { SinkOperator } from '../../engine/sink.js';
import type { ParamsOf } from '../spec.js';
import { removeOrphans } from './orphans.js';
import type { sinkFileSpec } from './spec.js';

interface FileSinkCheckpoint {
  /** The in-progress file's name (beside the target). */
  readonly tmp: string;
  /** Bytes of it the checkpoint covers. */
  readonly length: number;
}

export class FileSink extends SinkOperator implements Checkpointed {
  private out: WriteStream | null = null;
  private tmp: string;
  private accepted = false;
  /** Bytes handed to the stream so far. */
  private bytes = 0;
  /** Restored: continue the in-progress file from this length. */
  private resumeAt: number | null = null;
  /** A checkpoint refers to the in-progress file: a failed run keeps it for the restart. */
  private checkpointed = false;
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
      await makeDirs(dirname(this.path));
    } catch (err) {
      throw new NodeError(this.metrics.nodeId, `cannot create the folder for ${this.path}: ${errorMessage(err)}`);
    }
    // A restored run continues the in-progress file of the run it resumes (named after that run's
    // pid, now dead): it is no orphan, nor is any file a checkpoint names.
    await removeOrphans(this.path, new Set([basename(this.tmp)]), this.checkpoints);
    if (this.resumeAt !== null) await this.recover(this.resumeAt);
    const out = createWriteStream(this.tmp, { flags: this.resumeAt !== null ? 'a' : 'wx' });
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', (err) => reject(new NodeError(this.metrics.nodeId, `cannot write ${this.path}: ${errorMessage(err)}`)));
    });
    out.on('error', (err) => this.job.fail(new NodeError(this.metrics.nodeId, `writing ${this.path} failed: ${errorMessage(err)}`)));
    this.out = out;
  }

  /**
   * Put the in-progress file back to the checkpointed length. A run stopped with a savepoint has
   * already published it under the target's name: take it back from there.
   */
  private async recover(length: number): Promise<void> {
    const size = async (p: string) => (await stat(p).catch(() => null))?.size ?? null;
    let have = await size(this.tmp);
    if (have === null) {
      const published = await size(this.path);
      if (published !== null && published >= length) {
        await rename(this.path, this.tmp);
        have = published;
      }
    }
    if (have === null || have < length) {
      throw new NodeError(
        this.metrics.nodeId,
        `cannot resume ${this.path}: the checkpoint covers ${length} bytes of output but ${have === null ? 'the file is gone' : `only ${have} remain`}; rerun with --fresh to start over`,
      );
    }
    await truncate(this.tmp, length);
    this.bytes = length;
    this.checkpointed = true;
  }

  protected write(b: Batch): boolean {
    this.accepted = true;
    const failed: Unwritable[] = [];
    const text = jsonLines(b.recs, failed);
    if (failed.length > 0) this.emitErrors(this.metrics.nodeId, failed.map((f) => ({ error: f.error, record: unwritablePreview(b.recs[f.index]), ts: b.ts[f.index]! })));
    if (text === '') return true;
    const chunk = Buffer.from(text);
    this.bytes += chunk.length;
    return this.out!.write(chunk);
  }

  // Checkpointed

  snapshotCheckpoint(): FileSinkCheckpoint {
    this.checkpointed = true;
    return { tmp: this.tmp, length: this.bytes };
  }

  restoreCheckpoint(s: unknown): void {
    const c = s as FileSinkCheckpoint;
    // The in-progress file keeps its name across restarts, beside the target as before.
    this.tmp = join(dirname(this.path), basename(c.tmp));
    this.resumeAt = c.length;
  }

  /** Everything written up to the snapshot is on disk (a write queued after it flushes with it). */
  async prepareCheckpoint(): Promise<void> {
    const out = this.out;
    if (!out || out.closed || out.destroyed) return;
    await new Promise<void>((resolve, reject) => out.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
    const fd = (out as unknown as { fd: number | null }).fd; // set once open, null once closed
    if (out.closed || fd === null) return;
    await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
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
    // In-progress files of this target left by runs killed before they checkpointed: nothing can
    // resume them now (those a checkpoint still names, and those of live processes, stay).
    await removeOrphans(this.path, new Set([basename(this.tmp)]), this.checkpoints);
  }

  async abort(): Promise<void> {
    this.out?.destroy();
    // A checkpoint still refers to the in-progress file: the restart truncates and continues it.
    if (!this.checkpointed) await rm(this.tmp, { force: true });
  }
}

export const createFileSink: OperatorFactory<ParamsOf<typeof sinkFileSpec>> = (ctx, p) => ({
  operator: new FileSink(ctx.job, ctx.metrics, ctx.resolvePath(p.path), ctx.resolvePath(join('.tributary', 'checkpoints'))),
});
