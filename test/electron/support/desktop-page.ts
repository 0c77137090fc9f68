/// <reference lib="dom" />
// The desktop app in Chromium, without Electron's binary (which cannot be installed here): the
// built editor served by the app's own app:// handler (same bytes, same headers, same CSP) from
// 127.0.0.1; the real built preload run in the page with a stand-in `electron` module whose IPC
// goes to the real main-process logic (sender check, DocumentWindow, menu commands), which runs
// the real runtime-host entry in a worker over a MessagePort, as the utilityProcess does.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { DocumentWindow } from '../../../electron/document-window.js';
import { registerIpc } from '../../../electron/ipc.js';
import type { FrameLike, IpcEventLike } from '../../../electron/ports.js';
import { appProtocolHandler } from '../../../electron/protocol.js';
import { APP_ORIGIN } from '../../../runtime/host/contract-desktop.js';
import { RENDERER_DIR } from '../../../runtime/host/install.js';
import { TrustStore } from '../../../runtime/host/trust.js';
import { FakeDialogs, FakeWindow, scratchDir, workerHosts } from './fakes.js';

/** Serves what app://tributary/ serves, on 127.0.0.1 (Chromium cannot be given the custom scheme). */
export async function serveAppScheme(): Promise<{ origin: string; close(): Promise<void> }> {
  const handle = appProtocolHandler(RENDERER_DIR);
  const server: Server = createServer((req, res) => {
    void handle(new Request(`${APP_ORIGIN}${req.url ?? '/'}`, { method: req.method })).then(async (r) => {
      const headers: Record<string, string> = {};
      r.headers.forEach((v, k) => (headers[k] = v));
      res.writeHead(r.status, headers);
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

export interface DesktopPage {
  readonly dir: string;
  readonly win: FakeWindow;
  readonly dialogs: FakeDialogs;
  readonly doc: DocumentWindow;
  readonly refused: string[];
  dispose(): void;
}

/** Runs the built preload in `page` and wires its IPC to a DocumentWindow; call before goto. */
export async function desktopPage(page: Page, origin: string): Promise<DesktopPage> {
  const dir = scratchDir('tributary-desktop-e2e-');
  const trustFile = join(dir, 'trusted.json');
  const { launch } = workerHosts({ root: dir, version: 'e2e', trustFile, templatesDir: join(process.cwd(), 'pipelines'), outsideFiles: true });
  const win = new FakeWindow();
  const dialogs = new FakeDialogs();
  const doc = new DocumentWindow({ window: win, dialogs, launchHost: launch, trustStore: new TrustStore(trustFile), recent: { add() {}, remove() {} }, defaultDir: dir, supervisor: { restartDelayMs: 20 } });
  const refused: string[] = [];
  const listeners = new Map<string, (e: IpcEventLike, ...args: unknown[]) => void>();
  registerIpc({ on: (channel, fn) => listeners.set(channel, fn) }, (id) => (id === win.webContents.id ? doc : undefined), (m) => refused.push(m));

  // main → page: what the window's web contents sends reaches the preload's ipcRenderer listeners.
  const send = win.webContents.send.bind(win.webContents);
  win.webContents.send = (channel: string, payload: unknown) => {
    send(channel, payload);
    page.evaluate(([c, p]) => (window as unknown as { __ipcDeliver(c: string, p: unknown): void }).__ipcDeliver(c, p), [channel, payload] as const).catch(() => undefined);
  };
  // page → main: the sender is the frame that called, its http://127.0.0.1 URL standing for app://tributary.
  await page.exposeBinding('__ipcSend', ({ frame }, channel: string, payload: unknown) => {
    const asFrame = (f: typeof frame | null): FrameLike | null => (f ? { url: f.url().replace(origin, APP_ORIGIN), parent: asFrame(f.parentFrame()) } : null);
    listeners.get(channel)?.({ sender: { id: win.webContents.id }, senderFrame: asFrame(frame) }, payload);
  });
  const preload = readFileSync('dist/electron/preload.cjs', 'utf8');
  await page.addInitScript(`(() => {
    const listeners = new Map();
    window.__ipcDeliver = (channel, payload) => { for (const fn of listeners.get(channel) || []) fn({}, payload); };
    const electron = {
      contextBridge: { exposeInMainWorld: (key, api) => Object.defineProperty(window, key, { value: Object.freeze(api) }) },
      ipcRenderer: {
        send: (channel, payload) => window.__ipcSend(channel, payload),
        on: (channel, fn) => { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel).add(fn); },
        removeListener: (channel, fn) => listeners.get(channel)?.delete(fn),
      },
      webUtils: { getPathForFile: (file) => ${JSON.stringify(dir)} + '/' + file.name },
    };
    const sandboxRequire = (name) => { if (name !== 'electron') throw new Error('a sandboxed preload cannot require ' + name); return electron; };
    // As Electron runs a sandboxed preload: a function with its own require and process.
    new Function('require', 'process', ${JSON.stringify(preload)})(sandboxRequire, { platform: 'linux' });
  })();`);
  return { dir, win, dialogs, doc, refused, dispose: () => doc.dispose() };
}
