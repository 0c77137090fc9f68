// Vitest global setup: the real servers the connector tests talk to. Kafka: reuse a broker that
// answers at KAFKA_BROKERS, else start a single-node KRaft broker from the official jars (scripts/
// kafka/broker.ts) in a scratch folder (on free ports when KAFKA_BROKERS is unset) and stop it
// when the run ends. Redis: the server at
// REDIS_URL (default redis://127.0.0.1:6379), started if it is down and left running, as on
// every machine of this project. Workers inherit the resulting environment.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers, ensureBroker, freeBrokerAddress } from '../../scripts/kafka/broker.js';

async function ensureRedis(url: string): Promise<void> {
  const u = new URL(url);
  const address = `${u.hostname}:${u.port || 6379}`;
  if (await answers(address)) return;
  const r = spawnSync('redis-server', ['--daemonize', 'yes', '--bind', u.hostname, '--port', u.port || '6379', '--save', '', '--appendonly', 'no'], { stdio: 'inherit' });
  if (r.error || r.status !== 0) throw new Error(`Redis is down at ${url} and redis-server could not be started: ${r.error?.message ?? `exit ${r.status}`}`);
  for (let i = 0; i < 50 && !(await answers(address)); i++) await new Promise((res) => setTimeout(res, 100));
  if (!(await answers(address))) throw new Error(`redis-server started but nothing answers at ${address}`);
}

export default async function setup(): Promise<() => Promise<void>> {
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  await ensureRedis(process.env.REDIS_URL);

  // KAFKA_BROKERS set: use that broker (started if none answers). Unset: a broker of this run's
  // own on free ports, so test runs in parallel on one machine never stop each other's broker.
  process.env.KAFKA_BROKERS ??= await freeBrokerAddress();
  const address = process.env.KAFKA_BROKERS.split(',')[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-kafka-'));
  const broker = await ensureBroker(address, dir, (l) => process.stderr.write(`${l}\n`));
  // The project's broker also listens for SASL/PLAIN two ports up, and for TLS three up with the
  // certificate in its folder (ours, or the one `npm run kafka:up` keeps in .tributary/kafka).
  const [host, port] = address.split(':');
  const sasl = `${host}:${Number(port) + 2}`;
  if (await answers(sasl)) process.env.KAFKA_SASL_BROKERS ??= sasl;
  const ca = broker.started?.caFile ?? join(process.cwd(), '.tributary', 'kafka', 'tls', 'cert.pem');
  const tls = `${host}:${Number(port) + 3}`;
  if (existsSync(ca) && (await answers(tls))) {
    process.env.KAFKA_TLS_BROKERS ??= tls;
    process.env.KAFKA_TLS_CA ??= ca;
  }
  return async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
