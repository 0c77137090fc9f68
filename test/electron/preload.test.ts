// The built preload (dist/electron/preload.cjs, the one file a sandboxed window loads), run in a
// bare context with a fake `electron` module: it exposes exactly the allow-listed API and nothing
// else, passes only contract calls to the main process, and only answers and contract events back.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DesktopApi } from '../../runtime/host/contract-desktop.js';
import { type Channel, createClient } from '../../runtime/host/rpc.js';

interface Loaded {
  exposed: Map<string, any>;
  sent: unknown[][];
  emit(channel: string, payload: unknown): void;
  listeners: Map<string, Set<(e: unknown, p: unknown) => void>>;
  dropListeners: { fn: (e: unknown) => void; capture: boolean }[];
}

let code: string;
beforeAll(() => {
  code = readFileSync('dist/electron/preload.cjs', 'utf8'); // built by the test setup (test/support/build.ts)
});

function load(): Loaded {
  const exposed = new Map<string, any>();
  const sent: unknown[][] = [];
  const listeners = new Map<string, Set<(e: unknown, p: unknown) => void>>();
  const dropListeners: Loaded['dropListeners'] = [];
  const electron = {
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        if (exposed.has(key)) throw new Error(`exposed twice: ${key}`);
        exposed.set(key, api);
      },
    },
    ipcRenderer: {
      send: (...args: unknown[]) => sent.push(args),
      on(channel: string, fn: (e: unknown, p: unknown) => void) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(fn);
      },
      removeListener: (channel: string, fn: (e: unknown, p: unknown) => void) => listeners.get(channel)?.delete(fn),
    },
    webUtils: { getPathForFile: (f: { path: string }) => f.path },
  };
  const required: string[] = [];
  runInNewContext(code, {
    require(name: string) {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    },
    process: { platform: 'linux' },
    window: { addEventListener: (type: string, fn: (e: unknown) => void, capture: boolean) => type === 'drop' && dropListeners.push({ fn, capture }) },
  });
  expect(required).toEqual(['electron']);
  return {
    exposed,
    sent,
    listeners,
    dropListeners,
    emit(channel, payload) {
      for (const fn of listeners.get(channel) ?? []) fn({ sender: 'main' }, payload);
    },
  };
}

describe('preload', () => {
  it('exposes exactly the host channel and the desktop API, made of functions and the platform name', () => {
    const { exposed } = load();
    expect([...exposed.keys()]).toEqual(['tributaryHost', 'tributaryDesktop']);
    expect(Object.keys(exposed.get('tributaryHost')).sort()).toEqual(['onClose', 'onMessage', 'send']);
    expect(Object.keys(exposed.get('tributaryDesktop')).sort()).toEqual(['fileAction', 'onCommand', 'onHostStatus', 'platform', 'reportState']);
    for (const api of exposed.values()) {
      for (const [k, v] of Object.entries(api)) expect(typeof v, k).toBe(k === 'platform' ? 'string' : 'function');
    }
  });

  it('sends only calls of contract methods, rebuilt field by field', () => {
    const { exposed, sent } = load();
    const host = exposed.get('tributaryHost') as Channel;
    host.send({ kind: 'call', id: 7, method: 'readFile', params: { path: 'a.json' }, extra: 'dropped' } as never);
    expect(sent).toEqual([['tributary:rpc', { kind: 'call', id: 7, method: 'readFile', params: { path: 'a.json' } }]]);
    for (const bad of [
      { kind: 'call', id: 8, method: 'constructor', params: {} },
      { kind: 'call', id: 9, method: '__proto__', params: {} },
      { kind: 'call', id: 10, method: 'openExternal', params: {} },
      { kind: 'call', id: '11', method: 'hello', params: {} },
      { kind: 'result', id: 12, result: {} },
      { kind: 'event', event: 'job', data: {} },
    ]) {
      expect(() => host.send(bad as never)).toThrow(/not a call of the host contract/);
    }
    expect(sent).toHaveLength(1);
  });

  it('passes on only answers and contract events from the main process', () => {
    const { exposed, emit } = load();
    const host = exposed.get('tributaryHost') as Channel;
    const got: unknown[] = [];
    const off = host.onMessage((m) => got.push(m));
    emit('tributary:rpc', { kind: 'result', id: 1, result: { ok: true } });
    emit('tributary:rpc', { kind: 'event', event: 'metrics', data: {} });
    emit('tributary:rpc', { kind: 'event', event: 'shell', data: {} });
    emit('tributary:rpc', { kind: 'call', id: 2, method: 'hello', params: {} });
    emit('tributary:rpc', 'text');
    expect(got).toEqual([
      { kind: 'result', id: 1, result: { ok: true } },
      { kind: 'event', event: 'metrics', data: {} },
    ]);
    off();
    emit('tributary:rpc', { kind: 'result', id: 3, result: null });
    expect(got).toHaveLength(2);
  });

  it('carries the editor’s typed client: a call goes out, its answer resolves it', async () => {
    const { exposed, sent, emit } = load();
    const client = createClient(exposed.get('tributaryHost') as Channel);
    const hello = client.call('hello', {});
    const [, msg] = sent[0] as [string, { id: number }];
    emit('tributary:rpc', { kind: 'result', id: msg.id, result: { version: '1', root: '/w', initial: null } });
    expect(await hello).toEqual({ version: '1', root: '/w', initial: null });
    await expect(client.call('nope' as never, {} as never)).rejects.toThrow(/not a call of the host contract/);
  });

  it('the desktop API: checked commands in, state and allow-listed file actions out', () => {
    const { exposed, sent, emit } = load();
    const desktop = exposed.get('tributaryDesktop') as DesktopApi;
    expect(desktop.platform).toBe('linux');
    const commands: unknown[] = [];
    desktop.onCommand((c) => commands.push(c));
    emit('tributary:command', { kind: 'run' });
    emit('tributary:command', { kind: 'rm -rf' });
    emit('tributary:command', null);
    expect(commands).toEqual([{ kind: 'run' }]);
    const statuses: unknown[] = [];
    desktop.onHostStatus((s) => statuses.push(s));
    emit('tributary:host-status', { state: 'crashed', message: 'x', restarting: true });
    emit('tributary:host-status', { state: 'exploded' });
    expect(statuses).toEqual([{ state: 'crashed', message: 'x', restarting: true }]);
    desktop.reportState({ name: 'a', origin: null, dirty: true });
    desktop.fileAction('saveAs');
    desktop.fileAction('quit' as never);
    expect(sent).toEqual([
      ['tributary:doc-state', { name: 'a', origin: null, dirty: true }],
      ['tributary:file-action', 'saveAs'],
    ]);
  });

  it('a file dropped on the window opens through the main process by its path; other drops go on', () => {
    const { dropListeners, sent } = load();
    expect(dropListeners).toHaveLength(1);
    expect(dropListeners[0]!.capture).toBe(true);
    const event = (files: unknown[]) => {
      const e = { dataTransfer: { files }, prevented: false, stopped: false, preventDefault: () => (e.prevented = true), stopImmediatePropagation: () => (e.stopped = true) };
      dropListeners[0]!.fn(e);
      return e;
    };
    const palette = event([]);
    expect([palette.prevented, palette.stopped]).toEqual([false, false]);
    const file = event([{ path: '/home/u/jobs/carts.json' }]);
    expect([file.prevented, file.stopped]).toEqual([true, true]);
    expect(sent).toEqual([['tributary:open-dropped', '/home/u/jobs/carts.json']]);
  });
});
