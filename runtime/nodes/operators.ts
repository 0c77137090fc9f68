// Node type → operator factory. Node-only (operators do I/O); the editor never imports this.
import type { OperatorFactory } from '../engine/factory.js';
import { createBroadcast } from './broadcast/operator.js';
import { createCep } from './cep/operator.js';
import { createConnect } from './connect/operator.js';
import { createFilter } from './filter/operator.js';
import { createFlatMap } from './flat-map/operator.js';
import { createInfer } from './infer/operator.js';
import { createJoinInterval } from './join-interval/operator.js';
import { createJoinWindow } from './join-window/operator.js';
import { createKeyBy } from './key-by/operator.js';
import { createRedisLookup } from './lookup-redis/operator.js';
import { createMap } from './map/operator.js';
import { createProcess } from './process/operator.js';
import { createConsoleSink } from './sink-console/operator.js';
import { createEmailSink } from './sink-email/operator.js';
import { createFileSink } from './sink-file/operator.js';
import { createHttpSink } from './sink-http/operator.js';
import { createKafkaSink } from './sink-kafka/operator.js';
import { createRedisSink } from './sink-redis/operator.js';
import { createFileSource } from './source-file/operator.js';
import { createGenerator } from './source-generator/operator.js';
import { createKafkaSource } from './source-kafka/operator.js';
import { createUnion } from './union/operator.js';
import { createWindow } from './window/operator.js';

export const OPERATORS: Readonly<Record<string, OperatorFactory>> = {
  'source.generator': createGenerator,
  'source.file': createFileSource,
  'source.kafka': createKafkaSource,
  filter: createFilter,
  map: createMap,
  flatMap: createFlatMap,
  keyBy: createKeyBy,
  'lookup.redis': createRedisLookup,
  process: createProcess,
  union: createUnion,
  'join.interval': createJoinInterval,
  'join.window': createJoinWindow,
  broadcast: createBroadcast,
  connect: createConnect,
  window: createWindow,
  cep: createCep,
  infer: createInfer,
  'sink.file': createFileSink,
  'sink.kafka': createKafkaSink,
  'sink.redis': createRedisSink,
  'sink.http': createHttpSink,
  'sink.email': createEmailSink,
  'sink.console': createConsoleSink,
};
