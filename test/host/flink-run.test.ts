// "Run on Flink…" in the host, against a real two-process local Flink session cluster: the host
// builds and submits the job, follows its state, and maps Flink's REST answers (vertices, operator
// metrics, watermarks) back to node figures; checked against what the cluster itself reports.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as httpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown, clusterUp } from '../../runtime/cli/flink-cluster.js';
import { flinkJobJar } from '../../runtime/flink/build.js';
import { metricName } from '../../runtime/flink/figures.js';
import type { FlinkAttachResult, HostEvents, NodeFigures } from '../../runtime/host/contract.js';
import { FlinkJobStore } from '../../runtime/host/flink-jobs.js';
import { Workspace } from '../../runtime/host/workspace.js';
import { serveStudio } from '../../runtime/host/ws-server.js';
import { GrantedPaths } from '../../electron/files.js';
import { HostRelay } from '../../electron/host-relay.js';
import type { TrustGate } from '../../electron/trust-gate.js';
import type { HostSupervisor } from '../../runtime/host/host-supervisor.js';
import type { HostClient } from '../../runtime/host/rpc.js';
import type { StudioServer } from '../../runtime/host/ws-server.js';
import { connect, scratchStudio, waitFor } from '../support/studio.js';
import type WebSocket from 'ws';

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

describe('Run on Flink, found again', () => {
  // A studio whose hosts come and go: each connection is a host thread of its own (a reloaded page
  // gets a new one), and the whole studio is restarted on the same workspace and state folder.
  const root = mkdtempSync(join(tmpdir(), 'tributary-flink-again-'));
  const trustFile = join(root, 'state', 'trusted.json');
  const records = new FlinkJobStore(join(root, 'state', 'flink-jobs'));
  const origin = { kind: 'file', path: 'again.json' } as const;
  let studio: StudioServer | null = null;
  const start = async () => {
    await studio?.close();
    studio = await serveStudio({ workspace: new Workspace(root), staticDir: root, version: 'test', trustFile });
    return studio;
  };
  const open = async (): Promise<{ client: HostClient; ws: WebSocket }> => connect(studio!);
  const key = (path: string) => `file:${join(root, path)}`;
  const jobState = async (jobId: string) => ((await (await fetch(`${url}/jobs/${jobId}`)).json()) as { state: string }).state;

  afterAll(async () => {
    await studio?.close();
  });

  it('a reloaded page and a restarted host follow the running job again (state, figures, web UI link, Cancel); a job ended since is said once', async () => {
    writeFileSync(join(root, 'again.json'), JSON.stringify(doc(), null, 2));
    await start();
    const first = await open();
    const running = waitFor<HostEvents['job']>(first.client, 'job', (j) => j.flink?.state === 'RUNNING', 90_000);
    const r = await first.client.call('flinkRun', { doc: doc(), origin, jobmanager: url });
    if (!r.ok) throw new Error(JSON.stringify(r));
    await running;
    expect(await records.get(key('again.json'))).toMatchObject({ jobId: r.jobId, cluster: url });

    // The page reloads: its host thread goes, the new one finds the job and follows it under a run id of its own.
    first.ws.close();
    const second = await open();
    const relay = new HostRelay({ call: (m: never, p: never) => second.client.call(m, p) } as unknown as HostSupervisor, {} as TrustGate, new GrantedPaths());
    const figures = waitFor<HostEvents['metrics']>(second.client, 'metrics', (m) => (m.nodes.find((n) => n.id === 'clicks')?.recordsOut ?? 0) > 0, 60_000);
    const again = await relay.flinkAttach({ origin });
    expect(again).toMatchObject({ status: 'following', job: { jobId: r.jobId, state: 'RUNNING', cluster: url, webUi: `${url}/#/job/running/${r.jobId}/overview` } });
    const runId = (again as FlinkAttachResult & { status: 'following' }).runId;
    expect((await figures).runId).toBe(runId);
    // The desktop app's page reloads without its host process: the host still follows the job and says so again.
    const announced = waitFor<HostEvents['job']>(second.client, 'job', (j) => j.runId === runId && j.flink?.jobId === r.jobId, 10_000);
    expect(await second.client.call('flinkAttach', { origin })).toMatchObject({ status: 'following', runId, job: { jobId: r.jobId } });
    await announced;
    // The desktop app may open the found job's pages, as those of a job submitted from the window.
    expect(relay.opensExternally(`${url}/#/job/completed/${r.jobId}/overview`)).toBe(true);
    expect(relay.opensExternally(`${url}/#/job/running/${'f'.repeat(32)}/overview`)).toBe(false);

    // The host restarts (nothing of it kept in memory): the record beside the trust store leads back to the job.
    await start();
    const third = await open();
    const found = await third.client.call('flinkAttach', { origin });
    expect(found).toMatchObject({ status: 'following', job: { jobId: r.jobId, state: 'RUNNING' } });
    const stopped = waitFor<HostEvents['job']>(third.client, 'job', (j) => j.state !== 'running', 60_000);
    expect(await third.client.call('flinkStop', { savepoint: false })).toEqual({ stopping: true });
    expect(await stopped).toMatchObject({ state: 'stopped', flink: { jobId: r.jobId, state: 'CANCELED' } });
    expect(await jobState(r.jobId)).toBe('CANCELED');
    // Its end was said while followed: forgotten.
    await expect.poll(() => records.get(key('again.json'))).toBeNull();
    expect(await third.client.call('flinkAttach', { origin })).toEqual({ status: 'none' });

    // Cancelled while no editor was open (from Flink's web UI, say): the next open says so, once.
    const running2 = waitFor<HostEvents['job']>(third.client, 'job', (j) => j.flink?.state === 'RUNNING', 90_000);
    const r2 = await third.client.call('flinkRun', { doc: doc(), origin, jobmanager: url });
    if (!r2.ok) throw new Error(JSON.stringify(r2));
    await running2;
    await studio!.close();
    studio = null;
    await fetch(`${url}/jobs/${r2.jobId}?mode=cancel`, { method: 'PATCH' });
    await expect.poll(() => jobState(r2.jobId), { timeout: 30_000 }).toBe('CANCELED');
    await start();
    const fourth = await open();
    const ended = await fourth.client.call('flinkAttach', { origin });
    expect(ended).toMatchObject({ status: 'ended', job: { jobId: r2.jobId, state: 'CANCELED', webUi: `${url}/#/job/completed/${r2.jobId}/overview` } });
    expect((ended as { message: string }).message).toMatch(new RegExp(`^the Flink job ${r2.jobId} submitted from this pipeline at .* UTC has since been cancelled$`));
    expect(await fourth.client.call('flinkAttach', { origin })).toEqual({ status: 'none' });
  }, 240_000);

  it('a job the cluster no longer knows, a cluster that does not answer and one that redirects are said plainly; nothing is followed', async () => {
    await start();
    const { client } = await open();
    const at = Date.UTC(2026, 0, 2, 3, 4);
    const record = (path: string, cluster: string) => ({ pipeline: key(path), jobId: 'a'.repeat(32), cluster, submittedAt: at, nodes: [], edges: [] });
    for (const p of ['gone.json', 'silent.json', 'moved.json', 'odd.json']) writeFileSync(join(root, p), JSON.stringify(doc()));

    await records.put(record('gone.json', url));
    const gone = await client.call('flinkAttach', { origin: { kind: 'file', path: 'gone.json' } });
    expect(gone).toMatchObject({ status: 'gone', job: { jobId: 'a'.repeat(32), state: 'UNKNOWN' } });
    expect((gone as { message: string }).message).toBe(`the Flink cluster at ${url} no longer knows the Flink job ${'a'.repeat(32)} submitted from this pipeline at 2026-01-02 03:04 UTC: it ended and has left the cluster's job history, or the cluster was restarted`);
    expect(await records.get(key('gone.json'))).toBeNull();

    const silent = `http://127.0.0.1:${await freePort()}`;
    await records.put(record('silent.json', silent));
    for (let i = 0; i < 2; i++) {
      // Asked again at every open: the cluster may come back.
      const r = await client.call('flinkAttach', { origin: { kind: 'file', path: 'silent.json' } });
      expect(r).toMatchObject({ status: 'unreachable', job: { cluster: silent, state: 'UNKNOWN' } });
      expect((r as { message: string }).message).toMatch(new RegExp(`^the Flink cluster at ${silent} does not answer \\(.*\\); the Flink job a{32} submitted from this pipeline at 2026-01-02 03:04 UTC may still be running there$`));
    }

    // A redirect is refused as for a submission, and nothing reaches its target.
    const hits: string[] = [];
    const elsewhere = httpServer((req, res) => (hits.push(req.url ?? ''), res.end('{"state":"RUNNING","duration":1}'))).listen(0, '127.0.0.1');
    await new Promise((r) => elsewhere.once('listening', r));
    const to = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}`;
    const redirecting = httpServer((req, res) => res.writeHead(307, { location: `${to}${req.url}` }).end()).listen(0, '127.0.0.1');
    await new Promise((r) => redirecting.once('listening', r));
    try {
      await records.put(record('moved.json', `http://127.0.0.1:${(redirecting.address() as { port: number }).port}`));
      const moved = await client.call('flinkAttach', { origin: { kind: 'file', path: 'moved.json' } });
      expect(moved).toMatchObject({ status: 'unreachable', message: expect.stringContaining('redirect') });
      expect(hits).toEqual([]);
    } finally {
      redirecting.close();
      elsewhere.close();
    }

    // A record that is not one the host writes (an address it would not have submitted to) is no record.
    await expect(records.put(record('odd.json', 'file:///etc'))).rejects.toThrow();
    const file = join(root, 'state', 'flink-jobs', `${createHash('sha256').update(key('odd.json')).digest('hex').slice(0, 32)}.json`);
    for (const bad of [record('odd.json', 'file:///etc'), record('odd.json', `${url}/`), record('odd.json', url.replace('http://', 'http://u:p@')), { ...record('odd.json', url), jobId: '../../x' }, record('gone.json', url)]) {
      writeFileSync(file, JSON.stringify(bad));
      expect(await client.call('flinkAttach', { origin: { kind: 'file', path: 'odd.json' } })).toEqual({ status: 'none' });
    }
    // Untitled documents have no job to find.
    expect(await client.call('flinkAttach', { origin: { kind: 'new' } })).toEqual({ status: 'none' });
  });
});
