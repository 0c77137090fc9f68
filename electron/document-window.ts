// One editor window and its document, seen from the main process: the page's end of the host
// contract (through the relay), the native file actions (New, Open, Save, Save As, Export), the
// unsaved-changes prompt, and the window's title. The document itself lives in the page; the page
// reports its name, origin and unsaved-changes flag, and the main process tells it what to do.
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { OpenDialogOptions } from 'electron';
import { type Channel, eventSink, serveApi, type WireMessage } from '../runtime/host/rpc.js';
import { type DesktopCommand, type DocState, type FileAction, type HostStatus, IPC } from '../runtime/host/contract-desktop.js';
import type { TrustStore } from '../runtime/host/trust.js';
import { GrantedPaths, isPipelinePath, readPipelineFile, suggestedFileName, withJsonExtension } from './files.js';
import { HostRelay } from './host-relay.js';
import { HostSupervisor, type LaunchHost, type SupervisorOptions } from '../runtime/host/host-supervisor.js';
import type { Dialogs, WindowLike } from './ports.js';
import { type AskTrust, TrustGate } from './trust-gate.js';

export const PIPELINE_FILTERS: OpenDialogOptions['filters'] = [
  { name: 'Tributary pipelines', extensions: ['json'] },
  { name: 'All files', extensions: ['*'] },
];

/** How long a save started by the main process (before closing, say) may take to land. */
export const SAVE_TIMEOUT_MS = 15_000;

export interface RecentList {
  add(path: string): void;
  remove(path: string): void;
}

export interface DocumentWindowDeps {
  readonly window: WindowLike;
  readonly dialogs: Dialogs;
  readonly launchHost: LaunchHost;
  readonly trustStore: TrustStore;
  readonly recent: RecentList;
  /** Where Open and Save dialogs start when the document has no folder yet. */
  readonly defaultDir: string;
  readonly askTrust?: AskTrust;
  readonly supervisor?: SupervisorOptions;
  readonly stopGraceMs?: number;
}

type SaveWaiter = (saved: boolean) => void;

export class DocumentWindow {
  readonly granted = new GrantedPaths();
  readonly gate: TrustGate;
  readonly host: HostSupervisor;
  readonly relay: HostRelay;
  private state: DocState = { name: 'Untitled', origin: null, dirty: false };
  /** Commands wait until the page has mounted and reported its first state. */
  private queue: DesktopCommand[] | null = [];
  private readonly rpcListeners = new Set<(msg: WireMessage) => void>();
  private readonly closeListeners: (() => void)[] = [];
  private saveWaiters: SaveWaiter[] = [];
  private lastDir: string;

  constructor(private readonly deps: DocumentWindowDeps) {
    this.lastDir = deps.defaultDir;
    this.gate = new TrustGate(deps.trustStore, deps.askTrust ?? ((q) => this.askTrust(q)), () => this.updateTitle());
    const channel: Channel = {
      send: (msg) => this.sendToPage(IPC.rpc, msg),
      onMessage: (fn) => {
        this.rpcListeners.add(fn);
        return () => this.rpcListeners.delete(fn);
      },
      onClose: (fn) => this.closeListeners.push(fn),
    };
    const toPage = eventSink(channel);
    this.host = new HostSupervisor(deps.launchHost, { event: toPage, status: (s) => this.hostStatus(s) }, deps.supervisor);
    this.relay = new HostRelay(this.host, this.gate, this.granted, { written: () => this.settleSaves(true), failed: () => this.settleSaves(false) }, deps.stopGraceMs);
    serveApi(this.relay, channel);
    this.updateTitle();
  }

  get docState(): DocState {
    return this.state;
  }

  /** A host contract message from this window's page (its sender already checked). */
  fromPage(msg: unknown): void {
    if (msg === null || typeof msg !== 'object' || (msg as WireMessage).kind !== 'call') return;
    for (const fn of this.rpcListeners) fn(msg as WireMessage);
  }

  /** The page's document changed (its sender and shape already checked). */
  setState(state: DocState): void {
    this.state = state;
    this.updateTitle();
    const queued = this.queue;
    this.queue = null;
    for (const cmd of queued ?? []) this.command(cmd);
  }

  command(cmd: DesktopCommand): void {
    if (this.queue) this.queue.push(cmd);
    else this.sendToPage(IPC.command, cmd);
  }

  /** The page's toolbar or keys asked for a file action: the same flow as the menu item. */
  fileAction(action: FileAction): Promise<unknown> {
    switch (action) {
      case 'new':
        return this.newDocument();
      case 'open':
        return this.open();
      case 'save':
        return this.save();
      case 'saveAs':
        return this.saveAs();
      case 'export':
        return this.exportJson();
    }
  }

  async newDocument(): Promise<void> {
    if (!(await this.confirmDiscard())) return;
    this.gate.created();
    this.command({ kind: 'new' });
    this.updateTitle();
  }

  async open(): Promise<void> {
    const res = await this.deps.dialogs.showOpenDialog({ title: 'Open Pipeline', defaultPath: this.lastDir, properties: ['openFile'], filters: PIPELINE_FILTERS });
    if (res.canceled || !res.filePaths[0]) return;
    await this.openPath(res.filePaths[0]);
  }

  /** Opens a file the user named (Open, Open Recent, a drop, the command line). */
  async openPath(path: string): Promise<boolean> {
    if (!isPipelinePath(path)) {
      await this.error('Cannot open this file', `${path}: Tributary opens pipeline files (.json).`);
      return false;
    }
    if (!(await this.confirmDiscard())) return false;
    let opened;
    try {
      opened = await readPipelineFile(path);
    } catch (err) {
      this.deps.recent.remove(path);
      await this.error('Cannot open this file', (err as Error).message);
      return false;
    }
    const abs = this.granted.grant(path);
    this.lastDir = dirname(abs);
    this.deps.recent.add(abs);
    const trusted = await this.gate.opened(opened.text, basename(abs), this.relay.reasonsOf(opened.origin), this.relay.remember(opened.origin));
    this.command({ kind: 'open', doc: opened, trusted });
    this.updateTitle();
    return true;
  }

  /** Saves to the document's own file, or asks where (Save As) when it has none. */
  async save(): Promise<boolean> {
    const origin = this.state.origin;
    const hasFile = origin?.kind === 'file' && (!isAbsolute(origin.path) || this.granted.has(origin.path));
    if (!hasFile) return this.saveAs();
    return this.commandAndWait({ kind: 'save' });
  }

  async saveAs(): Promise<boolean> {
    const path = await this.chooseSavePath(this.state.name);
    if (!path) return false;
    const saved = await this.commandAndWait({ kind: 'saveAs', path });
    if (saved) this.deps.recent.add(path);
    return saved;
  }

  async exportJson(): Promise<boolean> {
    const path = await this.chooseSavePath(this.state.name, 'Export Pipeline JSON');
    if (!path) return false;
    return this.commandAndWait({ kind: 'export', path });
  }

  /** A native Save dialog; the chosen path becomes one this window may write. */
  private async chooseSavePath(name: string, title = 'Save Pipeline'): Promise<string | null> {
    const res = await this.deps.dialogs.showSaveDialog({ title, defaultPath: join(this.lastDir, suggestedFileName(name)), filters: PIPELINE_FILTERS });
    if (res.canceled || !res.filePath) return null;
    const path = this.granted.grant(withJsonExtension(res.filePath));
    this.lastDir = dirname(path);
    return path;
  }

  /**
   * Before the document is replaced or the window closes: when there are unsaved changes, ask
   * Save / Don't Save / Cancel. Resolves true when it is fine to go on.
   */
  async confirmDiscard(): Promise<boolean> {
    if (!this.state.dirty) return true;
    const { response } = await this.deps.dialogs.showMessageBox({
      type: 'warning',
      message: `Do you want to save the changes you made to ${this.state.name}?`,
      detail: 'Your changes will be lost if you don’t save them.',
      buttons: ['Save', 'Don’t Save', 'Cancel'],
      defaultId: 0,
      cancelId: 2,
      noLink: true,
    });
    if (response === 2) return false;
    if (response === 1) return true;
    return this.save();
  }

  /**
   * The page crashed (not a pipeline: those run in the host's process) and is being reloaded. Its
   * unsaved work went with it; commands wait for the new page.
   */
  pageGone(): void {
    this.state = { ...this.state, dirty: false };
    this.queue = [];
    this.settleSaves(false);
    this.updateTitle();
  }

  /** The window is going away for good. */
  dispose(): void {
    // The host stops the window's job and flushes its sinks before it ends (or is ended).
    void this.host.dispose(this.deps.stopGraceMs);
    this.settleSaves(false);
    for (const fn of this.closeListeners.splice(0)) fn();
  }

  private commandAndWait(cmd: DesktopCommand): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), SAVE_TIMEOUT_MS);
      const done: SaveWaiter = (saved) => {
        clearTimeout(timer);
        this.saveWaiters = this.saveWaiters.filter((w) => w !== done);
        resolve(saved);
      };
      this.saveWaiters.push(done);
      this.command(cmd);
    });
  }

  private settleSaves(saved: boolean): void {
    for (const w of [...this.saveWaiters]) w(saved);
  }

  private hostStatus(status: HostStatus): void {
    this.sendToPage(IPC.hostStatus, status);
  }

  private sendToPage(channel: string, payload: unknown): void {
    const wc = this.deps.window.webContents;
    if (!this.deps.window.isDestroyed() && !wc.isDestroyed()) wc.send(channel, payload);
  }

  private updateTitle(): void {
    const w = this.deps.window;
    if (w.isDestroyed()) return;
    const { name, origin, dirty } = this.state;
    const restricted = this.gate.trusted ? '' : ' [Restricted Mode]';
    w.setTitle(`${dirty ? '● ' : ''}${name}${restricted} — Tributary`);
    w.setDocumentEdited(dirty);
    w.setRepresentedFilename(origin?.kind === 'file' && isAbsolute(origin.path) ? origin.path : '');
  }

  private async askTrust(q: Parameters<AskTrust>[0]): Promise<boolean> {
    const { response } = await this.deps.dialogs.showMessageBox({
      type: 'warning',
      message: `Do you trust ${q.label}?`,
      detail:
        `This pipeline does things that run with your permissions:\n${q.reasons.map((r) => `• ${r}\n`).join('')}\n` +
        'It comes from a file this computer did not write. If you do not know who wrote it, keep it in Restricted Mode: ' +
        'you can still view and edit it, but it will not run.',
      buttons: q.when === 'open' ? ['Trust and Open', 'Open in Restricted Mode'] : ['Trust and Run', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    });
    return response === 0;
  }

  private error(message: string, detail: string): Promise<unknown> {
    return this.deps.dialogs.showMessageBox({ type: 'error', message, detail, buttons: ['OK'] });
  }
}
