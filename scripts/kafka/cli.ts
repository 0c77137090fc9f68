// `npm run kafka:up` / `npm run kafka:down`: a local single-node Kafka for trying the Kafka
// pipelines. Its data lives in .tributary/kafka/ and survives restarts until `kafka:down -- --wipe`.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { answers, startBroker, stopBrokerIn } from './broker.js';

const address = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!;
const dir = join(process.cwd(), '.tributary', 'kafka');

async function main(): Promise<void> {
  const [cmd, flag] = process.argv.slice(2);
  if (cmd === 'up') {
    if (await answers(address)) {
      process.stdout.write(`kafka: a broker already answers at ${address}\n`);
      return;
    }
    const b = await startBroker({ address, dir, detached: true, log: (l) => process.stdout.write(`${l}\n`) });
    const tls = b.tlsAddress === null ? '' : `, TLS at ${b.tlsAddress} with certificate ${b.caFile}`;
    process.stdout.write(`kafka: broker up at ${b.address} (SASL (PLAIN, SCRAM) at ${b.saslAddress}${tls}), pid ${b.pid}, data in ${dir}\n`);
  } else if (cmd === 'down') {
    const stopped = await stopBrokerIn(dir);
    if (flag === '--wipe') rmSync(dir, { recursive: true, force: true });
    process.stdout.write(stopped ? 'kafka: broker stopped\n' : 'kafka: no broker started by kafka:up is running\n');
  } else {
    process.stderr.write('usage: kafka:up | kafka:down [--wipe]\n');
    process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
