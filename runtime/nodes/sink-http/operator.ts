// Webhook sink (spec.ts says what users see): one request per record on the async sink base,
// `capacity` in flight; failures after retries go to `errors`.
import { deliver, type DeliveryOptions } from '../../connectors/http/post.js';
import { resolveEnv } from '../../connectors/env.js';
import { unwritablePreview, unwritableReason } from '../../connectors/json-lines.js';
import { redactUrl } from '../../connectors/redact.js';
import { AsyncSink } from '../../engine/async-sink.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { compileExpression } from '../../expr/index.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
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
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.p.headers)) headers[k] = resolveEnv(v, this.nodeId, `headers.${k}`);
    let url: URL;
    try {
      url = new URL(resolveEnv(this.p.url, this.nodeId, 'url'));
    } catch (err) {
      if (err instanceof NodeError) throw err;
      throw new NodeError(this.nodeId, `url: not a valid URL: ${this.shownUrl}`);
    }
    // A URL from the environment is checked here: fetch would "deliver" to data: or file: without a server.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new NodeError(this.nodeId, `url: only http:// and https:// URLs are sent, got ${url.protocol}`);
    // fetch refuses credentials in the URL (and would print them); send them as Basic auth instead.
    if (url.username || url.password) {
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
        headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      }
      url.username = '';
      url.password = '';
    }
    this.delivery = {
      url: url.toString(),
      method: this.p.method,
      headers,
      retries: this.p.retries,
      backoff: parseDuration(this.p.backoff)!,
      timeout: parseDuration(this.p.timeout)!,
    };
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
  operator: new HttpSink(ctx.job, ctx.metrics, ctx.nodeId, p),
});
