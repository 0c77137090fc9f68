// E-mail sink (spec.ts says what users see): one message per record on the async sink base,
// `capacity` in flight; undeliverable messages go to `errors`.
import { readFile } from 'node:fs/promises';
import type { SendMailOptions } from 'nodemailer';
import { resolveEnv } from '../../connectors/env.js';
import { Mailer } from '../../connectors/smtp/mailer.js';
import { SlidingWindowLimit } from '../../connectors/smtp/rate-limit.js';
import { AsyncSink } from '../../engine/async-sink.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { compileTemplate } from '../../expr/index.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
import type { sinkEmailSpec } from './spec.js';

type Params = ParamsOf<typeof sinkEmailSpec>;
type Fill = (rec: unknown) => string;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export class EmailSink extends AsyncSink {
  private mailer: Mailer | null = null;
  private from = '';
  private readonly to: Fill;
  private readonly subject: Fill;
  private readonly text: Fill | null;
  private readonly html: Fill | null;
  private readonly limit: SlidingWindowLimit | null;
  private readonly backoff: number;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly nodeId: string,
    private readonly p: Params,
    private readonly resolvePath: (path: string) => string,
  ) {
    super(job, metrics, { batchSize: 1, maxInFlight: p.capacity, maxBuffered: p.maxBuffered }, 1);
    this.to = compileTemplate(p.to, { label: 'to' });
    this.subject = compileTemplate(p.subject, { label: 'subject' });
    this.text = p.text === undefined ? null : compileTemplate(p.text, { label: 'text' });
    this.html = p.html === undefined ? null : compileTemplate(p.html, { label: 'html', escape: escapeHtml });
    this.limit = p.rateLimit === undefined ? null : new SlidingWindowLimit(p.rateLimit.messages, parseDuration(p.rateLimit.per)!);
    this.backoff = parseDuration(p.backoff)!;
  }

  override async open(): Promise<void> {
    const p = this.p;
    let ca: string | undefined;
    if (p.ca !== undefined) {
      try {
        ca = await readFile(this.resolvePath(p.ca), 'utf8');
      } catch (err) {
        throw new NodeError(this.nodeId, `ca: cannot read ${p.ca}: ${errorMessage(err)}`);
      }
    }
    this.from = resolveEnv(p.from, this.nodeId, 'from');
    const auth = p.user === undefined || p.password === undefined ? null : { user: resolveEnv(p.user, this.nodeId, 'user'), pass: resolveEnv(p.password, this.nodeId, 'password') };
    let port = p.security === 'tls' ? 465 : 587;
    if (typeof p.port === 'number') port = p.port;
    else if (p.port !== undefined) {
      const text = resolveEnv(p.port, this.nodeId, 'port');
      port = Number(text);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new NodeError(this.nodeId, `port: ${JSON.stringify(text)} is not a port number`);
    }
    this.mailer = new Mailer(this.nodeId, {
      host: resolveEnv(p.host, this.nodeId, 'host'),
      port,
      security: p.security,
      ca,
      rejectUnauthorized: p.rejectUnauthorized,
      auth,
      timeout: parseDuration(p.timeout)!,
      capacity: p.capacity,
    });
  }

  protected async send(recs: unknown[], ts: number[]): Promise<void> {
    const rec = recs[0];
    let msg: SendMailOptions;
    try {
      msg = { from: this.from, to: this.to(rec), subject: this.subject(rec) };
      if (this.text !== null) msg.text = this.text(rec);
      if (this.html !== null) msg.html = this.html(rec);
    } catch (err) {
      this.emitErrors(this.nodeId, [{ error: errorMessage(err), record: rec, ts: ts[0]!, detail: { code: null } }]);
      return;
    }
    const m = this.mailer!;
    const o = await m.send(msg, { retries: this.p.retries, backoff: this.backoff, limit: this.limit });
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
  operator: new EmailSink(ctx.job, ctx.metrics, ctx.nodeId, p, (path) => ctx.resolvePath(path)),
});
