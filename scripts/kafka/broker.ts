// A single-node Apache Kafka in KRaft mode from the official jars on Maven Central, for tests,
// benchmarks and `npm run kafka:up`. Maven resolves the jars into ~/.m2 (fetched once, then
// reused); the broker runs in a plain `java` process bound to 127.0.0.1, with a PLAINTEXT
// listener, a SASL one (PLAIN and SCRAM-SHA-256/512; user `tributary`, password `tributary-secret`) and, when openssl is
// there to make a self-signed certificate, a TLS one, for the authentication and encryption
// tests. A broker already answering on the port is reused, never replaced.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** scripts/kafka/ in the source tree, also when this file runs compiled from dist/. */
const POM_DIR = existsSync(join(HERE, 'pom.xml')) ? HERE : join(HERE, '..', '..', '..', 'scripts', 'kafka');

export const SASL_USER = 'tributary';
export const SASL_PASSWORD = 'tributary-secret';

export interface BrokerOptions {
  /** host:port of the PLAINTEXT listener; the controller is port + 1, SASL/PLAIN port + 2, TLS port + 3. */
  readonly address: string;
  /** Folder for storage, logs and the pid file. */
  readonly dir: string;
  /** Detach the broker so it outlives this process (`kafka:up`). */
  readonly detached?: boolean;
  readonly log?: (line: string) => void;
}

export interface RunningBroker {
  readonly address: string;
  readonly saslAddress: string;
  /** The TLS listener (port + 3) and the certificate that clients should trust; null without openssl. */
  readonly tlsAddress: string | null;
  readonly caFile: string | null;
  readonly pid: number;
  stop(): Promise<void>;
}

function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(':');
  return { host: host || '127.0.0.1', port: Number(port) || 9092 };
}

/** True when something accepts TCP connections at `address` within `ms`. */
export function answers(address: string, ms = 1000): Promise<boolean> {
  const { host, port } = hostPort(address);
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(ms, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A 127.0.0.1 address whose port and the three after it (controller, SASL, TLS) are free, for a
 * broker of a test or benchmark run's own: parallel runs on one machine never share (or stop)
 * each other's broker.
 */
export async function freeBrokerAddress(): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all([0, 1, 2, 3].map((k) => portFree(base + k)));
    if (free.every(Boolean)) return `127.0.0.1:${base}`;
  }
  throw new Error('kafka: found no four free consecutive ports on 127.0.0.1');
}

/** The broker's classpath, resolved by Maven once per pom.xml version and cached beside ~/.m2. */
export function kafkaClasspath(log: (l: string) => void = () => {}): string {
  const pom = join(POM_DIR, 'pom.xml');
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 12);
  const cacheDir = join(homedir(), '.m2', 'tributary');
  const file = join(cacheDir, `kafka-classpath-${hash}.txt`);
  if (existsSync(file)) {
    const cp = readFileSync(file, 'utf8').trim();
    if (cp.split(':').every((jar) => existsSync(jar))) return cp;
  }
  log('kafka: resolving the broker jars with Maven (first time only)…');
  mkdirSync(cacheDir, { recursive: true });
  execFileSync('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${file}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  return readFileSync(file, 'utf8').trim();
}

function serverProperties(address: string, dir: string, tls: string | null): string {
  const { host, port } = hostPort(address);
  const ssl = tls === null ? '' : `,SSL://${host}:${port + 3}`;
  return `# Written by scripts/kafka/broker.ts: single-node KRaft broker for local runs.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${host}:${port + 1}
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${port + 1},SASL_PLAINTEXT://${host}:${port + 2}${ssl}
advertised.listeners=PLAINTEXT://${host}:${port},SASL_PLAINTEXT://${host}:${port + 2}${ssl}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL
${tls === null ? '' : `listener.name.ssl.ssl.keystore.type=PEM\nlistener.name.ssl.ssl.keystore.location=${tls}\n`}sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${SASL_USER}="${SASL_PASSWORD}";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=${join(dir, 'data')}
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=24
log.segment.bytes=268435456
`;
}

/**
 * A self-signed certificate for 127.0.0.1 (openssl), for the broker's TLS listener: `key.pem`
 * plus `cert.pem` (what clients trust) and `broker.pem` (key and certificate, Kafka's PEM
 * keystore). Null when openssl is not installed: the broker then runs without TLS.
 */
function makeCertificate(dir: string, host: string): string | null {
  const tls = join(dir, 'tls');
  if (existsSync(join(tls, 'broker.pem'))) return join(tls, 'broker.pem');
  mkdirSync(tls, { recursive: true });
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', `/CN=${host}`, '-addext', `subjectAltName=IP:${host},DNS:localhost`,
      '-keyout', join(tls, 'key.pem'), '-out', join(tls, 'cert.pem')], { stdio: 'pipe' });
  } catch {
    return null;
  }
  writeFileSync(join(tls, 'broker.pem'), readFileSync(join(tls, 'key.pem'), 'utf8') + readFileSync(join(tls, 'cert.pem'), 'utf8'));
  return join(tls, 'broker.pem');
}

const JVM_OPTS = ['-Xms512m', '-Xmx1g', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', '-Xshare:auto'];

/** Format the storage (first start only) and start the broker; resolves once it accepts clients. */
export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
  const log = opts.log ?? (() => {});
  const cp = kafkaClasspath(log);
  mkdirSync(opts.dir, { recursive: true });
  const props = join(opts.dir, 'server.properties');
  const tls = makeCertificate(opts.dir, hostPort(opts.address).host);
  writeFileSync(props, serverProperties(opts.address, opts.dir, tls));
  if (!existsSync(join(opts.dir, 'data', 'meta.properties'))) {
    // The SCRAM credentials go into the metadata log at format time (KRaft has no ZooKeeper to hold them).
    const scram = ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${SASL_USER},password=${SASL_PASSWORD}]`]);
    // `--cluster-id=…` in one argument: a random id may begin with '-', which would read as an option.
    try {
      execFileSync('java', [...JVM_OPTS.slice(2), '-cp', cp, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId()}`, '-c', props, ...scram], { stdio: 'pipe' });
    } catch (err) {
      const why = String((err as { stderr?: Buffer }).stderr ?? err).split('\n').filter((l) => !l.startsWith('SLF4J')).join('\n');
      throw new Error(`kafka: formatting the storage in ${opts.dir} failed:\n${why}`);
    }
  }
  const out = openSync(join(opts.dir, 'broker.log'), 'a');
  const child: ChildProcess = spawn('java', [...JVM_OPTS, '-cp', cp, 'kafka.Kafka', props], {
    stdio: ['ignore', out, out],
    detached: opts.detached ?? false,
  });
  if (opts.detached) child.unref();
  const pid = child.pid!;
  writeFileSync(join(opts.dir, 'broker.pid'), String(pid));
  let exited = false;
  child.once('exit', () => (exited = true));
  const { host, port } = hostPort(opts.address);
  const saslAddress = `${host}:${port + 2}`;
  const deadline = Date.now() + 60_000;
  while (!(await answers(opts.address, 500)) || !(await answers(saslAddress, 500))) {
    if (exited) throw new Error(`kafka: the broker exited at start; see ${join(opts.dir, 'broker.log')}`);
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      throw new Error(`kafka: the broker did not start within 60 s; see ${join(opts.dir, 'broker.log')}`);
    }
    await sleep(200);
  }
  const tlsAddress = tls === null ? null : `${host}:${port + 3}`;
  if (tlsAddress !== null) {
    while (!(await answers(tlsAddress, 500)) && Date.now() < deadline) await sleep(200);
  }
  return { address: opts.address, saslAddress, tlsAddress, caFile: tls === null ? null : join(opts.dir, 'tls', 'cert.pem'), pid, stop: () => stopPid(pid, opts.dir) };
}

/**
 * A broker at `address`: the one already answering there, else one started in `dir` (tests,
 * benchmarks). `stop()` stops only a broker this call started.
 */
export async function ensureBroker(address: string, dir: string, log?: (line: string) => void): Promise<{ started: RunningBroker | null; stop(): Promise<void> }> {
  if (await answers(address)) return { started: null, stop: async () => {} };
  const t0 = Date.now();
  const b = await startBroker({ address, dir, log });
  log?.(`kafka: started a broker at ${address} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { started: b, stop: () => b.stop() };
}

/** Stop the broker whose pid file is in `dir` (a broker someone else started is left alone). */
export async function stopBrokerIn(dir: string): Promise<boolean> {
  const pidFile = join(dir, 'broker.pid');
  if (!existsSync(pidFile)) return false;
  await stopPid(Number(readFileSync(pidFile, 'utf8')), dir);
  return true;
}

async function stopPid(pid: number, dir: string): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) process.kill(pid, 'SIGKILL');
  rmSync(join(dir, 'broker.pid'), { force: true });
}

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (as `kafka-storage random-uuid`). */
function clusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
