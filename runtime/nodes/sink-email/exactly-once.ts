// sink.email with `deliveryGuarantee: exactly-once`: the messages of each checkpoint epoch are sent
// once the checkpoint completes (transactional-sink.ts). Each has a deterministic id (the run's id
// and the record's ordinal in it), claimed in Redis with SET NX before it is sent and released if
// the send fails: a restored run that sends the epoch again skips the ids already claimed, so a
// message goes out at most once. (SMTP has no transactions; a crash between the claim and the
// server's answer loses that one message rather than sending it twice.) The id is also the
// message's Message-ID, which lets mail systems recognise a copy.
import type { SendMailOptions } from 'nodemailer';
import { connectRedis, type RedisHandle } from '../../connectors/redis/client.js';
import type { Mailer, RetryOptions } from '../../connectors/smtp/mailer.js';
import type { Batch } from '../../engine/batch.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { TransactionalSink, type Transaction } from '../../engine/transactional-sink.js';
import type { ParamsOf } from '../spec.js';
import { messageBuilder, openMailer, retryOptions } from './message.js';
import type { sinkEmailSpec } from './spec.js';

type Params = ParamsOf<typeof sinkEmailSpec>;

/** How long a claim is kept: a run restored later than this may send its last epoch's messages again. */
const CLAIM_TTL_MS = 7 * 24 * 3600 * 1000;

interface Mail {
  readonly msg: SendMailOptions;
  readonly rec: unknown;
  readonly ts: number;
}

export function claimKey(nodeId: string, id: string): string {
  return `tributary:mail:${nodeId}:${id}`;
}

export class ExactlyOnceEmailSink extends TransactionalSink<Mail> {
  private mailer: Mailer | null = null;
  private redis: RedisHandle | null = null;
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
    super(job, metrics, p.maxBuffered, 1);
    this.message = messageBuilder(p);
    this.retry = retryOptions(p);
  }

  protected async connect(): Promise<void> {
    const { from, mailer } = await openMailer(this.nodeId, this.p, this.resolvePath);
    this.from = from;
    this.mailer = mailer;
    // The spec requires dedupeRedis with exactly-once.
    this.redis = await connectRedis(this.p.dedupeRedis!, this.nodeId, 5000, 10_000);
  }

  protected async disconnect(): Promise<void> {
    this.mailer?.close();
    this.mailer = null;
    await this.redis?.close();
    this.redis = null;
  }

  protected prepare(b: Batch): Mail[] {
    const out: Mail[] = [];
    const errs: { error: string; record: unknown; ts: number; detail: Record<string, unknown> }[] = [];
    for (let i = 0; i < b.recs.length; i++) {
      try {
        out.push({ msg: this.message(b.recs[i], this.from), rec: b.recs[i], ts: b.ts[i]! });
      } catch (err) {
        errs.push({ error: errorMessage(err), record: b.recs[i], ts: b.ts[i]!, detail: { code: null } });
      }
    }
    this.emitErrors(this.nodeId, errs);
    return out;
  }

  protected async apply(t: Transaction<Mail>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < t.items.length) {
        const i = next++;
        await this.sendOnce(`${t.lineage}-${t.first + i}`, t.items[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.p.capacity, t.items.length) }, worker));
  }

  private async sendOnce(id: string, m: Mail): Promise<void> {
    const client = this.redis!.client;
    const key = claimKey(this.nodeId, id);
    let claimed: string | null;
    try {
      claimed = await client.set(key, '1', 'PX', CLAIM_TTL_MS, 'NX');
    } catch (err) {
      throw new NodeError(this.nodeId, `cannot record the message id in Redis at ${this.redis!.where}: ${errorMessage(err)}`, { cause: err });
    }
    if (claimed === null) return; // sent before a restore
    const mailer = this.mailer!;
    const o = await mailer.send({ ...m.msg, messageId: `<${id}@tributary>` }, this.retry);
    this.metrics.errors += o.attempts - 1;
    if (o.ok) return;
    // Not sent: a restored run may try again, and report it again if it fails.
    await client.del(key).catch(() => {});
    this.emitErrors(this.nodeId, [{ error: `mail to ${String(m.msg.to)} via ${mailer.server} failed after ${o.attempts} attempt${o.attempts > 1 ? 's' : ''}: ${o.error}`, record: m.rec, ts: m.ts, detail: { code: o.code } }]);
  }
}
