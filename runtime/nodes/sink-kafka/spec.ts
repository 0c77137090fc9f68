import { z } from 'zod';
import { duration, expression } from '../../format/params.js';
import { kafkaConnectionParams } from '../kafka-params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';

export const sinkKafkaSpec = defineNode({
  type: 'sink.kafka',
  title: 'Kafka sink',
  category: 'sink',
  doc: [
    'Writes each record to a Kafka topic, batched (up to `batchSize` records a request; while one request is out the next fills up) with an idempotent producer by default, so the client\'s own retries never duplicate or reorder within a partition.',
    '',
    '- The value is the record as JSON, or what `value` gives (a string is sent as is, anything else as JSON); `key` and `headers` are optional expressions. Records with the same key go to the same partition, the one Java\'s default partitioner picks (murmur2 of the key), so Java producers, Kafka Streams and Flink agree with it (earlier versions took the hash unsigned: on a topic whose partition count is not a power of two, some keys now go to another partition than before).',
    '- A request that fails for good is sent again, `retries` times with exponential backoff from `retryBackoff`; each failure counts in the node\'s errors metric, and when the retries are spent the run fails naming this node. A request sent again may duplicate the records it had already written to some partitions (at-least-once); records written before a failure stay written (Kafka has no rollback here).',
    '- While the broker is slow, at most `maxBuffered` records wait here; then the sources pause.',
    '- A record that cannot become a message (its `key`, `value` or `headers` expression fails, or its value cannot be written as JSON, e.g. nested too deeply) goes to `errors` as `{node, error, record}` when it arrives; without an edge from `errors` it fails the run.',
  ].join('\n'),
  params: z.strictObject({
    ...kafkaConnectionParams,
    topic: z.string().min(1).meta({ description: 'Topic to write to.' }),
    partitions: z.number().int().positive().optional().meta({ description: 'Create the topic with this many partitions when it does not exist. Unset: a missing topic fails the run at start.' }),
    key: expression('Record key (turned into a string); unset: no key, records spread over partitions.').optional(),
    value: expression('The value to send; unset: the whole record as JSON.').optional(),
    headers: expression('An object of header name → value (values turned into strings).').optional(),
    batchSize: z.number().int().positive().default(2000).meta({ description: 'Most records in one produce request.' }),
    maxBuffered: z.number().int().positive().default(20_000).meta({ description: 'Records waiting to be sent before the sources pause.' }),
    idempotent: z.boolean().default(true).meta({ description: 'Idempotent producer (needs `acks: all`).' }),
    acks: z.enum(['all', 'leader', 'none']).default('all').meta({ description: 'Acknowledgement to wait for: all in-sync replicas, the leader only, or none.' }),
    compression: z.enum(['none', 'gzip']).default('none').meta({ description: 'Compression of produce requests.' }),
    retries: z.number().int().nonnegative().default(5).meta({ description: 'Retries of a failed request before the run fails.' }),
    retryBackoff: duration('Wait before the first retry; doubles each time.', { timer: true }).default('200ms'),
  }).superRefine((p, ctx) => {
    if (p.idempotent && p.acks !== 'all') ctx.addIssue({ code: 'custom', message: 'an idempotent producer needs acks: all (or set idempotent: false)', path: ['acks'] });
  }),
  inputs: [{ name: 'in', doc: 'Records to write.', multiple: true }],
  outputs: [ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: true,
  example: { brokers: '${KAFKA_BROKERS:-127.0.0.1:9092}', topic: 'alerts', key: 'userId' },
});
