// E-mail sink (spec.ts says what users see): one message per record on the async sink base,
// `capacity` in flight; undeliverable messages go to `errors`.
import type { SendMailOptions } from 'nodemailer';
import type { Mailer, RetryOptions } from '../../connectors/smtp/mailer.js';
import { AsyncSink } from '../../engine/async-sink.js';
import { errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import type { ParamsOf } from '../spec.js';
import { ExactlyOnceEmailSink } from './exactly-once.js';
import { messageBuilder, openMailer, retryOptions } from './message.js';
import type { sinkEmailSpec } from './spec.js';

type Params = ParamsOf<typeof sinkEmailSpec>;

export class EmailSink extends AsyncSink {
  private mailer: Mailer | null = null;
  private from = '';
  private readonly message: (rec: unknown, from: string) => SendMailOptions;
  private readonly retry: RetryOptions;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly nodeId: string,
    private readonly p: Params,
    private readonly resolvePath: (path: string) => string,
  ) {
    super(job, metrics, { batchSize: 1, maxInFlight: p.capacity, maxBuffered: p.maxBuffered }, 1);
    this.message = messageBuilder(p);
    this.retry = retryOptions(p);
  }

  override async open(): Promise<void> {
    const { from, mailer } = await openMailer(this.nodeId, this.p, this.resolvePath);
    this.from = from;
    this.mailer = mailer;
  }

  protected async send(recs: unknown[], ts: number[]): Promise<void> {
    const rec = recs[0];
    let msg: SendMailOptions;
    try {
      msg = this.message(rec, this.from);
    } catch (err) {
      this.emitErrors(this.nodeId, [{ error: errorMessage(err), record: rec, ts: ts[0]!, detail: { code: null } }]);
      return;
    }
    const m = this.mailer!;
    const o = await m.send(msg, this.retry);
    // Every failed attempt counts in the errors metric; the record itself counts once more if it goes to `errors`.
    this.metrics.errors += o.attempts - 1;
    if (!o.ok) this.emitErrors(this.nodeId, [{ error: `mail to ${String(msg.to)} via ${m.server} failed after ${o.attempts} attempt${o.attempts > 1 ? 's' : ''}: ${o.error}`, record: rec, ts: ts[0]!, detail: { code: o.code } }]);
  }

  protected override async close(): Promise<void> {
    await super.close();
    this.mailer?.close();
  }

  override async abort(): Promise<void> {
    await super.abort();
    this.mailer?.close();
  }
}

export const createEmailSink: OperatorFactory<Params> = (ctx, p) => ({
  operator:
    p.deliveryGuarantee === 'exactly-once'
      ? new ExactlyOnceEmailSink(ctx.job, ctx.metrics, ctx.nodeId, p, (path) => ctx.resolvePath(path))
      : new EmailSink(ctx.job, ctx.metrics, ctx.nodeId, p, (path) => ctx.resolvePath(path)),
});
