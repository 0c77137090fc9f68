// Which Kafka client the nodes use. Each role defaults to the client that was faster at it on
// `npm run bench -- kafka` and passes every integration test: kafkajs reads about 2.5× faster
// than @platformatic/kafka's message stream, and @platformatic/kafka produces about 2× faster
// than kafkajs. TRIBUTARY_KAFKA_CLIENT=kafkajs|platformatic makes one client do both (the
// integration tests run under each).
import { kafkajsDriver } from './kafkajs-driver.js';
import { platformaticDriver } from './platformatic-driver.js';
import type { KafkaDriver, KafkaDriverName } from './types.js';

export const DEFAULT_KAFKA_CLIENTS: Readonly<Record<'reader' | 'writer', KafkaDriverName>> = { reader: 'kafkajs', writer: 'platformatic' };

const DRIVERS: Readonly<Record<KafkaDriverName, KafkaDriver>> = { kafkajs: kafkajsDriver, platformatic: platformaticDriver };

export function driverNamed(name: string): KafkaDriver {
  const d = DRIVERS[name as KafkaDriverName];
  if (!d) throw new Error(`unknown Kafka client '${name}' (TRIBUTARY_KAFKA_CLIENT): use kafkajs or platformatic`);
  return d;
}

/** The client for reading (source.kafka) or writing (sink.kafka). */
export function kafkaDriver(role: 'reader' | 'writer'): KafkaDriver {
  return driverNamed(process.env.TRIBUTARY_KAFKA_CLIENT || DEFAULT_KAFKA_CLIENTS[role]);
}
