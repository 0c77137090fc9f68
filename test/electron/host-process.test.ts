// The runtime host in its own process (a worker thread standing in for Electron's utilityProcess,
// running the app's real host entry over a MessagePort): a crashing or stuck pipeline is reported,
// the host restarts, the editor keeps its unsaved document, and the window never waits on it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GrantedPaths } from '../../electron/files.js';
import { HostRelay } from '../../electron/host-relay.js';
import { HostSupervisor } from '../../runtime/host/host-supervisor.js';
import { TrustGate } from '../../electron/trust-gate.js';
import type { PortLike } from '../../runtime/host/port-channel.js';
import { TrustStore } from '../../runtime/host/trust.js';
import type { EditorStore } from '../../renderer/src/store/store.js';
import { scratchDir, until } from './support/fakes.js';
import { codeDoc, type Harness, harnesses } from './support/harness.js';
import { waitFor } from '../support/studio.js';
import type { HostEvents } from '../../runtime/host/contract.js';

const make = harnesses();

/** The user's own new document (so no trust question), with edits not yet saved. */
function unsavedWork(h: Harness, code: string): EditorStore {
  const store = h.attachPage();
  store.getState().openText(JSON.stringify(codeDoc(code)), { kind: 'new' });
  store.getState().setLabel('fn', 'my unsaved label');
  return store;
}

const ended = (store: EditorStore) => () => !['starting', 'running'].includes(store.getState().runStatus);

describe('the runtime host process', () => {
  it('serves the contract from its own process over a MessagePort', async () => {
    const h = make();
    const info = await h.client.call('hello', {});
    expect(info).toEqual({ version: 'test', root: h.dir, initial: null });
    expect(h.launched).toHaveLength(1);
    expect(h.launched[0]!.threadId).not.toBe(0);
  });

  it('a pipeline that crashes the process: the run fails with a clear message, the host restarts, the document is intact', async () => {
    const h = make();
    const store = unsavedWork(h, 'process.exit(3);');
    await store.getState().run();
    await until(ended(store), 'the run to end');
    expect(store.getState().runStatus).toBe('failed');
    expect(store.getState().runError?.message).toMatch(/stopped unexpectedly \(exit code 3\) and was restarted/);
    expect(h.win.webContents.statuses()).toContainEqual({ state: 'crashed', message: expect.stringMatching(/exit code 3/), restarting: true });
    expect(store.getState().dirty).toBe(true);
    expect(store.getState().doc.nodes.find((n) => n.id === 'fn')?.label).toBe('my unsaved label');

    // The same window runs the next pipeline on the restarted host.
    await until(() => h.launched.length === 2, 'the restart');
    store.getState().setParam('fn', ['code'], 'ctx.emit(event);');
    await store.getState().run();
    await until(ended(store), 'the second run');
    expect(store.getState().runStatus).toBe('finished');
  });

  it('Stop on a pipeline stuck in its own code ends the host process after the grace period', async () => {
    const h = make();
    const store = unsavedWork(h, 'while (true) {}');
    await store.getState().run();
    await until(() => store.getState().runStatus === 'running', 'the run to start');
    await new Promise((r) => setTimeout(r, 300)); // the first records reach the loop
    // The host is busy for good: the page is not, and neither is the main process.
    const t0 = Date.now();
    await store.getState().stop();
    await until(ended(store), 'the stop', 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(store.getState().runStatus).toBe('failed');
    expect(store.getState().runError?.message).toMatch(/did not stop within 1.5 s; the runtime was restarted/);
    await until(() => h.launched.length === 2, 'the restart');
    expect((await h.client.call('validate', { doc: store.getState().doc })).problems).toEqual([]);
  });

  it('Stop with savepoint on a pipeline stuck in its own code is bounded: the host is ended after the savepoint timeout', async () => {
    const h = make({ deps: { supervisor: { restartDelayMs: 20, savepointTimeoutMs: 2000 } } });
    const store = unsavedWork(h, 'while (true) {}');
    await store.getState().run();
    await until(() => store.getState().runStatus === 'running', 'the run to start');
    await new Promise((r) => setTimeout(r, 300)); // the first records reach the loop
    const t0 = Date.now();
    // The savepoint never starts (the host is busy for good); without the bound this waits for ever.
    const stopped = store.getState().stopWithSavepoint();
    await until(ended(store), 'the stop', 10_000);
    await stopped;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(store.getState().savingPoint).toBe(false);
    expect(store.getState().runStatus).toBe('failed');
    expect(store.getState().runError?.message).toMatch(/savepoint was not taken within 2 s, so the pipeline was ended without it .*the runtime was restarted/);
    await until(() => h.launched.length === 2, 'the restart');
  });

  it('the desktop app checkpoints a saved file, stops it with a savepoint and offers it; the relay refuses what it must', async () => {
    const h = make();
    const doc = { format: 'tributary.pipeline/v1', name: 'counts', settings: { checkpoint: { interval: '300ms' } }, nodes: [
      { id: 'clicks', type: 'source.generator', params: { rate: 2000, seed: 5 } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'win', type: 'window', params: { assigner: { kind: 'tumbling', size: '1h' }, aggregates: { n: { fn: 'count' } } } },
      { id: 'out', type: 'sink.file', params: { path: 'out/counts.jsonl' } },
    ], edges: [{ from: 'clicks', to: 'byUser' }, { from: 'byUser', to: 'win' }, { from: 'win', to: 'out' }] };
    writeFileSync(join(h.dir, 'counts.json'), JSON.stringify(doc));
    const origin = { kind: 'file', path: 'counts.json' } as const;
    const r = await h.client.call('run', { doc, origin });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.checkpoints).toEqual({ resumedFrom: null, interval: 300 });
    await waitFor<HostEvents['metrics']>(h.client, 'metrics', (m) => m.runId === r.runId && (m.checkpoints?.completed ?? 0) >= 1, 30_000);
    const stopped = await h.client.call('stop', { savepoint: true });
    expect(stopped.savepoint).toMatchObject({ kind: 'savepoint', path: expect.stringMatching(/^\.tributary\/checkpoints\/counts\/savepoint-\d+\.ckpt$/) });
    expect((await h.client.call('checkpoints', { origin })).newest).toMatchObject({ kind: 'savepoint', id: stopped.savepoint!.id });
    // A path the user never chose in this window, a stray param: refused before the host.
    await expect(h.client.call('checkpoints', { origin: { kind: 'file', path: '/etc/counts.json' } })).rejects.toThrow(/not a file you opened/);
    await expect(h.client.call('stop', { savepoint: true, grace: 0 } as never)).rejects.toThrow();
  });

  it('a host that keeps crashing is not restarted in a loop; it starts again on the next run', async () => {
    const h = make({ deps: { supervisor: { maxCrashes: 1, restartDelayMs: 10 } } });
    const store = unsavedWork(h, 'process.exit(4);');
    for (let i = 0; i < 2; i++) {
      await store.getState().run();
      await until(ended(store), 'the run to end');
    }
    const last = h.win.webContents.statuses().at(-1);
    expect(last).toEqual({ state: 'crashed', message: expect.stringMatching(/crashed 2 times/), restarting: false });
    expect(store.getState().notice?.text).toMatch(/starts again when you next run/);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.launched).toHaveLength(2);
    store.getState().setParam('fn', ['code'], 'ctx.emit(event);');
    await store.getState().run();
    await until(ended(store), 'a run on a fresh host');
    expect(store.getState().runStatus).toBe('finished');
    expect(h.launched).toHaveLength(3);
  });

  it('a host that dies before answering Run: the run failed, with the reason, and nothing waits on it', async () => {
    let exit: (code: number) => void = () => undefined;
    const port: PortLike = { postMessage: () => queueMicrotask(() => exit(9)), on: () => port, off: () => port, start() {}, close() {} };
    const supervisor = new HostSupervisor(() => ({ port, onExit: (fn) => void (exit = fn), kill() {} }), { event() {}, status() {} }, { restartDelayMs: 60_000 });
    const relay = new HostRelay(supervisor, new TrustGate(new TrustStore(join(scratchDir(), 't.json')), async () => false), new GrantedPaths());
    expect(await relay.run({ doc: {}, origin: { kind: 'new' }, fresh: false })).toEqual({ ok: false, reason: 'failed', message: expect.stringMatching(/exit code 9/), nodeId: null });
    await expect(relay.validate({ doc: {} })).rejects.toThrow(/connection to the runtime host was lost/);
    supervisor.dispose();
  });

  it('closing the window while a pipeline runs stops it with its sinks flushed, then ends the host process', async () => {
    const h = make();
    const store = h.attachPage();
    const doc = codeDoc('ctx.emit(event);') as { nodes: { params: unknown }[] };
    doc.nodes[0]!.params = { rate: 2000, seed: 3 }; // endless
    store.getState().openText(JSON.stringify(doc), { kind: 'new' });
    await store.getState().run();
    await until(() => (store.getState().figures.out?.recordsIn ?? 0) > 0, 'records to reach the sink');
    const exited = new Promise<number>((r) => h.launched[0]!.once('exit', r));
    h.dispose();
    await exited;
    // The file sink publishes only when its run ends well: a killed host would have left nothing.
    expect(readFileSync(join(h.dir, 'out/coded.jsonl'), 'utf8').split('\n').length).toBeGreaterThan(1);
  });

  it('closing the window ends its host process', async () => {
    const h = make();
    await h.client.call('hello', {});
    const exited = new Promise<number>((r) => h.launched[0]!.once('exit', r));
    h.dispose();
    await exited;
  });
});
