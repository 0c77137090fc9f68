// flinkAttach against documents opened in quick succession: the host follows the job of the
// document opened last, even when the earlier document's cluster answers later, so Cancel ends
// the job the canvas shows.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
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

it('an attach whose cluster answers after a later one does not take the followed job from it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-attach-race-'));
  const state = join(root, 'state');
  const [a, b, close] = channelPair();
  const host = serveHost(b, { workspace: new Workspace(root), version: 'test', trustStore: new TrustStore(join(state, 'trusted.json')) });
  closers.push(() => {
    host.dispose();
    close();
  });
  const client = createClient(a);
  const [slow, fast] = [await slowJobManager(), await slowJobManager()];
  closers.push(slow.close, fast.close);
  const records = new FlinkJobStore(join(state, 'flink-jobs'));
  const doc = { format: 'tributary.pipeline/v1', name: 'p', nodes: [], edges: [] };
  const [jobA, jobB] = ['a'.repeat(32), 'b'.repeat(32)];
  for (const [file, jobId, jm] of [['a.json', jobA, slow], ['b.json', jobB, fast]] as const) {
    writeFileSync(join(root, file), JSON.stringify(doc));
    jm.jobs.set(jobId, 'RUNNING');
    await records.put({ pipeline: `file:${join(root, file)}`, jobId, cluster: jm.url, submittedAt: 0, nodes: [], edges: [] });
  }

  // a.json opens, its cluster is slow to answer; b.json opens meanwhile and its job is followed.
  slow.hold();
  const first = client.call('flinkAttach', { origin: { kind: 'file', path: 'a.json' } });
  await expect.poll(() => slow.held()).toBe(1);
  expect(await client.call('flinkAttach', { origin: { kind: 'file', path: 'b.json' } })).toMatchObject({ status: 'following', job: { jobId: jobB } });
  slow.release();
  expect(await first).toEqual({ status: 'none' });

  // The host still follows b.json's job: Cancel ends it, not a.json's.
  expect(await client.call('flinkStop', { savepoint: false })).toEqual({ stopping: true });
  expect(fast.cancelled).toEqual([jobB]);
  expect(slow.cancelled).toEqual([]);
});
