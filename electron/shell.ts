// The app's windows: each BrowserWindow with its DocumentWindow, the close prompt, remembered
// bounds, and the menu acting on the focused window. Electron glue only; the logic it wires lives in
// document-window.ts, menu.ts, window-state.ts and friends, which are tested without Electron.
import { app, BrowserWindow, dialog, Menu, MessageChannelMain, screen, utilityProcess } from 'electron';
import type { TrustStore } from '../runtime/host/trust.js';
import { DocumentWindow } from './document-window.js';
import type { HostProcessConfig } from './host-process.js';
import type { HostProcess } from '../runtime/host/host-supervisor.js';
import type { PageEndpoint } from './ipc.js';
import { type MenuActions, menuTemplate } from './menu.js';
import type { Dialogs } from './ports.js';
import { APP_ENTRY } from './protocol.js';
import type { RecentFiles } from './recent.js';
import { secureWebPreferences } from './security.js';
import { captureState, type WindowStateFile } from './window-state.js';

export interface ShellOptions {
  readonly preload: string;
  readonly hostEntry: string;
  readonly host: HostProcessConfig;
  readonly trustStore: TrustStore;
  readonly recent: RecentFiles;
  readonly windowState: WindowStateFile;
  readonly defaultDir: string;
}

interface Open {
  readonly win: BrowserWindow;
  readonly doc: DocumentWindow;
}

export class Shell {
  private readonly open = new Map<number, Open>();
  private quitting = false;

  constructor(private readonly opts: ShellOptions) {
    app.on('before-quit', () => (this.quitting = true));
  }

  /** The page endpoint of the window whose web contents has this id (for the IPC router). */
  endpoint(webContentsId: number): PageEndpoint | undefined {
    return this.open.get(webContentsId)?.doc;
  }

  /** Whether the window whose web contents has this id may open this page in the browser. */
  opensExternally(webContentsId: number, url: string): boolean {
    return this.open.get(webContentsId)?.doc.relay.opensExternally(url) ?? false;
  }

  get windowCount(): number {
    return this.open.size;
  }

  /** Opens these pipelines: in the focused window, or a new one when there is none. */
  async openPaths(paths: readonly string[]): Promise<void> {
    const target = this.focused() ?? (await this.createWindow());
    target.win.show();
    target.win.focus();
    for (const p of paths.slice(0, 1)) await target.doc.openPath(p);
  }

  async createWindow(): Promise<Open> {
    const state = await this.opts.windowState.load(screen.getAllDisplays());
    const win = new BrowserWindow({
      ...(state.x !== undefined ? { x: state.x, y: state.y } : {}),
      width: state.width,
      height: state.height,
      minWidth: 640,
      minHeight: 420,
      show: false,
      title: 'Tributary',
      backgroundColor: '#1e1f22',
      webPreferences: secureWebPreferences(this.opts.preload),
    });
    if (state.maximized) win.maximize();
    if (state.fullScreen) win.setFullScreen(true);
    const doc = new DocumentWindow({
      window: win,
      dialogs: dialogsFor(win),
      launchHost: () => this.launchHost(),
      trustStore: this.opts.trustStore,
      recent: this.opts.recent,
      defaultDir: this.opts.defaultDir,
    });
    const entry: Open = { win, doc };
    const id = win.webContents.id;
    this.open.set(id, entry);
    let closing = false;
    // Remember bounds as they change too (debounced), so a crash does not forget them.
    let saveTimer: ReturnType<typeof setTimeout> | null = null;
    const saveSoon = () => {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = setTimeout(() => !win.isDestroyed() && void this.opts.windowState.save(captureState(win)), 500);
    };
    for (const event of ['resized', 'moved', 'maximize', 'unmaximize', 'enter-full-screen', 'leave-full-screen'] as const) win.on(event as 'resized', saveSoon);
    win.on('close', (e) => {
      void this.opts.windowState.save(captureState(win));
      if (closing) return;
      e.preventDefault();
      void doc.confirmDiscard().then((ok) => {
        if (!ok) {
          this.quitting = false;
          return;
        }
        closing = true;
        doc.dispose();
        win.destroy();
        if (this.quitting) app.quit();
      });
    });
    win.webContents.on('render-process-gone', (_e, details) => {
      if (details.reason === 'clean-exit' || win.isDestroyed()) return;
      doc.pageGone();
      win.reload();
      void dialog.showMessageBox(win, { type: 'error', message: 'The editor stopped unexpectedly and was reloaded.', detail: `Reason: ${details.reason}. Changes not saved before it stopped are lost; a running pipeline keeps running.` });
    });
    win.on('closed', () => {
      if (saveTimer) clearTimeout(saveTimer);
      this.open.delete(id);
    });
    const shown = new Promise<void>((resolve) => win.once('ready-to-show', () => resolve()));
    await win.loadURL(APP_ENTRY);
    await shown;
    win.show();
    return entry;
  }

  setMenu(recent: readonly string[]): void {
    const on = (fn: (doc: DocumentWindow) => unknown) => () => {
      const target = this.focused();
      if (target) void fn(target.doc);
      else void this.createWindow().then((w) => fn(w.doc));
    };
    const actions: MenuActions = {
      newDocument: on((d) => d.newDocument()),
      open: on((d) => d.open()),
      openRecent: (path) => void this.openPaths([path]),
      clearRecent: () => this.opts.recent.clear(),
      save: on((d) => d.save()),
      saveAs: on((d) => d.saveAs()),
      exportJson: on((d) => d.exportJson()),
      run: on((d) => d.command({ kind: 'run' })),
      stop: on((d) => d.command({ kind: 'stop' })),
      validate: on((d) => d.command({ kind: 'validate' })),
    };
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(actions, recent, { platform: process.platform, devTools: !app.isPackaged, appName: app.name })));
  }

  private focused(): Open | undefined {
    const win = BrowserWindow.getFocusedWindow();
    const byFocus = win ? this.open.get(win.webContents.id) : undefined;
    return byFocus ?? this.open.values().next().value;
  }

  private launchHost(): HostProcess {
    const child = utilityProcess.fork(this.opts.hostEntry, [], { serviceName: 'Tributary runtime', stdio: 'inherit' });
    const { port1, port2 } = new MessageChannelMain();
    child.postMessage(this.opts.host, [port1]);
    return {
      port: port2,
      onExit: (fn) => child.once('exit', fn),
      kill: () => void child.kill(),
    };
  }
}

function dialogsFor(win: BrowserWindow): Dialogs {
  return {
    showMessageBox: (o) => dialog.showMessageBox(win, o),
    showOpenDialog: (o) => dialog.showOpenDialog(win, o),
    showSaveDialog: (o) => dialog.showSaveDialog(win, o),
  };
}
