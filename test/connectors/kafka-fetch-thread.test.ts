// source.kafka's fetch thread where it cannot run, and errors crossing the thread boundary. No
// broker is needed: the thread fails before the client would connect.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unreachable } from '../../runtime/connectors/kafka/connection.js';
import { wire } from '../../runtime/connectors/kafka/reader-protocol.js';
import { ThreadedReader, errorFrom } from '../../runtime/connectors/kafka/threaded-reader.js';
import type { KafkaConnection, ReaderOptions } from '../../runtime/connectors/kafka/types.js';

const conn: KafkaConnection = { brokers: ['127.0.0.1:1'], clientId: 'test', tls: null, sasl: null, connectTimeout: 1000 };
const opts: ReaderOptions = { groupId: 'g', start: [{ topic: 't', partition: 0, offset: 0 }], maxBuffered: 100, isolationLevel: 'read_committed' };

describe('Kafka fetch thread', () => {
  it('falls back to the pipeline thread, and says why, when its script is missing', async () => {
    const heard: string[] = [];
    expect(await ThreadedReader.open('kafkajs', conn, opts, false, 10, (w) => heard.push(w), null)).toBeNull();
    expect(heard).toEqual([expect.stringMatching(/reader-worker\.js\) was not found/)]);
  });

  it('falls back, and says why, when the thread cannot start (a script that cannot load, as inside an archive)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-fetch-'));
    const entry = join(dir, 'broken.mjs');
    writeFileSync(entry, "throw new Error('cannot load from here');\n");
    const heard: string[] = [];
    expect(await ThreadedReader.open('kafkajs', conn, opts, false, 10, (w) => heard.push(w), entry)).toBeNull();
    expect(heard).toEqual([expect.stringMatching(/did not start: cannot load from here/)]);
    const missing: string[] = [];
    expect(await ThreadedReader.open('kafkajs', conn, opts, false, 10, (w) => missing.push(w), join(dir, 'absent.mjs'))).toBeNull();
    expect(missing).toEqual([expect.stringMatching(/did not start/)]);
  });

  it('a thread started ahead (before the source knows where to read) that cannot connect is stopped, and says why', async () => {
    const worker = await ThreadedReader.spawn('kafkajs', () => {
      throw new Error('the thread should start');
    });
    expect(worker).not.toBeNull();
    const exited = new Promise<number>((r) => worker!.once('exit', r));
    await expect(ThreadedReader.connect(worker!, 'kafkajs', conn, opts, false, 10)).rejects.toThrow(/ECONNREFUSED|connect/i);
    await exited;
    expect(worker!.threadId).toBe(-1);
  });

  it('an error without a message of its own (AggregateError) still says what failed after crossing the thread', () => {
    const err = errorFrom(wire(new AggregateError([new Error('connect ECONNREFUSED 127.0.0.1:1'), new Error('connect ECONNREFUSED ::1:1')], '')));
    expect(unreachable('src', conn, err).message).toMatch(/^cannot reach Kafka at 127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1; connect ECONNREFUSED ::1:1/);
    const retriable = errorFrom(wire(Object.assign(new Error('outer'), { cause: Object.assign(new Error('inner'), { type: 'COORDINATOR_LOAD_IN_PROGRESS', code: 'X' }) })));
    expect((retriable.cause as Error & { type?: string }).type).toBe('COORDINATOR_LOAD_IN_PROGRESS');
  });
});
