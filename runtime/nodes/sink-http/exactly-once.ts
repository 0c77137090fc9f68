// sink.http with `deliveryGuarantee: exactly-once`: the requests of each checkpoint epoch are sent
// once the checkpoint completes (transactional-sink.ts), each with an `Idempotency-Key` header
// (IETF draft-ietf-httpapi-idempotency-key-header) made of the run's id and the record's ordinal
// in it. A restored run sends the epoch its checkpoint lists again with the same keys, so a
// receiver that honours the header applies each request once; one that ignores it sees those
// repeats (at-least-once). Records replayed after the checkpoint were never sent: no repeat.
import { deliver, type DeliveryOptions } from '../../connectors/http/post.js';
import { unwritablePreview, unwritableReason } from '../../connectors/json-lines.js';
import type { Batch } from '../../engine/batch.js';
import { errorMessage } from '../../engine/errors.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { TransactionalSink, type Transaction } from '../../engine/transactional-sink.js';
import { compileExpression } from '../../expr/index.js';
import { redactUrl } from '../../connectors/redact.js';
import type { ParamsOf } from '../spec.js';
import { httpDelivery } from './delivery.js';
import type { sinkHttpSpec } from './spec.js';

type Params = ParamsOf<typeof sinkHttpSpec>;

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

interface Request {
  readonly body: string;
  readonly rec: unknown;
  readonly ts: number;
}

export class ExactlyOnceHttpSink extends TransactionalSink<Request> {
  private delivery: DeliveryOptions | null = null;
  private readonly body: ((event: unknown) => unknown) | null;
  private readonly shownUrl: string;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly nodeId: string,
    private readonly p: Params,
  ) {
    super(job, metrics, p.maxBuffered, 1);
    this.body = p.body === undefined ? null : (compileExpression(p.body) as (e: unknown) => unknown);
    this.shownUrl = redactUrl(p.url);
  }

  protected async connect(): Promise<void> {
    this.delivery = httpDelivery(this.nodeId, this.p, this.shownUrl);
  }

  protected async disconnect(): Promise<void> {}

  protected prepare(b: Batch): Request[] {
    const out: Request[] = [];
    const errs: { error: string; record: unknown; ts: number; detail: Record<string, unknown> }[] = [];
    for (let i = 0; i < b.recs.length; i++) {
      const rec = b.recs[i];
      try {
        out.push({ body: JSON.stringify(this.body === null ? rec : this.body(rec)) ?? 'null', rec, ts: b.ts[i]! });
      } catch (err) {
        const deep = err instanceof RangeError;
        errs.push({ error: deep ? unwritableReason(err) : errorMessage(err), record: deep ? unwritablePreview(rec) : rec, ts: b.ts[i]!, detail: { status: null } });
      }
    }
    this.emitErrors(this.nodeId, errs);
    return out;
  }

  protected async apply(t: Transaction<Request>): Promise<void> {
    const d = this.delivery!;
    let next = 0;
    // `capacity` requests at a time, in record order.
    const worker = async () => {
      while (next < t.items.length) {
        const i = next++;
        const req = t.items[i]!;
        const o = await deliver(req.body, { ...d, headers: { ...d.headers, [IDEMPOTENCY_HEADER]: `${t.lineage}-${t.first + i}` } });
        this.metrics.errors += o.attempts - 1;
        if (!o.ok) this.emitErrors(this.nodeId, [{ error: `${this.p.method} ${this.shownUrl} failed after ${o.attempts} attempt${o.attempts > 1 ? 's' : ''}: ${o.error}`, record: req.rec, ts: req.ts, detail: { status: o.status } }]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.p.capacity, t.items.length) }, worker));
  }
}
