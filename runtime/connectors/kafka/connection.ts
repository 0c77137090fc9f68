// From a node's connection params to a KafkaConnection: environment references resolved, TLS
// files read, and failures to reach the cluster reported with the node's id.
import { readFile } from 'node:fs/promises';
import { NodeError, errorMessage } from '../../engine/errors.js';
import { resolveEnv } from '../env.js';
import type { KafkaAdmin, KafkaConnection, KafkaDriver } from './types.js';

/** The connection params of source.kafka and sink.kafka, as parsed. */
export interface KafkaConnectionParams {
  brokers: string | readonly string[];
  clientId?: string | undefined;
  ssl?: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined; rejectUnauthorized: boolean } | undefined;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
}

export async function kafkaConnection(p: KafkaConnectionParams, nodeId: string, resolvePath: (p: string) => string): Promise<KafkaConnection> {
  // Each entry may itself be comma-separated (an environment variable holding a whole list).
  const entries = typeof p.brokers === 'string' ? [['brokers', p.brokers] as const] : p.brokers.map((b, i) => [`brokers.${i}`, b] as const);
  const brokers = entries.flatMap(([param, b]) =>
    resolveEnv(b, nodeId, param)
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
  if (brokers.length === 0) throw new NodeError(nodeId, 'brokers: no broker address given');
  let tls: KafkaConnection['tls'] = null;
  const o = p.ssl;
  if (o !== undefined) {
    const file = async (name: 'ca' | 'cert' | 'key') => {
      const path = o[name];
      if (path === undefined) return undefined;
      try {
        return await readFile(resolvePath(path), 'utf8');
      } catch (err) {
        throw new NodeError(nodeId, `ssl.${name}: cannot read ${path}: ${errorMessage(err)}`);
      }
    };
    tls = { ca: await file('ca'), cert: await file('cert'), key: await file('key'), rejectUnauthorized: o.rejectUnauthorized };
  }
  const sasl = p.sasl
    ? { mechanism: p.sasl.mechanism, username: resolveEnv(p.sasl.username, nodeId, 'sasl.username'), password: resolveEnv(p.sasl.password, nodeId, 'sasl.password') }
    : null;
  return { brokers, clientId: p.clientId ?? `tributary-${nodeId}`, tls, sasl, connectTimeout: 5000 };
}

/** Wrap a client failure at start in a message that names the node and the brokers. */
export function unreachable(nodeId: string, conn: KafkaConnection, err: unknown): NodeError {
  if (err instanceof NodeError) return err;
  const why = errorMessage(err) || (err instanceof AggregateError ? err.errors.map(errorMessage).join('; ') : 'unknown error');
  return new NodeError(nodeId, `cannot reach Kafka at ${conn.brokers.join(',')}: ${why}`, { cause: err });
}

export async function openAdmin(driver: KafkaDriver, conn: KafkaConnection, nodeId: string): Promise<KafkaAdmin> {
  try {
    return await driver.admin(conn);
  } catch (err) {
    throw unreachable(nodeId, conn, err);
  }
}
