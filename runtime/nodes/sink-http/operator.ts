// Webhook sink (spec.ts says what users see): one request per record on the async sink base,
// `capacity` in flight; failures after retries go to `errors`.
import { deliver, type DeliveryOptions } from '../../connectors/http/post.js';
import { unwritablePreview, unwritableReason } from '../../connectors/json-lines.js';
import { redactUrl } from '../../connectors/redact.js';
import { AsyncSink } from '../../engine/async-sink.js';
import { errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { compileExpression } from '../../expr/index.js';
import type { ParamsOf } from '../spec.js';
import { httpDelivery } from './delivery.js';
import { ExactlyOnceHttpSink } from './exactly-once.js';
import type { sinkHttpSpec } from './spec.js';

type Params = ParamsOf<typeof sinkHttpSpec>;

export class HttpSink extends AsyncSink {
  private delivery: DeliveryOptions | null = null;
  private readonly body: ((event: unknown) => unknown) | null;
  /** The URL for messages: as written in the pipeline (environment references unresolved), secrets masked. */
  private readonly shownUrl: string;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly nodeId: string,
    private readonly p: Params,
  ) {
    super(job, metrics, { batchSize: 1, maxInFlight: p.capacity, maxBuffered: p.maxBuffered }, 1);
    this.body = p.body === undefined ? null : (compileExpression(p.body) as (e: unknown) => unknown);
    this.shownUrl = redactUrl(p.url);
  }

  override async open(): Promise<void> {
    this.delivery = httpDelivery(this.nodeId, this.p, this.shownUrl);
  }

  protected async send(recs: unknown[], ts: number[]): Promise<void> {
    const rec = recs[0];
    let body: string;
    try {
      body = JSON.stringify(this.body === null ? rec : this.body(rec)) ?? 'null';
    } catch (err) {
      // Nested too deeply for JSON: report why, and a preview that stays printable downstream.
      const deep = err instanceof RangeError;
      this.emitErrors(this.nodeId, [{ error: deep ? unwritableReason(err) : errorMessage(err), record: deep ? unwritablePreview(rec) : rec, ts: ts[0]!, detail: { status: null } }]);
      return;
    }
    const d = await deliver(body, this.delivery!);
    // Every failed attempt counts in the errors metric; the record itself counts once more if it goes to `errors`.
    this.metrics.errors += d.attempts - 1;
    if (!d.ok) this.emitErrors(this.nodeId, [{ error: `${this.p.method} ${this.shownUrl} failed after ${d.attempts} attempt${d.attempts > 1 ? 's' : ''}: ${d.error}`, record: rec, ts: ts[0]!, detail: { status: d.status } }]);
  }
}

export const createHttpSink: OperatorFactory<Params> = (ctx, p) => ({
  operator: p.deliveryGuarantee === 'exactly-once' ? new ExactlyOnceHttpSink(ctx.job, ctx.metrics, ctx.nodeId, p) : new HttpSink(ctx.job, ctx.metrics, ctx.nodeId, p),
});
