// Every IPC message's sender is checked before anything acts on it: only the top frame of one of
// our windows, showing our own app:// page. Payloads are checked too.
import { describe, expect, it } from 'vitest';
import { isAppFrame, type PageEndpoint, registerIpc } from '../../electron/ipc.js';
import type { FrameLike, IpcEventLike } from '../../electron/ports.js';
import type { DocState, FileAction } from '../../runtime/host/contract-desktop.js';

const top = (url: string): FrameLike => ({ url, parent: null });

class FakeIpcMain {
  readonly listeners = new Map<string, (e: IpcEventLike, ...args: unknown[]) => void>();
  on(channel: string, fn: (e: IpcEventLike, ...args: unknown[]) => void) {
    if (this.listeners.has(channel)) throw new Error(`two listeners on ${channel}`);
    this.listeners.set(channel, fn);
  }
  emit(channel: string, sender: number, frame: FrameLike | null, ...args: unknown[]) {
    this.listeners.get(channel)!({ sender: { id: sender }, senderFrame: frame }, ...args);
  }
}

function setup() {
  const got: { what: string; value: unknown }[] = [];
  const endpoint: PageEndpoint = {
    fromPage: (msg) => got.push({ what: 'rpc', value: msg }),
    setState: (s: DocState) => got.push({ what: 'state', value: s }),
    openPath: async (p) => got.push({ what: 'open', value: p }),
    fileAction: async (a: FileAction) => got.push({ what: 'action', value: a }),
  };
  const log: string[] = [];
  const ipc = new FakeIpcMain();
  registerIpc(ipc, (id) => (id === 1 ? endpoint : undefined), (m) => log.push(m));
  return { ipc, got, log };
}

const APP = top('app://tributary/index.html');

describe('IPC sender checks', () => {
  it('knows our page: the top frame at app://tributary, nothing else', () => {
    expect(isAppFrame(APP)).toBe(true);
    expect(isAppFrame(top('app://tributary/'))).toBe(true);
    expect(isAppFrame({ url: 'app://tributary/index.html', parent: APP })).toBe(false); // a subframe
    for (const url of ['app://evil/index.html', 'app://tributary.evil/', 'file:///index.html', 'http://127.0.0.1:5173/', 'https://tributary/', 'devtools://devtools/', 'about:blank', 'not a url']) {
      expect(isAppFrame(top(url)), url).toBe(false);
    }
    expect(isAppFrame(null)).toBe(false);
  });

  it('routes a message from our page to its window, and refuses (and logs) every other sender', () => {
    const { ipc, got, log } = setup();
    const call = { kind: 'call', id: 1, method: 'hello', params: {} };
    ipc.emit('tributary:rpc', 1, APP, call);
    ipc.emit('tributary:rpc', 2, APP, call); // a web contents that is not one of our windows
    ipc.emit('tributary:rpc', 1, top('https://example.com/'), call); // navigated away (cannot happen; still refused)
    ipc.emit('tributary:rpc', 1, { url: 'app://tributary/index.html', parent: APP }, call);
    ipc.emit('tributary:rpc', 1, null, call); // the frame is gone
    expect(got).toEqual([{ what: 'rpc', value: call }]);
    expect(log).toHaveLength(4);
    expect(log[1]).toBe('refused tributary:rpc from https://example.com/ (webContents 1)');
  });

  it('checks payloads: document state against its schema, file actions against the allow-list, dropped paths as strings', () => {
    const { ipc, got } = setup();
    const state = { name: 'carts.json', origin: { kind: 'file', path: '/home/u/carts.json' }, dirty: true };
    ipc.emit('tributary:doc-state', 1, APP, state);
    ipc.emit('tributary:doc-state', 1, APP, { ...state, dirty: 'yes' });
    ipc.emit('tributary:doc-state', 1, APP, { ...state, origin: { kind: 'shell', cmd: 'rm' } });
    ipc.emit('tributary:doc-state', 1, APP, { ...state, extra: 1 });
    ipc.emit('tributary:file-action', 1, APP, 'saveAs');
    ipc.emit('tributary:file-action', 1, APP, 'quit');
    ipc.emit('tributary:open-dropped', 1, APP, '/home/u/x.json');
    ipc.emit('tributary:open-dropped', 1, APP, { path: '/etc/passwd' });
    ipc.emit('tributary:file-action', 2, APP, 'open');
    expect(got).toEqual([
      { what: 'state', value: state },
      { what: 'action', value: 'saveAs' },
      { what: 'open', value: '/home/u/x.json' },
    ]);
  });
});
