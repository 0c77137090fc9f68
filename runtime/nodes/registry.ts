// Every node type the runtime knows, by its spec. Isomorphic: the editor's palette, forms and the
// docs generator read this list; operators live beside each spec and are looked up in operators.ts.
import { broadcastSpec } from './broadcast/spec.js';
import { cepSpec } from './cep/spec.js';
import { connectSpec } from './connect/spec.js';
import { filterSpec } from './filter/spec.js';
import { flatMapSpec } from './flat-map/spec.js';
import { inferSpec } from './infer/spec.js';
import { joinIntervalSpec } from './join-interval/spec.js';
import { joinWindowSpec } from './join-window/spec.js';
import { keyBySpec } from './key-by/spec.js';
import { lookupRedisSpec } from './lookup-redis/spec.js';
import { mapSpec } from './map/spec.js';
import { processSpec } from './process/spec.js';
import { sinkConsoleSpec } from './sink-console/spec.js';
import { sinkEmailSpec } from './sink-email/spec.js';
import { sinkFileSpec } from './sink-file/spec.js';
import { sinkHttpSpec } from './sink-http/spec.js';
import { sinkKafkaSpec } from './sink-kafka/spec.js';
import { sinkRedisSpec } from './sink-redis/spec.js';
import { sourceFileSpec } from './source-file/spec.js';
import { sourceGeneratorSpec } from './source-generator/spec.js';
import { sourceKafkaSpec } from './source-kafka/spec.js';
import type { NodeSpec } from './spec.js';
import { unionSpec } from './union/spec.js';
import { windowSpec } from './window/spec.js';

export const NODE_SPECS: readonly NodeSpec[] = [
  sourceGeneratorSpec,
  sourceFileSpec,
  sourceKafkaSpec,
  filterSpec,
  mapSpec,
  flatMapSpec,
  keyBySpec,
  lookupRedisSpec,
  processSpec,
  unionSpec,
  joinIntervalSpec,
  joinWindowSpec,
  broadcastSpec,
  connectSpec,
  windowSpec,
  cepSpec,
  inferSpec,
  sinkFileSpec,
  sinkKafkaSpec,
  sinkRedisSpec,
  sinkHttpSpec,
  sinkEmailSpec,
  sinkConsoleSpec,
];

export type Registry = ReadonlyMap<string, NodeSpec>;

export function makeRegistry(specs: readonly NodeSpec[]): Registry {
  return new Map(specs.map((s) => [s.type, s]));
}

export const REGISTRY: Registry = makeRegistry(NODE_SPECS);
