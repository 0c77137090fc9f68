// Prometheus text for a running job (prom-client). Served on 127.0.0.1 only, and only to a
// caller holding the per-launch token, like every local server Tributary starts.
import { createServer, type Server } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { CheckpointStats } from '../engine/checkpoint/coordinator.js';
import { type ModelFigures, type NodeMetrics, RateSampler } from '../engine/metrics.js';

export function metricsRegistry(nodes: () => readonly NodeMetrics[], checkpoints: () => CheckpointStats | null = () => null): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tributary_' });
  const labelNames = ['node', 'type'] as const;
  // Operators keep plain counters; each scrape copies them into prom-client metrics.
  const perNode = (kind: typeof Counter | typeof Gauge, name: string, help: string, read: (m: NodeMetrics, i: number) => number) =>
    new kind({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        nodes().forEach((m, i) => {
          const labels = { node: m.nodeId, type: m.type };
          if (this instanceof Counter) this.inc(labels, read(m, i));
          else (this as Gauge).set(labels, read(m, i));
        });
      },
    });
  let rates: number[] = [];
  const sampler = new RateSampler();
  perNode(Counter, 'tributary_node_records_in_total', 'Records received by the node.', (m) => m.recordsIn);
  perNode(Counter, 'tributary_node_records_out_total', 'Records emitted by the node on its main output.', (m) => m.recordsOut);
  perNode(Counter, 'tributary_node_errors_total', 'Records the node could not process.', (m) => m.errors);
  perNode(Counter, 'tributary_node_late_records_total', 'Records behind the watermark sent to the late port or, without an edge, dropped (Flink numLateRecordsDropped).', (m) => m.late);
  perNode(Gauge, 'tributary_node_watermark_milliseconds', 'Current watermark of the node, epoch ms (-Inf before the first).', (m) => m.watermark);
  perNode(Gauge, 'tributary_node_state_keys', "Keys held in the node's keyed state.", (m) => m.stateSize().keys);
  perNode(Gauge, 'tributary_node_state_bytes', "Approximate bytes of the node's keyed state.", (m) => m.stateSize().bytes);
  new Gauge({
    name: 'tributary_node_partial_matches',
    help: 'Partial matches alive in a pattern (cep) node, across its keys.',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const m of nodes()) {
        const n = m.stateSize().partialMatches;
        if (n !== undefined) this.set({ node: m.nodeId, type: m.type }, n);
      }
    },
  });
  // Two-input nodes (joins, broadcast) hold state for each input port apart.
  for (const [what, pick] of [['keys', (x: { keys: number }) => x.keys], ['bytes', (x: { bytes: number }) => x.bytes]] as const) {
    new Gauge({
      name: `tributary_node_input_state_${what}`,
      help: `${what === 'keys' ? 'Keys' : 'Approximate bytes'} of state a two-input node holds for one input port.`,
      labelNames: [...labelNames, 'input'],
      registers: [registry],
      collect() {
        this.reset();
        for (const m of nodes()) {
          const inputs = m.stateSize().inputs;
          if (inputs !== undefined) for (const [input, size] of Object.entries(inputs)) this.set({ node: m.nodeId, type: m.type, input }, pick(size));
        }
      },
    });
  }
  // Model nodes (infer) only: one scrape reads each node's figures once.
  const model = (name: string, help: string, kind: typeof Counter | typeof Gauge, read: (f: ModelFigures) => number | null) =>
    new kind({
      name,
      help,
      labelNames: [...labelNames, 'version'],
      registers: [registry],
      collect() {
        this.reset();
        for (const m of nodes()) {
          if (m.model === null) continue;
          const f = m.model();
          const v = read(f);
          if (v === null) continue;
          const labels = { node: m.nodeId, type: m.type, version: f.version ?? '' };
          if (this instanceof Counter) this.inc(labels, v);
          else (this as Gauge).set(labels, v);
        }
      },
    });
  model('tributary_model_latency_p50_milliseconds', 'Median latency of a model call (ONNX run or HTTP request, retries included), recent calls.', Gauge, (f) => f.latencyP50);
  model('tributary_model_latency_p99_milliseconds', '99th percentile latency of a model call, recent calls.', Gauge, (f) => f.latencyP99);
  model('tributary_model_requests_in_flight', 'Model calls in flight.', Gauge, (f) => f.inFlight);
  model('tributary_model_batch_size', 'Records in the latest model call.', Gauge, (f) => f.batchSize);
  model('tributary_model_timeouts_total', 'Records that timed out waiting for the model.', Counter, (f) => f.timeouts);
  model('tributary_model_retries_total', 'Retried model requests.', Counter, (f) => f.retries);
  model('tributary_model_cache_hit_ratio', 'Share of cache lookups that hit (nodes with a cache).', Gauge, (f) => f.cacheHitRate);
  model('tributary_model_reloads_total', 'Model files reloaded (hot reload).', Counter, (f) => f.reloads);
  model('tributary_model_reload_failures_total', 'Model files that failed to load; the previous model kept serving.', Counter, (f) => f.reloadFailures);
  perNode(Gauge, 'tributary_node_records_per_second', 'Records per second through the node since the previous scrape.', (_m, i) => {
    if (i === 0) rates = sampler.sample(nodes()).map((s) => s.rate);
    return rates[i] ?? 0;
  });
  checkpointMetrics(registry, checkpoints);
  return registry;
}

/** Flink's checkpoint metrics, under Flink's names (Checkpointing section of Flink's metrics docs). */
function checkpointMetrics(registry: Registry, stats: () => CheckpointStats | null): void {
  const gauge = (name: string, help: string, read: (s: CheckpointStats) => number | null) =>
    new Gauge({
      name: `tributary_job_${name}`,
      help,
      registers: [registry],
      collect() {
        const s = stats();
        const v = s ? read(s) : null;
        // As Flink's checkpoint gauges (CheckpointStatsTracker): -1 until a checkpoint has completed.
        this.set(v ?? -1);
      },
    });
  gauge('lastCheckpointDuration', 'Time the last completed checkpoint took, ms (Flink lastCheckpointDuration).', (s) => s.lastDuration);
  gauge('lastCheckpointSize', 'Bytes of the last completed checkpoint (Flink lastCheckpointSize).', (s) => s.lastSize);
  gauge('numberOfCompletedCheckpoints', 'Checkpoints and savepoints completed in this run (Flink numberOfCompletedCheckpoints).', (s) => s.completed);
  gauge('numberOfFailedCheckpoints', 'Checkpoints that failed in this run (Flink numberOfFailedCheckpoints).', (s) => s.failed);
}

export interface MetricsServer {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function serveMetrics(registry: Registry, port: number, token = randomBytes(16).toString('hex')): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('token');
    if (url.pathname !== '/metrics') {
      res.writeHead(404).end('not found\n');
      return;
    }
    if (!tokenMatches(bearer, token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('token required\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.unref();
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://127.0.0.1:${actual}/metrics`,
    token,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
