// The application menu, as data: a template built from the actions it triggers and the recent
// files, so tests can read every item and click it without Electron. Accelerators follow the
// platforms' conventions (CmdOrCtrl), Run/Stop follow the debuggers people know (F5, Shift+F5).
import { basename, dirname } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  newDocument(): void;
  open(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  save(): void;
  saveAs(): void;
  exportJson(): void;
  run(): void;
  stop(): void;
  validate(): void;
}

export interface MenuOptions {
  readonly platform: string;
  /** Offer the developer tools (unpackaged builds only). */
  readonly devTools: boolean;
  readonly appName?: string;
}

/** "name.json — folder", so two files of the same name can be told apart. */
export function recentLabel(path: string): string {
  return `${basename(path)} — ${dirname(path)}`;
}

export function menuTemplate(actions: MenuActions, recent: readonly string[], opts: MenuOptions): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? [...recent.map((p) => ({ label: recentLabel(p), click: () => actions.openRecent(p) })), { type: 'separator' }, { label: 'Clear Recently Opened', click: () => actions.clearRecent() }]
    : [{ label: 'No Recent Files', enabled: false }];

  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New', accelerator: 'CmdOrCtrl+N', click: () => actions.newDocument() },
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
      { label: 'Open Recent', submenu: recentItems },
      { type: 'separator' },
      { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => actions.save() },
      { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.saveAs() },
      { label: 'Export JSON…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportJson() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    // Native roles: text fields and Monaco get undo, clipboard and select-all (needed on macOS).
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  };

  const run: MenuItemConstructorOptions = {
    label: 'Run',
    submenu: [
      { label: 'Run', accelerator: 'F5', click: () => actions.run() },
      { label: 'Stop', accelerator: 'Shift+F5', click: () => actions.stop() },
      { type: 'separator' },
      { label: 'Validate', accelerator: 'F8', click: () => actions.validate() },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(opts.devTools ? [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };

  const windowMenu: MenuItemConstructorOptions = { role: 'windowMenu' };
  const appMenu: MenuItemConstructorOptions = {
    label: opts.appName ?? 'Tributary',
    submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
  };
  return [...(mac ? [appMenu] : []), file, edit, run, view, windowMenu];
}
