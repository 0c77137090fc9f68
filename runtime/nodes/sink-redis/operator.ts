// Writes records to Redis as pipelined commands (spec.ts says what users see). Commands are built
// when records arrive; a batch is one pipeline (writer.ts: encoded at once, one promise for the
// batch), retried whole while the connection is down.
import { RedisUnreachable, RedisWriter } from '../../connectors/redis/writer.js';
import { unwritablePreview, unwritableReason } from '../../connectors/json-lines.js';
import { AsyncSink } from '../../engine/async-sink.js';
import type { Batch } from '../../engine/batch.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
import { type Command, commandBuilder } from './commands.js';
import { ExactlyOnceRedisSink } from './exactly-once.js';
import type { sinkRedisSpec } from './spec.js';

type Params = ParamsOf<typeof sinkRedisSpec>;

const CONNECT_TIMEOUT_MS = 5000;
const COMMAND_TIMEOUT_MS = 10_000;

export class RedisSink extends AsyncSink {
  private redis: RedisWriter | null = null;
  private readonly build: (rec: unknown) => Command[];
  private readonly retryFor: number;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly nodeId: string,
    private readonly p: Params,
  ) {
    super(job, metrics, { batchSize: p.batchSize, maxInFlight: 1, maxBuffered: p.maxBuffered }, 1);
    this.build = commandBuilder(p, p.ttl === undefined ? null : parseDuration(p.ttl));
    this.retryFor = parseDuration(p.retryFor)!;
  }

  override async open(): Promise<void> {
    // A server that stops answering mid-run times out each pipeline, which counts as unreachable (retried for `retryFor`).
    this.redis = await RedisWriter.open(this.p.url, this.nodeId, CONNECT_TIMEOUT_MS, COMMAND_TIMEOUT_MS);
  }

  protected override write(b: Batch): boolean {
    const cmds: Command[][] = [];
    const ts: number[] = [];
    let errs: { error: string; record: unknown; ts: number }[] | null = null;
    for (let i = 0; i < b.recs.length; i++) {
      try {
        cmds.push(this.build(b.recs[i]));
        ts.push(b.ts[i]!);
      } catch (err) {
        // Nested too deeply for JSON: report why, and a preview that stays printable downstream.
        const deep = err instanceof RangeError;
        (errs ??= []).push({ error: deep ? unwritableReason(err) : errorMessage(err), record: deep ? unwritablePreview(b.recs[i]) : b.recs[i], ts: b.ts[i]! });
      }
    }
    if (errs !== null) this.emitErrors(this.nodeId, errs);
    return super.write({ recs: cmds, ts, keys: null, wm: null, wmEnd: b.wmEnd });
  }

  protected async send(items: unknown[]): Promise<void> {
    const cmds = (items as Command[][]).flat();
    const redis = this.redis!;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let failure: unknown;
      try {
        const refused = await redis.write(cmds);
        if (refused === null) return;
        const c = cmds[refused.index]!;
        throw new NodeError(this.nodeId, `Redis refused ${String(c[0]).toUpperCase()} ${c[1]}: ${refused.message}`);
      } catch (err) {
        if (err instanceof NodeError) throw err;
        if (!(err instanceof RedisUnreachable)) throw new NodeError(this.nodeId, `writing to Redis failed: ${errorMessage(err)}`, { cause: err });
        failure = err;
      }
      // The connection is down: keep the batch, wait, and send it again once Redis is back.
      this.metrics.errors++;
      if (Date.now() - started > this.retryFor) {
        throw new NodeError(this.nodeId, `Redis at ${redis.where} unreachable for ${Math.round((Date.now() - started) / 1000)} s: ${errorMessage(failure) || redis.lastError()}`);
      }
      await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1000)));
    }
  }

  protected override async close(): Promise<void> {
    await super.close();
    await this.redis?.close();
    this.redis = null;
  }

  override async abort(): Promise<void> {
    await super.abort();
    await this.redis?.close();
    this.redis = null;
  }
}

export const createRedisSink: OperatorFactory<Params> = (ctx, p) => ({
  operator: p.deliveryGuarantee === 'exactly-once' ? new ExactlyOnceRedisSink(ctx.job, ctx.metrics, ctx.nodeId, p) : new RedisSink(ctx.job, ctx.metrics, ctx.nodeId, p),
});
