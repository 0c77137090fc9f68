// One desktop window without Electron: the main process's DocumentWindow with fake window and
// dialogs, the real runtime host entry in a worker thread over a MessagePort (as a utilityProcess),
// and the editor's real store in the page, wired through the desktop API as the preload wires it.
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';
import { DocumentWindow, type DocumentWindowDeps } from '../../../electron/document-window.js';
import { attachDesktop } from '../../../renderer/src/connection/desktop.js';
import { createEditorStore, type EditorStore } from '../../../renderer/src/store/store.js';
import { type DesktopApi, type DesktopCommand, docStateSchema, type HostStatus, IPC } from '../../../runtime/host/contract-desktop.js';
import type { HostClient } from '../../../runtime/host/rpc.js';
import { TrustStore } from '../../../runtime/host/trust.js';
import { FakeDialogs, FakeWindow, pageClient, scratchDir, workerHosts } from './fakes.js';

export interface Harness {
  readonly dir: string;
  readonly trustFile: string;
  readonly win: FakeWindow;
  readonly dialogs: FakeDialogs;
  readonly doc: DocumentWindow;
  readonly recent: { added: string[]; removed: string[]; add(p: string): void; remove(p: string): void };
  readonly launched: ReturnType<typeof workerHosts>['launched'];
  /** The page's contract client (what the editor's store uses). */
  readonly client: HostClient;
  /** Creates the page's store and connects it, as main.tsx does in the app. */
  attachPage(): EditorStore;
  dispose(): void;
}

export function harness(opts: { dir?: string; trustFile?: string; deps?: Partial<DocumentWindowDeps> } = {}): Harness {
  const dir = opts.dir ?? scratchDir();
  const trustFile = opts.trustFile ?? join(dir, 'trusted.json');
  const { launch, launched } = workerHosts({ root: dir, version: 'test', trustFile, templatesDir: resolve('pipelines'), outsideFiles: true });
  const win = new FakeWindow();
  const dialogs = new FakeDialogs();
  const recent = {
    added: [] as string[],
    removed: [] as string[],
    add(p: string) {
      this.added.push(p);
    },
    remove(p: string) {
      this.removed.push(p);
    },
  };
  const doc = new DocumentWindow({
    window: win,
    dialogs,
    launchHost: launch,
    trustStore: new TrustStore(trustFile),
    recent,
    defaultDir: dir,
    supervisor: { restartDelayMs: 20 },
    stopGraceMs: 1500,
    ...opts.deps,
  });
  const client = pageClient(win.webContents, (m) => doc.fromPage(m));
  const detach: (() => void)[] = [];
  const desktop: DesktopApi = {
    platform: 'linux',
    onCommand(fn) {
      win.webContents.listen(IPC.command, (c) => fn(structuredClone(c) as DesktopCommand));
      return () => undefined;
    },
    onHostStatus(fn) {
      win.webContents.listen(IPC.hostStatus, (s) => fn(structuredClone(s) as HostStatus));
      return () => undefined;
    },
    reportState: (s) => doc.setState(docStateSchema.parse(structuredClone(s))),
    fileAction: (a) => void doc.fileAction(a),
  };
  return {
    dir,
    trustFile,
    win,
    dialogs,
    doc,
    recent,
    launched,
    client,
    attachPage() {
      const store = createEditorStore({ host: client, validateDelayMs: 0 });
      detach.push(attachDesktop(store, desktop, client));
      return store;
    },
    dispose() {
      for (const d of detach) d();
      doc.dispose();
    },
  };
}

/** A `harness` factory for one test file: every harness it made is disposed after each test. */
export function harnesses(): (...args: Parameters<typeof harness>) => Harness {
  const open: Harness[] = [];
  afterEach(() => {
    while (open.length) open.pop()!.dispose();
  });
  return (...args) => {
    const h = harness(...args);
    open.push(h);
    return h;
  };
}

/** A keyed pipeline whose `process` node runs `code`, writing to out/coded.jsonl. */
export function codeDoc(code: string, count = 500): Record<string, unknown> {
  return {
    format: 'tributary.pipeline/v1',
    name: 'coded',
    nodes: [
      { id: 'clicks', type: 'source.generator', params: { rate: 0, count, seed: 3 } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'fn', type: 'process', params: { code } },
      { id: 'out', type: 'sink.file', params: { path: 'out/coded.jsonl' } },
    ],
    edges: [
      { from: 'clicks', to: 'byUser' },
      { from: 'byUser', to: 'fn' },
      { from: 'fn', to: 'out' },
    ],
  };
}
