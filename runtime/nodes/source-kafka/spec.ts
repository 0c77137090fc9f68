import { z } from 'zod';
import { declaredFields, duration, eventTime } from '../../format/params.js';
import { kafkaConnectionParams } from '../kafka-params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { closedSet, type FieldInfo, UNKNOWN } from '../../format/fields.js';

const startFrom = z
  .enum(['earliest', 'latest', 'committed', 'timestamp'])
  .default('committed')
  .meta({ description: 'Where each partition starts: `earliest`, `latest`, `committed` (the group\'s committed offsets; `earliest` where the group has none), or `timestamp` (the first record at or after `startTimestamp`).' });

export const sourceKafkaSpec = defineNode({
  type: 'source.kafka',
  title: 'Kafka source',
  category: 'source',
  doc: [
    'Reads one or more Kafka topics, every partition, as Flink\'s `KafkaSource` does.',
    '',
    '- **Checkpoints**: the read position of every partition (with a bounded read\'s end and each partition\'s watermark) is part of each checkpoint, and a resumed run reads on from there, together with the window, process and CEP state of the same moment (Flink\'s Kafka source keeps its splits\' offsets in its state the same way). `startFrom` applies only to a run that starts afresh, and to partitions the checkpoint does not know.',
    '- **Offsets**: also committed to `groupId`, for monitoring (consumer lag) and for `startFrom: committed`: only after the records read up to them have left every asynchronous stage and been written by every sink (every `commitInterval`, and at the end of a run that did not fail). A `sink.file` publishes its file only when the run ends, so once it holds records, commits wait for the end of the run.',
    '- **Bounded**: with `bounded: true` the source reads up to the offsets that were the latest when the run started, then ends with the final watermark (Flink\'s `setBounded(OffsetsInitializer.latest())`), so a replay job finishes.',
    '- **Event time**: with `eventTime`, each partition has its own bounded-out-of-orderness watermark and the source\'s watermark is the minimum over partitions that are not idle; `idleTimeout` declares a partition idle after that long without records (Flink\'s per-split watermarks with `withIdleness`). `eventTime.field` may name a metadata field, such as `kafka.timestamp`.',
    '- **Errors**: a record that does not parse (or has no usable event time) goes to `errors` as `{node, error, record, topic, partition, offset}` with the raw text as `record`; without an edge from `errors` it fails the run.',
    '- **Backpressure**: while the pipeline is held back, fetching pauses once `maxBuffered` records wait.',
    '- The source joins the consumer group `groupId` to read; give each pipeline its own group. A run that shares its group with another live consumer (which the broker would hand some of the partitions) fails, naming the group and the partitions it lost, rather than read part of the topic or wait for partitions it never gets.',
    '- A broker that cannot be reached at start fails the run with a message naming this node.',
  ].join('\n'),
  params: z.strictObject({
    ...kafkaConnectionParams,
    topic: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).meta({ description: 'Topic name, or a list of topics.' }),
    groupId: z.string().min(1).optional().meta({ description: 'Consumer group that offsets are committed to. Unset: `tributary-<node id>`.' }),
    startFrom,
    startTimestamp: z.union([z.number(), z.iso.datetime({ offset: true })]).optional().meta({ description: 'With `startFrom: timestamp`: epoch ms or ISO-8601.' }),
    bounded: z.boolean().default(false).meta({ description: 'Stop at the offsets that were the latest at start, then end (a replay job).' }),
    format: z.enum(['json', 'string']).default('json').meta({ description: '`json`: the value is a JSON object, which becomes the record; `string`: the record is `{value}` with the value as text.' }),
    metadata: z.boolean().default(true).meta({ description: 'Add the Kafka metadata (`topic`, `partition`, `offset`, `timestamp`, `key`, `headers`) to each record, under `metadataField`.' }),
    metadataField: z.string().regex(/^[A-Za-z_$][\w$]*$/).default('kafka').meta({ description: 'Field that receives the Kafka metadata.' }),
    eventTime: eventTime().optional(),
    fields: declaredFields(),
    commitInterval: duration('How often read positions are committed (after the records before them are written).', { timer: true }).default('5s'),
    maxBuffered: z.number().int().positive().default(20_000).meta({ description: 'Records fetched ahead of the pipeline before fetching pauses.' }),
    fetchThread: z
      .enum(['off', 'fetch', 'parse'])
      .default('fetch')
      .meta({
        description:
          'Where the Kafka client runs. `fetch`: on a thread of its own, which fetches, decodes the protocol and hands over each poll\'s bytes in one transferred buffer; JSON values are parsed on the pipeline\'s thread. `parse`: that thread also parses JSON values and hands over the objects (structured clone). `off`: everything on the pipeline\'s thread. Records, errors, offsets and checkpoints are the same either way; `npm run bench -- kafka` compares them. If the thread cannot start (its script missing or not loadable, as in a packaging without worker support), the client runs on the pipeline\'s thread and a warning naming the node says why.',
      }),
    isolationLevel: z
      .enum(['read_committed', 'read_uncommitted'])
      .default('read_committed')
      .meta({ description: '`read_committed`: records of transactions still open or aborted are skipped (what an exactly-once `sink.kafka` writes becomes visible when its checkpoint completes). `read_uncommitted`: every record as soon as it is written.' }),
  }).superRefine((p, ctx) => {
    if ((p.startFrom === 'timestamp') !== (p.startTimestamp !== undefined)) {
      ctx.addIssue({ code: 'custom', message: p.startFrom === 'timestamp' ? "startFrom 'timestamp' needs 'startTimestamp'" : "startTimestamp applies only with startFrom 'timestamp'", path: ['startTimestamp'] });
    }
  }),
  inputs: [],
  outputs: [{ name: 'out', doc: 'One record per Kafka record.' }, ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'clear',
  outputFields: ({ params, port }) => {
    if (port !== 'out') return UNKNOWN;
    const meta: FieldInfo[] = params.metadata ? [{ name: params.metadataField, type: 'object', doc: 'Kafka metadata: topic, partition, offset, timestamp, key, headers.' }] : [];
    if (params.format === 'string') return closedSet([{ name: 'value', type: 'string', doc: 'The value as UTF-8 text.' }, ...meta]);
    // JSON values carry whatever the producer wrote: known only once sampled and remembered.
    return params.fields ? closedSet([...params.fields.map((name: string) => ({ name, doc: 'sampled from the topic' })), ...meta]) : UNKNOWN;
  },
  flinkExport: true,
  fields: [
    { name: 'value', type: 'string', doc: 'With `format: string`: the value as UTF-8 text. (With `format: json` the record is the value\'s JSON object, its fields whatever the producer wrote.)' },
    { name: 'kafka.topic', type: 'string', doc: 'Topic the record was read from (under `metadataField`, `kafka` by default).' },
    { name: 'kafka.partition', type: 'number', doc: 'Partition of the record.' },
    { name: 'kafka.offset', type: 'number', doc: 'Offset of the record in its partition.' },
    { name: 'kafka.timestamp', type: 'number', doc: 'The record\'s Kafka timestamp, epoch ms.' },
    { name: 'kafka.key', type: 'string | null', doc: 'The record key as UTF-8 text, or null.' },
    { name: 'kafka.headers', type: 'object', doc: 'Header name → value as UTF-8 text (the last value when a name repeats); `{}` when none.' },
  ],
  example: { brokers: '${KAFKA_BROKERS:-127.0.0.1:9092}', topic: 'clicks', groupId: 'clickstream-demo', startFrom: 'committed', format: 'json', eventTime: { field: 'ts', maxOutOfOrderness: '5s', idleTimeout: '30s' } },
});
