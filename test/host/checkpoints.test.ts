// Checkpoints as the editor sees them, through the host's real WebSocket transport: a saved file
// checkpoints beside itself, the figures carry the last checkpoint and the latest failure, Stop
// can take a savepoint, the file then offers it, and the next run resumes from it (or starts over).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEvents } from '../../runtime/host/contract.js';
import type { HostClient } from '../../runtime/host/rpc.js';
import type { StudioServer } from '../../runtime/host/ws-server.js';
import { connect, scratchStudio, waitFor } from '../support/studio.js';

const pipeline = (interval: string) => ({
  format: 'tributary.pipeline/v1',
  name: 'counts',
  settings: { checkpoint: { interval } },
  nodes: [
    { id: 'clicks', type: 'source.generator', params: { rate: 2000, seed: 5, users: 1_000_000 } },
    { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
    { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '1h' }, aggregates: { n: { fn: 'count' } } } },
    { id: 'out', type: 'sink.file', params: { path: 'out/counts.jsonl' } },
  ],
  edges: [
    { from: 'clicks', to: 'byUser' },
    { from: 'byUser', to: 'win' },
    { from: 'win', to: 'out' },
  ],
});

let server: StudioServer;
let root: string;
let client: HostClient;

beforeAll(async () => {
  ({ server, root } = await scratchStudio());
  ({ client } = await connect(server));
});
afterAll(async () => {
  await server.close();
});

const ended = (runId: number) => waitFor<HostEvents['job']>(client, 'job', (j) => j.runId === runId && j.state !== 'running', 30_000);
const withCheckpoint = (runId: number, pred: (c: NonNullable<HostEvents['metrics']['checkpoints']>) => boolean) =>
  waitFor<HostEvents['metrics']>(client, 'metrics', (m) => m.runId === runId && m.checkpoints !== undefined && pred(m.checkpoints), 30_000);

describe('checkpoints in the editor', () => {
  it('a saved file checkpoints; Stop with savepoint saves it; the file offers it; the next run resumes from it; Start over does not', async () => {
    mkdirSync(join(root, 'jobs'), { recursive: true });
    writeFileSync(join(root, 'jobs', 'counts.json'), JSON.stringify(pipeline('300ms'), null, 2));
    const origin = { kind: 'file', path: 'jobs/counts.json' } as const;
    expect(await client.call('checkpoints', { origin })).toEqual({ newest: null });

    const first = await client.call('run', { doc: pipeline('300ms'), origin });
    if (!first.ok) throw new Error(JSON.stringify(first));
    expect(first.checkpoints).toEqual({ resumedFrom: null, interval: 300 });
    const m = await withCheckpoint(first.runId, (c) => c.completed >= 2);
    const c = m.checkpoints!;
    expect(c.lastKind).toBe('checkpoint');
    expect(c.lastSize).toBeGreaterThan(100);
    expect(c.lastDuration).toBeGreaterThanOrEqual(0);
    expect(Date.now() - c.lastAt!).toBeLessThan(15_000);
    expect(c.failed).toBe(0);
    expect(c.lastFailure).toBeNull();

    // One key per record or so: the window holds a few thousand once the savepoint is taken.
    const before = await waitFor<HostEvents['metrics']>(client, 'metrics', (x) => x.runId === first.runId && x.nodes.find((n) => n.id === 'win')!.stateKeys >= 2000, 30_000);
    const keysBefore = before.nodes.find((n) => n.id === 'win')!.stateKeys;
    const done = ended(first.runId);
    const stop = await client.call('stop', { savepoint: true });
    expect(stop.stopping).toBe(true);
    expect(stop.savepoint).toMatchObject({ kind: 'savepoint', path: expect.stringMatching(/^jobs\/\.tributary\/checkpoints\/counts\/savepoint-\d+\.ckpt$/) });
    expect(stop.savepoint!.bytes).toBeGreaterThan(100);
    expect(existsSync(join(root, stop.savepoint!.path))).toBe(true);
    expect((await done).state).toBe('stopped');

    // Opening the file again: the savepoint is the newest, and a run resumes from it.
    const { newest } = await client.call('checkpoints', { origin });
    expect(newest).toMatchObject({ kind: 'savepoint', id: stop.savepoint!.id, path: stop.savepoint!.path, bytes: stop.savepoint!.bytes });
    const second = await client.call('run', { doc: pipeline('300ms'), origin });
    if (!second.ok) throw new Error(JSON.stringify(second));
    expect(second.checkpoints?.resumedFrom).toMatchObject({ kind: 'savepoint', id: stop.savepoint!.id });
    // The window's keys come back from the savepoint (at least those seen before Stop).
    const restored = await waitFor<HostEvents['metrics']>(client, 'metrics', (x) => x.runId === second.runId);
    expect(restored.nodes.find((n) => n.id === 'win')!.stateKeys).toBeGreaterThanOrEqual(keysBefore);
    // Ids keep rising across runs, so the newest is always the one to resume.
    const later = await withCheckpoint(second.runId, (x) => x.completed >= 1);
    expect(later.checkpoints!.lastId).toBeGreaterThan(stop.savepoint!.id);
    const done2 = ended(second.runId);
    expect(await client.call('stop', {})).toEqual({ stopping: true });
    await done2;

    const third = await client.call('run', { doc: pipeline('300ms'), origin, fresh: true });
    if (!third.ok) throw new Error(JSON.stringify(third));
    expect(third.checkpoints?.resumedFrom).toBeNull();
    const fresh = await waitFor<HostEvents['metrics']>(client, 'metrics', (x) => x.runId === third.runId);
    expect(fresh.nodes.find((n) => n.id === 'win')!.stateKeys).toBeLessThan(keysBefore);
    const done3 = ended(third.runId);
    await client.call('stop', {});
    await done3;
  });

  it('a checkpoint that cannot be written is counted and its reason shown; the run carries on', async () => {
    writeFileSync(join(root, 'failing.json'), JSON.stringify(pipeline('200ms'), null, 2));
    const origin = { kind: 'file', path: 'failing.json' } as const;
    const r = await client.call('run', { doc: pipeline('200ms'), origin, fresh: true });
    if (!r.ok) throw new Error(JSON.stringify(r));
    await withCheckpoint(r.runId, (c) => c.completed >= 1);
    // The folder becomes a file: the next checkpoint cannot be written there.
    const dir = join(root, '.tributary', 'checkpoints', 'failing');
    // (Moved aside rather than removed: a checkpoint may be writing into it right now.)
    for (let i = 0; ; i++) {
      try {
        renameSync(dir, `${dir}.${i}.gone`);
      } catch {
        /* a checkpoint just made it again, or it is gone */
      }
      try {
        writeFileSync(dir, 'not a folder', { flag: 'wx' });
        break;
      } catch (err) {
        if (i > 20) throw err;
      }
    }
    const failed = await withCheckpoint(r.runId, (c) => c.failed >= 1 && c.lastFailure !== null);
    expect(failed.checkpoints!.lastFailure).toMatch(/EEXIST|ENOTDIR|not a directory|file already exists/i);
    const running = await waitFor<HostEvents['metrics']>(client, 'metrics', (x) => x.runId === r.runId && x.throughput > 0);
    expect(running.throughput).toBeGreaterThan(0);
    const done = ended(r.runId);
    await client.call('stop', {});
    expect((await done).state).toBe('stopped');
    rmSync(dir, { force: true });
  });

  it('untitled documents and templates do not checkpoint, and offer nothing', async () => {
    expect(await client.call('checkpoints', { origin: { kind: 'new' } })).toEqual({ newest: null });
    expect(await client.call('checkpoints', { origin: { kind: 'template', name: 'x.json' } })).toEqual({ newest: null });
    const r = await client.call('run', { doc: pipeline('200ms'), origin: { kind: 'new' } });
    expect(r).toEqual({ ok: true, runId: expect.any(Number) });
    if (!r.ok) return;
    const m = await waitFor<HostEvents['metrics']>(client, 'metrics', (x) => x.runId === r.runId);
    expect(m.checkpoints).toBeUndefined();
    const done = ended(r.runId);
    // Stop with savepoint where nothing checkpoints: a plain stop.
    expect(await client.call('stop', { savepoint: true })).toEqual({ stopping: true });
    await done;
  });

  it('a file outside the workspace, or in a hidden folder, is refused, not listed; the calls take no extra or mistyped params', async () => {
    await expect(client.call('checkpoints', { origin: { kind: 'file', path: '../elsewhere.json' } })).rejects.toThrow(/inside/);
    await expect(client.call('checkpoints', { origin: { kind: 'file', path: '/etc/x.json' } })).rejects.toThrow(/workspace/);
    mkdirSync(join(root, '.git'), { recursive: true });
    writeFileSync(join(root, '.git', 'x.json'), JSON.stringify(pipeline('1s')));
    await expect(client.call('checkpoints', { origin: { kind: 'file', path: '.git/x.json' } })).rejects.toThrow(/hidden/);
    await expect(client.call('checkpoints', { origin: { kind: 'file', path: 'x.json' }, dir: '/tmp' } as never)).rejects.toThrow();
    await expect(client.call('stop', { savepoint: 'yes' } as never)).rejects.toThrow();
    await expect(client.call('run', { doc: pipeline('1s'), origin: { kind: 'new' }, fresh: 1 } as never)).rejects.toThrow();
  });

  it('resuming a checkpoint written for an edited pipeline fails naming the nodes, points at Start over, and offers nothing it cannot do', async () => {
    writeFileSync(join(root, 'edited.json'), JSON.stringify(pipeline('300ms'), null, 2));
    const origin = { kind: 'file', path: 'edited.json' } as const;
    const r = await client.call('run', { doc: pipeline('300ms'), origin, fresh: true });
    if (!r.ok) throw new Error(JSON.stringify(r));
    await withCheckpoint(r.runId, (c) => c.completed >= 1);
    const done = ended(r.runId);
    expect((await client.call('stop', { savepoint: true })).savepoint).toBeDefined();
    await done;
    // The window node renamed: its state has no place.
    const edited = pipeline('300ms');
    edited.nodes[2]!.id = 'win2';
    edited.edges[1]!.to = 'win2';
    edited.edges[2]!.from = 'win2';
    const refused = await client.call('run', { doc: edited, origin });
    expect(refused).toMatchObject({ ok: false, reason: 'failed', nodeId: null });
    if (refused.ok || refused.reason !== 'failed') return;
    expect(refused.message).toMatch(/^cannot resume: the newest checkpoint holds state for 'win', which this pipeline no longer has/);
    expect(refused.message).toMatch(/Start over runs it from the beginning/);
    // The editor has no such option to rerun with, nor a --fresh flag: it is not told to use them.
    expect(refused.message).not.toMatch(/rerun with|--fresh/);
    const over = await client.call('run', { doc: edited, origin, fresh: true });
    if (!over.ok) throw new Error(JSON.stringify(over));
    const done2 = ended(over.runId);
    await client.call('stop', {});
    await done2;
  });

  it('a checkpoint folder that is a symbolic link out of the pipeline folder is neither offered nor written', async () => {
    // A checkpoint elsewhere on the machine, reached through a link a cloned project carries.
    const outside = mkdtempSync(join(tmpdir(), 'ckpt-outside-'));
    const source = join(root, '.tributary', 'checkpoints', 'edited');
    const saved = readdirSync(source).find((f) => f.startsWith('savepoint-'))!;
    mkdirSync(join(outside, 'checkpoints', 'linked'), { recursive: true });
    copyFileSync(join(source, saved), join(outside, 'checkpoints', 'linked', saved));
    mkdirSync(join(root, 'cloned'));
    symlinkSync(outside, join(root, 'cloned', '.tributary'));
    writeFileSync(join(root, 'cloned', 'linked.json'), JSON.stringify(pipeline('200ms'), null, 2));
    const origin = { kind: 'file', path: 'cloned/linked.json' } as const;
    expect(await client.call('checkpoints', { origin })).toEqual({ newest: null });
    const r = await client.call('run', { doc: pipeline('200ms'), origin });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.checkpoints).toBeUndefined();
    expect(r.notes?.join('\n')).toMatch(/checkpoints off for this run: .*symbolic link/);
    await new Promise((res) => setTimeout(res, 800)); // past a few checkpoint intervals
    const done = ended(r.runId);
    await client.call('stop', { savepoint: true });
    await done;
    expect(readdirSync(join(outside, 'checkpoints', 'linked'))).toEqual([saved]);
    rmSync(outside, { recursive: true, force: true });
  });
});
