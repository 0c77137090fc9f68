// The transactional writer behind sink.kafka's exactly-once mode, against the real broker: records
// of a transaction that never commits stay invisible to read_committed readers, a new writer with
// the same transactional id fences the old one (a zombie), and a transaction can be committed by
// another process from its saved handle — but never one that a later transaction superseded.
import { afterAll, describe, expect, it } from 'vitest';
import { platformaticDriver } from '../../runtime/connectors/kafka/platformatic-driver.js';
import type { KafkaConnection } from '../../runtime/connectors/kafka/types.js';
import { EpochTransactions } from '../../runtime/nodes/sink-kafka/epochs.js';
import { BROKERS, createTopic, deleteTopics, readAll, topicSize, uniqueName } from '../support/kafka.js';

const topics: string[] = [];
afterAll(() => deleteTopics(topics));

const conn = (): KafkaConnection => ({ brokers: BROKERS().split(','), clientId: 'tests-txn', tls: null, sasl: null, connectTimeout: 5000 });
const writer = (id: string) => platformaticDriver.transactionalWriter!(conn(), { transactionalId: id, transactionTimeout: 60_000, compression: 'none' });
const msgs = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i % 3}`, value: `${prefix}-${i}` }));

/** Values a read_committed reader sees, once `count` have arrived and nothing more comes for a while. */
async function committedValues(topic: string, count: number): Promise<string[]> {
  const got = await readAll(topic, count);
  // A second read after a pause: nothing beyond `count` may be visible.
  await new Promise((r) => setTimeout(r, 500));
  const again = await readAll(topic, count);
  expect(again.length).toBe(got.length);
  return got.map((m) => m.value!).sort();
}

describe('Kafka transactions (@platformatic/kafka)', () => {
  it('keeps an uncommitted transaction invisible, and a new writer fences the zombie and aborts its records', async () => {
    const t = await createTopic('txn', 2);
    topics.push(t);
    const id = uniqueName('txn');
    const zombie = await writer(id);
    await zombie.send(t, msgs('zombie', 50));
    expect(zombie.open).not.toBeNull();
    // The zombie's records are in the log, but the last stable offset stays before its open
    // transaction: a read_committed reader sees nothing yet.
    expect(await topicSize(t)).toBe(0);
    const next = await writer(id);
    await next.send(t, msgs('next', 20));
    // The restart's InitProducerId aborted the zombie's transaction and bumped the epoch.
    await expect(zombie.commit()).rejects.toThrow();
    await next.commit();
    expect(await committedValues(t, 20)).toEqual(msgs('next', 20).map((m) => m.value).sort());
    await zombie.close().catch(() => {});
    await next.close();
  });

  it('commits a transaction left open from its handle, once, and never a superseded one', async () => {
    const t = await createTopic('txn-resume', 1);
    topics.push(t);
    const id = uniqueName('txn-resume');
    const crashed = await writer(id);
    await crashed.send(t, msgs('a', 30));
    const handle = crashed.open!;
    expect(handle.transactionalId).toBe(id);
    // The process "dies" before committing: its producer is simply gone.
    await crashed.close();
    expect(await platformaticDriver.resumeCommit!(conn(), handle)).toBe('committed');
    // Finishing it again (a restart killed right after the commit) is harmless.
    expect(await platformaticDriver.resumeCommit!(conn(), handle)).toBe('committed');
    expect(await committedValues(t, 30)).toEqual(msgs('a', 30).map((m) => m.value).sort());

    // A later transaction under the same id has a new epoch: the old handle cannot commit it.
    const later = await writer(id);
    await later.send(t, msgs('b', 10));
    const second = later.open!;
    expect(second.producerEpoch === handle.producerEpoch && second.producerId === handle.producerId).toBe(false);
    expect(await platformaticDriver.resumeCommit!(conn(), handle)).toBe('superseded');
    await later.abort();
    // Two transactions in one writer get different epochs too.
    await later.send(t, msgs('c', 5));
    const third = later.open!;
    expect(third.producerEpoch === second.producerEpoch && third.producerId === second.producerId).toBe(false);
    await later.commit();
    expect(await committedValues(t, 35)).toEqual([...msgs('a', 30), ...msgs('c', 5)].map((m) => m.value).sort());
    await later.close();
  });
});

describe("sink.kafka exactly-once: resuming a checkpoint whose transaction had already ended", () => {
  it('says nothing when a later transaction shows it committed, and warns when the broker may have aborted it on timeout', { timeout: 120_000 }, async () => {
    const t = await createTopic('txn-ended', 1);
    topics.push(t);
    const id = uniqueName('txn-ended');
    const warnings: string[] = [];
    const epochs = (timeout: number) => new EpochTransactions('out', id, timeout, 'none', (m) => warnings.push(m));

    // A checkpoint's transaction committed, and the next one began: a restart from that checkpoint
    // finds its epoch superseded, and nothing was lost.
    const first = epochs(60_000);
    await first.open(platformaticDriver, conn());
    await first.send(t, msgs('a', 10));
    const committed = first.snapshot().pending!;
    await first.complete();
    await first.send(t, msgs('b', 5));
    await first.abort();
    const second = epochs(60_000);
    second.restore({ pending: committed });
    await second.open(platformaticDriver, conn());
    await second.close();
    expect(warnings).toEqual([]);

    // A checkpoint's transaction still open when the run died, and the broker aborts it on timeout
    // before the restart: its records are gone, and the restart must say so.
    const dying = epochs(1_000);
    await dying.open(platformaticDriver, conn());
    const stable = await topicSize(t);
    await dying.send(t, msgs('c', 10));
    const lost = dying.snapshot().pending!;
    await dying.abort(); // a sealed transaction is left open, as a crash leaves it
    // The broker's abort moves the last stable offset past it (read_committed offsets).
    const deadline = Date.now() + 60_000;
    while ((await topicSize(t)) <= stable && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const restart = epochs(1_000);
    restart.restore({ pending: lost });
    await restart.open(platformaticDriver, conn());
    await restart.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^out: the transaction of the checkpoint being resumed \(.+, producer \d+ epoch \d+\) had already ended; .*may have aborted it: then the records written for that checkpoint are lost/);
    expect(await committedValues(t, 10)).toEqual(msgs('a', 10).map((m) => m.value).sort());
  });
});
