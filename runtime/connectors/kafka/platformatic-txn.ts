// Transactions on @platformatic/kafka: its producer sends the KIP-447 fields, and InitProducerId
// gets producer id -1 and epoch -1 through the public beginTransaction options, which is what a
// new producer must send so that the broker aborts a transaction left open under the same id and
// fences the producer that opened it (Kafka's TransactionCoordinator.handleInitProducerId).
// kafkajs predates KIP-447 and is not offered for transactions.
import { type BaseOptions, compatibilityPartitioner, Connection, endTxnV4, FindCoordinatorKeyTypes, findCoordinatorV6, Producer } from '@platformatic/kafka';
import type { ProducedMessage, ResumeOutcome, TransactionalWriter, TransactionalWriterOptions, TransactionHandle } from './types.js';

type Bytes = Buffer | string;
type TxnProducer = Producer<Bytes, Bytes, string, string>;
type Transaction = Awaited<ReturnType<TxnProducer['beginTransaction']>>;

const toBuffer = (v: Buffer | string | undefined) => (v === undefined ? undefined : typeof v === 'string' ? Buffer.from(v) : v);

/** Protocol error names anywhere in a client error (it nests them in `errors`). */
function errorIds(err: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 4 || err === null || typeof err !== 'object') return out;
  const e = err as { apiId?: string; id?: string; errors?: unknown[]; cause?: unknown };
  if (typeof e.apiId === 'string') out.push(e.apiId);
  if (typeof e.id === 'string') out.push(e.id);
  for (const x of e.errors ?? []) errorIds(x, out, depth + 1);
  if (e.cause !== undefined) errorIds(e.cause, out, depth + 1);
  return out;
}

class PlatformaticTransactionalWriter implements TransactionalWriter {
  private txn: Transaction | null = null;
  private handle: TransactionHandle | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  /** A transaction was begun before (the client then skips InitProducerId). */
  private begun = false;

  constructor(
    private readonly producer: TxnProducer,
    private readonly transactionalId: string,
  ) {}

  get open(): TransactionHandle | null {
    return this.handle;
  }

  /** Sends run one after another: a transaction's batches are numbered as they are built. */
  send(topic: string, messages: readonly ProducedMessage[]): Promise<void> {
    const run = async () => {
      const txn = this.txn ?? (await this.begin());
      // The broker's timeout runs from the first AddPartitionsToTxn, which this send makes.
      this.handle ??= { transactionalId: this.transactionalId, producerId: String(this.producer.producerId), producerEpoch: this.producer.producerEpoch!, startedAt: Date.now() };
      await txn.send({ messages: messages.map((m) => ({ topic, key: m.key ?? undefined, value: m.value ?? undefined, headers: m.headers })) });
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => {});
    return p;
  }

  async fence(): Promise<void> {
    await this.tail;
    if (this.txn === null) await this.begin();
  }

  private async begin(): Promise<Transaction> {
    const txn = await this.producer.beginTransaction({ producerId: -1n, producerEpoch: -1 });
    // The client initialises a producer id only for the first transaction of an id; later ones
    // bump the epoch too, so every transaction has its own (id, epoch) and a handle saved for an
    // older one can never commit a newer one.
    if (this.begun) await this.producer.initIdempotentProducer({ producerId: -1n, producerEpoch: -1 });
    this.begun = true;
    this.txn = txn;
    return txn;
  }

  async commit(): Promise<void> {
    await this.tail;
    const txn = this.txn;
    if (txn === null || this.handle === null) return; // nothing sent: the broker has no transaction to end
    await txn.commit();
    this.txn = null;
    this.handle = null;
  }

  async abort(): Promise<void> {
    await this.tail.catch(() => {});
    const txn = this.txn;
    const sent = this.handle !== null;
    this.txn = null;
    this.handle = null;
    if (txn !== null && sent) await txn.abort();
    else if (txn !== null) await txn.cancel();
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

export async function transactionalWriter(base: BaseOptions, opts: TransactionalWriterOptions): Promise<TransactionalWriter> {
  const producer: TxnProducer = new Producer<Bytes, Bytes, string, string>({
    ...base,
    // The client's request timeout is also the transaction timeout it sends in InitProducerId.
    timeout: opts.transactionTimeout,
    idempotent: true,
    acks: -1,
    transactionalId: opts.transactionalId,
    compression: opts.compression,
    // Java's default partitioner, as the at-least-once writer (platformatic-driver.ts).
    partitioner: compatibilityPartitioner,
    serializers: { key: toBuffer, value: toBuffer, headerKey: toBuffer, headerValue: toBuffer },
  });
  await producer.metadata({ topics: [] }).catch(async (err: unknown) => {
    await producer.close();
    throw err;
  });
  return new PlatformaticTransactionalWriter(producer, opts.transactionalId);
}

/**
 * EndTxn(commit) with a saved producer id and epoch, sent to the transaction coordinator: Flink's
 * FlinkKafkaInternalProducer.resumeTransaction + commit, done with the protocol directly because
 * no JavaScript client can adopt another process's transaction.
 */
export async function resumeCommit(base: BaseOptions, handle: TransactionHandle): Promise<ResumeOutcome> {
  const [host, port] = splitHostPort(base.bootstrapBrokers[0] as string);
  const opts = { connectTimeout: base.connectTimeout, tls: base.tls, sasl: base.sasl };
  const boot = new Connection(base.clientId, opts);
  let coord: Connection | null = null;
  try {
    await boot.connect(host, port);
    const found = await findCoordinatorV6.api.async(boot, FindCoordinatorKeyTypes.TRANSACTION, [handle.transactionalId]);
    const c = found.coordinators[0]!;
    coord = new Connection(base.clientId, opts);
    await coord.connect(c.host, c.port);
    for (let attempt = 0; ; attempt++) {
      try {
        await endTxnV4.api.async(coord, handle.transactionalId, BigInt(handle.producerId), handle.producerEpoch, true);
        return 'committed';
      } catch (err) {
        const ids = errorIds(err);
        // A new producer id: the epochs of the old one were used up, by transactions begun after this one ended.
        if (ids.includes('PRODUCER_FENCED') || ids.includes('INVALID_PRODUCER_EPOCH') || ids.includes('INVALID_PRODUCER_ID_MAPPING')) return 'superseded';
        // The markers of the commit are still being written (or of an abort, on timeout).
        if (ids.includes('CONCURRENT_TRANSACTIONS') && attempt < 100) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        throw err;
      }
    }
  } finally {
    await coord?.close().catch(() => {});
    await boot.close().catch(() => {});
  }
}

function splitHostPort(b: string): [string, number] {
  const at = b.lastIndexOf(':');
  return [b.slice(0, at).replace(/^\[|\]$/g, ''), Number(b.slice(at + 1))];
}
