// "Run on Flink…" in the host, against a real two-process local Flink session cluster: the host
// builds and submits the job, follows its state, and maps Flink's REST answers (vertices, operator
// metrics, watermarks) back to node figures; checked against what the cluster itself reports.
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer as httpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown, clusterUp } from '../../runtime/cli/flink-cluster.js';
import { flinkJobJar } from '../../runtime/flink/build.js';
import { metricName } from '../../runtime/flink/figures.js';
import type { HostEvents, NodeFigures } from '../../runtime/host/contract.js';
import { GrantedPaths } from '../../electron/files.js';
import { HostRelay } from '../../electron/host-relay.js';
import type { TrustGate } from '../../electron/trust-gate.js';
import type { HostSupervisor } from '../../runtime/host/host-supervisor.js';
import type { HostClient } from '../../runtime/host/rpc.js';
import type { StudioServer } from '../../runtime/host/ws-server.js';
import { connect, scratchStudio, waitFor } from '../support/studio.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

// Source and filter chain into one task; keyBy makes the window a second vertex (parallelism 2);
// the file sink runs at parallelism 1, a third.
const doc = (time?: 'processing') => ({
  format: 'tributary.pipeline/v1',
  name: 'flink-figures',
  settings: { parallelism: 2 },
  nodes: [
    { id: 'clicks', type: 'source.generator', label: 'Clicks', params: { rate: 2000, seed: 3, users: 50 } },
    { id: 'carts', type: 'filter', label: 'Cart adds', params: { condition: "eventType == 'ADD_TO_CART'" } },
    { id: 'byUser', type: 'keyBy', label: 'By user', params: { key: 'userId' } },
    { id: 'perSecond', type: 'window', label: 'Per second', params: { assigner: { kind: 'tumbling', size: '1s' }, aggregates: { n: { fn: 'count' } }, ...(time ? { time } : {}) } },
    { id: 'out', type: 'sink.file', label: 'Counts', params: { path: 'out/counts.jsonl' } },
  ],
  edges: [
    { from: 'clicks', to: 'carts' },
    { from: 'carts', to: 'byUser' },
    { from: 'byUser', to: 'perSecond' },
    { from: 'perSecond', to: 'out' },
  ],
});

const clusterDir = mkdtempSync(join(tmpdir(), 'tributary-flink-host-'));
let url = '';
let server: StudioServer;
let client: HostClient;

beforeAll(async () => {
  flinkJobJar(); // built once per machine
  ({ url } = await clusterUp({ dir: clusterDir, port: await freePort(), slots: 4 }));
  ({ server } = await scratchStudio());
  ({ client } = await connect(server));
}, 900_000);

afterAll(async () => {
  await server?.close();
  await clusterDown(clusterDir);
}, 60_000);

async function jobs(): Promise<number> {
  return ((await (await fetch(`${url}/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
}

describe('Run on Flink, host side', () => {
  it('names the nodes that cannot run on Flink and submits nothing; refuses a non-http address', async () => {
    const before = await jobs();
    const r = await client.call('flinkRun', { doc: doc('processing'), origin: { kind: 'new' }, jobmanager: url });
    expect(r).toMatchObject({ ok: false, reason: 'notOnFlink', problems: [{ nodeId: 'perSecond', reason: expect.stringContaining('processing-time windows') }] });
    const bad = await client.call('flinkRun', { doc: doc(), origin: { kind: 'new' }, jobmanager: 'file:///etc/passwd' });
    expect(bad).toMatchObject({ ok: false, reason: 'failed', message: expect.stringContaining('only http:// and https://') });
    expect(await jobs()).toBe(before);
  });

  it('contacts only the address given: a redirect elsewhere is refused, and nothing reaches its target', async () => {
    const hits: string[] = [];
    const elsewhere = httpServer((req, res) => (hits.push(req.url ?? ''), res.end('{}'))).listen(0, '127.0.0.1');
    await new Promise((r) => elsewhere.once('listening', r));
    const to = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}`;
    const redirecting = httpServer((req, res) => res.writeHead(307, { location: `${to}${req.url}` }).end()).listen(0, '127.0.0.1');
    await new Promise((r) => redirecting.once('listening', r));
    try {
      const r = await client.call('flinkRun', { doc: doc(), origin: { kind: 'new' }, jobmanager: `http://127.0.0.1:${(redirecting.address() as { port: number }).port}` });
      expect(r).toMatchObject({ ok: false, reason: 'failed', message: expect.stringContaining('redirect') });
      expect(hits).toEqual([]);
    } finally {
      redirecting.close();
      elsewhere.close();
    }
  });

  it('submits the job, follows its state and maps vertices and operator metrics to node figures; Cancel ends it', async () => {
    const metrics: HostEvents['metrics'][] = [];
    const states: string[] = [];
    const offM = client.on('metrics', (m) => metrics.push(m));
    const offJ = client.on('job', (j) => j.flink && states.push(j.flink.state));
    // Submitted through the desktop app's relay (here in front of the same host): the window may then
    // open this job's Flink web UI pages in the browser, and no other page.
    const relay = new HostRelay({ call: (m: never, p: never) => client.call(m, p) } as unknown as HostSupervisor, {} as TrustGate, new GrantedPaths());
    const r = await relay.flinkRun({ doc: doc(), origin: { kind: 'new' }, jobmanager: `${url}/` });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.webUi).toBe(`${url}/#/job/running/${r.jobId}/overview`);
    expect(relay.opensExternally(r.webUi)).toBe(true);
    expect(relay.opensExternally(`${url}/#/job/completed/${r.jobId}/overview`)).toBe(true);
    expect(relay.opensExternally(`${url}/#/job/running/${'f'.repeat(32)}/overview`)).toBe(false);
    expect(relay.opensExternally(`${url}/#/overview`)).toBe(false);
    expect(relay.opensExternally(r.webUi.replace('127.0.0.1', 'localhost'))).toBe(false);
    // Wait until every node has figures with records through it (Flink fetches operator metrics every 2 s here).
    const full = await waitFor<HostEvents['metrics']>(client, 'metrics', (m) => m.nodes.length === 5 && m.nodes.every((n) => n.recordsIn + n.recordsOut > 0), 90_000);
    const by = Object.fromEntries(full.nodes.map((n) => [n.id, n])) as Record<string, NodeFigures>;
    expect(states).toContain('RUNNING');

    // Vertices and chains, as Flink's own job details say.
    const job = (await (await fetch(`${url}/jobs/${r.jobId}`)).json()) as { vertices: { id: string; name: string; parallelism: number }[] };
    // The generator runs at parallelism 1 on its own; filter and keyBy chain with the window's
    // input check (a helper operator of the window node); the window and the sink's writer follow.
    const vertexOf = (name: string) => job.vertices.find((v) => v.name === name)!.id;
    expect(job.vertices.map((v) => [v.name, v.parallelism])).toEqual([
      ['Source: Clicks', 1],
      ['Cart adds -> By user -> Per second (check)', 2],
      ['Per second', 2],
      ['Counts: Writer', 1],
    ]);
    expect(by.clicks!.flink).toMatchObject({ vertexId: vertexOf('Source: Clicks'), parallelism: 1, chain: ['clicks'] });
    const chained = { vertexId: vertexOf('Cart adds -> By user -> Per second (check)'), parallelism: 2, chain: ['carts', 'byUser', 'perSecond'] };
    expect(by.carts!.flink).toMatchObject(chained);
    expect(by.byUser!.flink).toMatchObject(chained);
    expect(by.perSecond!.flink).toMatchObject({ vertexId: vertexOf('Per second'), parallelism: 2, chain: ['perSecond'] });
    expect(by.out!.flink).toMatchObject({ vertexId: vertexOf('Counts: Writer'), parallelism: 1, chain: ['out'] });
    for (const n of full.nodes) expect(n.flink!.busy).toBeGreaterThanOrEqual(0);

    // Records: each figure is its own operator's, summed over subtasks. Counters keep rising
    // between the figures and our own question, so the cluster's answer comes later and is no smaller.
    const ask = async (vid: string, op: string, m: string) => {
      const a = (await (await fetch(`${url}/jobs/${r.jobId}/vertices/${vid}/subtasks/metrics?get=${op}.${m}&agg=sum`)).json()) as { sum: number }[];
      return a[0]!.sum;
    };
    const srcName = 'Source__Clicks';
    expect(metricName('Source: Clicks')).toBe(srcName);
    const srcNow = await ask(by.clicks!.flink!.vertexId, srcName, 'numRecordsOut');
    expect(by.clicks!.recordsOut).toBeGreaterThan(0);
    expect(srcNow).toBeGreaterThanOrEqual(by.clicks!.recordsOut);
    expect(await ask(by.perSecond!.flink!.vertexId, 'Per_second', 'numRecordsIn')).toBeGreaterThanOrEqual(by.perSecond!.recordsIn);
    // The filter keeps only cart adds: fewer out than in, and the window gets what the chain sends on.
    expect(by.carts!.recordsIn).toBeGreaterThan(by.carts!.recordsOut);
    expect(by.carts!.recordsOut).toBeGreaterThan(0);
    expect(by.out!.recordsIn).toBeGreaterThan(0);
    expect(by.out!.recordsOut).toBe(0);
    // Rates are Flink's own meters (numRecordsOutPerSecond), which Flink updates every few seconds.
    const rated = await waitFor<HostEvents['metrics']>(client, 'metrics', (m) => (m.nodes.find((n) => n.id === 'clicks')?.rateOut ?? 0) > 0, 30_000);
    const srcRate = rated.nodes.find((n) => n.id === 'clicks')!.rateOut;
    expect(srcRate).toBeLessThan(2100); // the generator's 2000/s
    expect(rated.throughput).toBe(srcRate);
    expect(full.edges.find((e) => e.id === 'clicks.out->carts.in')).toEqual({ id: 'clicks.out->carts.in', records: by.clicks!.recordsOut, rate: by.clicks!.rateOut });
    // Watermarks: the generator's event time (2026 onwards), the window's behind or at its source's.
    const wm = (n: NodeFigures) => n.watermark as number;
    expect(wm(by.clicks!)).toBeGreaterThan(Date.UTC(2026, 0, 1) - 1);
    expect(wm(by.perSecond!)).toBeGreaterThan(Date.UTC(2026, 0, 1) - 1);

    const stopped = waitFor<HostEvents['job']>(client, 'job', (j) => j.state !== 'running', 60_000);
    expect(await client.call('flinkStop', { savepoint: false })).toEqual({ stopping: true });
    const end = await stopped;
    expect(end).toMatchObject({ state: 'stopped', flink: { jobId: r.jobId, state: 'CANCELED', webUi: `${url}/#/job/completed/${r.jobId}/overview` } });
    expect(((await (await fetch(`${url}/jobs/${r.jobId}`)).json()) as { state: string }).state).toBe('CANCELED');
    // One run at a time, here or there: the host is free again.
    expect(await client.call('flinkStop', { savepoint: false })).toEqual({ stopping: false });
    offM();
    offJ();
    expect(metrics.every((m) => m.runId === r.runId)).toBe(true);
  });

  it('Stop with savepoint: the savepoint lands in the cluster\'s state.savepoints.dir and the job finishes', async () => {
    const r = await client.call('flinkRun', { doc: doc(), origin: { kind: 'new' }, jobmanager: url });
    if (!r.ok) throw new Error(JSON.stringify(r));
    await waitFor<HostEvents['job']>(client, 'job', (j) => j.runId === r.runId && j.flink?.state === 'RUNNING', 90_000);
    // Every task must be running before Flink takes a savepoint: wait for records at the sink.
    await waitFor<HostEvents['metrics']>(client, 'metrics', (m) => (m.nodes.find((n) => n.id === 'out')?.recordsIn ?? 0) > 0, 90_000);
    const ended = waitFor<HostEvents['job']>(client, 'job', (j) => j.runId === r.runId && j.state !== 'running', 120_000);
    const stop = await client.call('flinkStop', { savepoint: true });
    expect(stop.stopping).toBe(true);
    expect(stop.savepoint).toContain(join(clusterDir, 'savepoints'));
    expect(existsSync(new URL(stop.savepoint!).pathname)).toBe(true);
    expect(await ended).toMatchObject({ state: 'finished', flink: { jobId: r.jobId, state: 'FINISHED' } });
  });
});
