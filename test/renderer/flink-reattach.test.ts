// Opening a document finds the Flink job last submitted from it (runtime/host/flink-jobs.ts): here
// the store against a real host whose record names a cluster that does not answer. The canvas
// says so plainly, shows no live job (no Cancel), and asks again at the next open. Following a
// running job again is tested against a real cluster in test/host/flink-run.test.ts and test/e2e/flink.spec.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createEditorStore } from '../../renderer/src/store/store.js';
import { flinkJobLive } from '../../renderer/src/store/flink-slice.js';
import { FlinkJobStore } from '../../runtime/host/flink-jobs.js';
import { createClient } from '../../runtime/host/rpc.js';
import { serveHost } from '../../runtime/host/runtime-host.js';
import { TrustStore } from '../../runtime/host/trust.js';
import { Workspace } from '../../runtime/host/workspace.js';
import { channelPair } from '../support/memory-channel.js';
import { slowJobManager } from '../support/slow-jobmanager.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const until = async (cond: () => boolean, ms = 8000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

it('a document whose Flink cluster does not answer says so on open, shows no live job, and asks again next time', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-reattach-'));
  const state = join(root, 'state');
  const [a, b, close] = channelPair();
  const host = serveHost(b, { workspace: new Workspace(root), version: 'test', trustStore: new TrustStore(join(state, 'trusted.json')) });
  closers.push(() => {
    host.dispose();
    close();
  });
  const store = createEditorStore({ host: createClient(a), validateDelayMs: 0 });
  const s = () => store.getState();
  const doc = { format: 'tributary.pipeline/v1', name: 'p', nodes: [{ id: 'g', type: 'source.generator', params: {} }, { id: 'o', type: 'sink.console', params: {} }], edges: [{ from: 'g', to: 'o' }] };
  for (const f of ['p.json', 'other.json']) writeFileSync(join(root, f), JSON.stringify(doc));
  const cluster = `http://127.0.0.1:${await freePort()}`;
  const jobId = 'c'.repeat(32);
  await new FlinkJobStore(join(state, 'flink-jobs')).put({ pipeline: `file:${join(root, 'p.json')}`, jobId, cluster, submittedAt: Date.UTC(2026, 5, 1, 12, 0), nodes: [], edges: [] });

  for (let i = 0; i < 2; i++) {
    expect(await s().openFile('p.json')).toBe(true);
    await until(() => s().flinkJob !== null);
    expect(s().flinkJob).toEqual({ jobId, state: 'UNKNOWN', cluster, webUi: `${cluster}/#/job/running/${jobId}/overview` });
    expect(flinkJobLive(s().flinkJob)).toBe(false);
    expect(s().runStatus).toBe('idle');
    expect(s().notice).toMatchObject({ kind: 'error', text: expect.stringMatching(new RegExp(`^the Flink cluster at ${cluster} does not answer \\(.*\\); the Flink job c{32} submitted from this pipeline at 2026-06-01 12:00 UTC may still be running there$`)) });
    // Another document has no job: the previous one's goes from the status bar.
    expect(await s().openFile('other.json')).toBe(true);
    await until(() => s().flinkJob === null);
  }
});

it("opening another document whose job still runs shows that job, even when the previous job's state changed meanwhile", async () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-reattach-switch-'));
  const state = join(root, 'state');
  const [a, b, close] = channelPair();
  const host = serveHost(b, { workspace: new Workspace(root), version: 'test', trustStore: new TrustStore(join(state, 'trusted.json')) });
  closers.push(() => {
    host.dispose();
    close();
  });
  const [jmA, jmB] = [await slowJobManager(), await slowJobManager()];
  closers.push(jmA.close, jmB.close);
  const store = createEditorStore({ host: createClient(a), validateDelayMs: 0 });
  const s = () => store.getState();
  const doc = { format: 'tributary.pipeline/v1', name: 'p', nodes: [{ id: 'g', type: 'source.generator', params: {} }, { id: 'o', type: 'sink.console', params: {} }], edges: [{ from: 'g', to: 'o' }] };
  const records = new FlinkJobStore(join(state, 'flink-jobs'));
  const [jobA, jobB] = ['a'.repeat(32), 'b'.repeat(32)];
  for (const [file, jobId, jm] of [['a.json', jobA, jmA], ['b.json', jobB, jmB]] as const) {
    writeFileSync(join(root, file), JSON.stringify(doc));
    jm.jobs.set(jobId, 'RUNNING');
    await records.put({ pipeline: `file:${join(root, file)}`, jobId, cluster: jm.url, submittedAt: 0, nodes: [], edges: [] });
  }

  expect(await s().openFile('a.json')).toBe(true);
  await until(() => s().flinkJob?.jobId === jobA && s().runStatus === 'running');
  const runA = s().runId;

  // b.json opens; before its cluster answers, a.json's job (still followed) changes state and the
  // page takes that event as its run again.
  jmB.hold();
  expect(await s().openFile('b.json')).toBe(true);
  await until(() => jmB.held() === 1);
  expect(s().runId).toBe(null);
  jmA.jobs.set(jobA, 'RESTARTING');
  await until(() => s().runId === runA);
  jmB.release();
  await until(() => s().notice?.text.includes(jobB) === true);
  expect(s().flinkJob).toMatchObject({ jobId: jobB, state: 'RUNNING' });
  expect(s().runId).not.toBe(runA);
  expect(s().runStatus).toBe('running');
  // Cancel ends the job on the canvas.
  await s().stopFlink(false);
  expect(jmB.cancelled).toEqual([jobB]);
  expect(jmA.cancelled).toEqual([]);
});
