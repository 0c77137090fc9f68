// Reads a file once, in order. Event time comes from a record field; a line that does not parse,
// or has no usable timestamp, goes to `errors` with its line number (or fails the run).
import { stat } from 'node:fs/promises';
import { JsonlReader } from '../../connectors/decode/jsonl-reader.js';
import { DecodePool } from '../../connectors/decode/pool.js';
import type { Projection } from '../../connectors/decode/projected.js';
import type { SegmentStart } from '../../connectors/decode/segments.js';
import { type Chunk, readCsv } from '../../connectors/files/readers.js';
import { BatchBuilder } from '../../engine/batch.js';
import type { Checkpointed } from '../../engine/checkpoint/participant.js';
import { NodeError, describeValue, errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import type { ProjectableSource } from '../../engine/parallel/projection.js';
import { SourceOperator } from '../../engine/source.js';
import { BoundedOutOfOrderness } from '../../engine/watermarks.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
import type { sourceFileSpec } from './spec.js';
import { toTimestamp } from './timestamp.js';

export { toTimestamp } from './timestamp.js';

type Params = ParamsOf<typeof sourceFileSpec>;

interface FileCheckpoint {
  /** Chunks read so far: the readers cut a file into the same chunks every time. */
  readonly chunks: number;
  /** JSON Lines: the byte offset just past the last chunk emitted, and the lines before it (absent
   * in older checkpoints, which skip `chunks` instead). Chunks still being decoded are not counted. */
  readonly offset?: number;
  readonly line?: number;
  readonly wm: [number, number] | null;
  /** The file as it was read (absent in older checkpoints): a restore refuses a file that changed since. */
  readonly size?: number;
  readonly mtimeMs?: number;
}

export class FileSource extends SourceOperator implements Checkpointed, ProjectableSource {
  readonly deterministic = true;
  private csv: AsyncGenerator<Chunk> | null = null;
  private jsonl: JsonlReader | null = null;
  private pool: DecodePool | null = null;
  private chunksRead = 0;
  /** JSON Lines: where the next chunk to emit starts. */
  private position: SegmentStart = { offset: 0, line: 0 };
  /** Restored: where to start reading JSON Lines, when the checkpoint recorded it. */
  private resumeAt: SegmentStart | null = null;
  /** Restored: chunks to read past on open. */
  private skip = 0;
  /** Restored: the file's size and modification time when the checkpoint was taken. */
  private expect: { size: number; mtimeMs: number } | null = null;
  /** This run's file, as opened. */
  private seen: { size: number; mtimeMs: number } | null = null;
  private readonly wmGen: BoundedOutOfOrderness | null;
  private readonly field: string | null;
  /** Set at plan time when only some fields are read downstream (engine/parallel/projection.ts). */
  private projection: Projection | null = null;
  private projectThreads = 0;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly path: string,
    private readonly p: Params,
  ) {
    super(job, 2, metrics, p.eventTime?.idleTimeout !== undefined ? parseDuration(p.eventTime.idleTimeout) : null);
    this.field = p.eventTime?.field ?? null;
    this.wmGen = p.eventTime ? new BoundedOutOfOrderness(parseDuration(p.eventTime.maxOutOfOrderness)!) : null;
  }

  /**
   * Parallel plans: every record goes to parallel instances reading only `fields`, so decode
   * workers keep just those (and the timestamp field) and the job's thread handles a few columns
   * rather than whole records. Decoding is most of a file pipeline's work, so without a
   * `decodeThreads` setting it runs in `threads` workers (the parallelism) rather than here.
   */
  projectDecode(fields: readonly string[], threads: number): readonly string[] | null {
    if (this.p.format !== 'jsonl') return null;
    const threadsUsed = this.p.decodeThreads ?? threads;
    if (threadsUsed < 1) return null;
    const all = new Set(fields);
    if (this.field !== null) all.add(this.field);
    this.projection = { fields: [...all].sort(), ts: this.field };
    this.projectThreads = threadsUsed;
    return this.projection.fields;
  }

  override async open(): Promise<void> {
    const id = this.metrics.nodeId;
    const info = await stat(this.path).catch((err: NodeJS.ErrnoException) => {
      throw new NodeError(id, err.code === 'ENOENT' ? `cannot read ${this.path}: no such file` : `cannot read ${this.path}: ${errorMessage(err)}`);
    });
    if (!info.isFile()) throw new NodeError(id, `cannot read ${this.path}: not a file`);
    this.seen = { size: info.size, mtimeMs: info.mtimeMs };
    // Skipping chunks by count is only right over the same bytes: a file edited, replaced or
    // appended to since the checkpoint would silently give other records (lost or repeated
    // output), so the restore is refused instead. Flink's FileSource likewise restores a split's
    // offset and assumes the file is immutable; here the assumption is checked.
    const was = this.expect;
    if (was && (was.size !== info.size || was.mtimeMs !== info.mtimeMs)) {
      const what = was.size !== info.size ? `${was.size} bytes then, ${info.size} now` : `modified at ${new Date(info.mtimeMs).toISOString()}, read as of ${new Date(was.mtimeMs).toISOString()}`;
      throw new NodeError(id, `${this.path} changed since the checkpoint was taken (${what}): its read position no longer applies; rerun with --fresh to start over`);
    }
    const shorter = () => new NodeError(id, `${this.path} is shorter than when the checkpoint was taken (it was read ${this.skip} chunks of 4096 lines far)`);
    if (this.p.format === 'csv') {
      this.csv = readCsv(this.path, this.p.delimiter);
      for (; this.chunksRead < this.skip; this.chunksRead++) if ((await this.csv.next()).done) throw shorter();
      return;
    }
    // Decode workers are opt-in: on a shared 2-core machine they were not measurably faster than
    // decoding here (`npm run bench -- decode` compares them), so unset means this thread.
    const threads = this.projection !== null ? this.projectThreads : (this.p.decodeThreads ?? 0);
    this.pool = threads > 0 ? await DecodePool.start(threads) : null;
    if (this.resumeAt !== null) {
      if (this.resumeAt.offset > info.size) throw shorter();
      this.position = this.resumeAt;
      this.chunksRead = this.skip;
    }
    this.jsonl = new JsonlReader(this.path, this.resumeAt ?? undefined, this.pool, this.projection);
    if (this.resumeAt === null && this.skip > 0) {
      // An older checkpoint (chunk count only): the position past the skipped chunks is what the
      // next checkpoint records, even if it is taken before another chunk is emitted.
      const at = await this.jsonl.skip(this.skip);
      if (at === null) throw shorter();
      this.position = at;
      this.chunksRead = this.skip;
    }
  }

  /** Decode threads in use (0: on the operator thread). */
  get decodeThreads(): number {
    return this.pool?.size ?? 0;
  }

  // Checkpointed: the position is the number of chunks read; a restored run reads past them again
  // (parsing, not emitting) — the file must not have changed in between.
  snapshotCheckpoint(): FileCheckpoint {
    const at = this.p.format === 'csv' ? {} : { offset: this.position.offset, line: this.position.line };
    return { chunks: this.chunksRead, ...at, wm: this.wmGen?.save() ?? null, ...(this.seen ?? {}) };
  }

  restoreCheckpoint(s: unknown): void {
    const c = s as FileCheckpoint;
    this.skip = c.chunks;
    this.resumeAt = c.offset !== undefined && c.line !== undefined ? { offset: c.offset, line: c.line } : null;
    this.expect = c.size !== undefined && c.mtimeMs !== undefined ? { size: c.size, mtimeMs: c.mtimeMs } : null;
    if (c.wm && this.wmGen) this.wmGen.load(c.wm);
    this.metrics.watermark = this.wmOut;
  }

  async pull(): Promise<boolean> {
    let chunk: Chunk;
    try {
      if (this.csv !== null) {
        const next = await this.csv.next();
        if (next.done) return false;
        chunk = next.value;
      } else {
        const next = await this.jsonl!.next();
        if (next === null) return false;
        chunk = next.chunk;
        this.position = next.end;
      }
    } catch (err) {
      throw new NodeError(this.metrics.nodeId, `reading ${this.path} failed: ${errorMessage(err)}`);
    }
    this.chunksRead++;
    this.emitChunk(chunk);
    return true;
  }

  private emitChunk(chunk: Chunk): void {
    const w = this.wmGen;
    const out = new BatchBuilder(false, w !== null);
    const errs = new BatchBuilder(false, w !== null);
    const bad = (line: number, message: string, record: unknown) => {
      if (!this.outputs[1]!.connected) throw new NodeError(this.metrics.nodeId, `${this.path} line ${line}: ${message}`);
      errs.push({ node: this.metrics.nodeId, error: `line ${line}: ${message}`, line, record }, Date.now(), undefined, w ? w.current : 0);
    };
    for (const e of chunk.errors) bad(e.line, e.message, e.text);
    const now = Date.now();
    for (let i = 0; i < chunk.recs.length; i++) {
      const rec = chunk.recs[i] as Record<string, unknown>;
      if (w === null) {
        out.push(rec, now, undefined, 0);
        continue;
      }
      const ts = toTimestamp(rec[this.field!]);
      if (!Number.isFinite(ts)) {
        bad(chunk.lines[i]!, `field '${this.field}' must be epoch milliseconds or an ISO-8601 timestamp, got ${describeValue(rec[this.field!])}`, rec);
        continue;
      }
      out.push(rec, ts, undefined, w.current);
      w.observe(ts);
    }
    const wmEnd = w ? w.current : -Infinity;
    const advanced = wmEnd > this.wmOut;
    if (out.length > 0 || advanced) this.emitOn(0, out.build(wmEnd));
    // Watermarks reach side outputs too (as in Flink), so a node fed by `errors` is not held back.
    if (errs.length > 0 || advanced) this.emitOn(1, errs.build(wmEnd));
  }

  override async close(): Promise<void> {
    try {
      await this.csv?.return(undefined);
      await this.jsonl?.close();
    } finally {
      await this.pool?.close();
      this.pool = null;
    }
  }
}

export const createFileSource: OperatorFactory<Params> = (ctx, p) => ({
  operator: new FileSource(ctx.job, ctx.metrics, ctx.resolvePath(p.path), p),
});
