// The desktop app's main process: registers the app:// scheme, hardens every web contents and the
// session, routes IPC (sender-checked) to the windows, builds the menu, and opens the pipelines
// named on the command line or handed over by the OS. Thin on purpose: see shell.ts for windows.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, ipcMain, protocol, session, shell as desktop } from 'electron';
import { APP_SCHEME } from '../runtime/host/contract-desktop.js';
import { RENDERER_DIR, TEMPLATES_DIR, VERSION } from '../runtime/host/install.js';
import { stateDir, TrustStore } from '../runtime/host/trust.js';
import { pipelineArgs } from './args.js';
import { registerIpc } from './ipc.js';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler } from './protocol.js';
import { RecentFiles } from './recent.js';
import { hardenContents, hardenSession } from './security.js';
import { Shell } from './shell.js';
import { writableTemplates } from './templates.js';
import { WindowStateFile } from './window-state.js';

const here = dirname(fileURLToPath(import.meta.url));
const log = (msg: string) => process.stderr.write(`tributary: ${msg}\n`);

// Both must happen before the app is ready.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
app.enableSandbox();

const opened: string[] = pipelineArgs(process.argv, process.cwd(), app.isPackaged);
let shell: Shell | null = null;
// macOS hands files over by event, possibly before the app is ready.
app.on('open-file', (e, path) => {
  e.preventDefault();
  if (shell) void shell.openPaths([path]);
  else opened.push(path);
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv, cwd) => void shell?.openPaths(pipelineArgs(argv, cwd, app.isPackaged)));
  // The one kind of link opened outside the app: the Flink web UI of a job the window submitted.
  app.on('web-contents-created', (_e, contents) =>
    hardenContents(contents, log, { allows: (url) => shell?.opensExternally(contents.id, url) ?? false, open: (url) => void desktop.openExternal(url) }),
  );
  void start().catch((err: unknown) => {
    dialog.showErrorBox('Tributary could not start', err instanceof Error ? (err.stack ?? err.message) : String(err));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`The editor is not built (${RENDERER_DIR} is missing): run \`npm run build\`.`);
  hardenSession(session.defaultSession, log);
  session.defaultSession.protocol.handle(APP_SCHEME, appProtocolHandler(RENDERER_DIR));

  const userData = app.getPath('userData');
  const templatesDir = app.isPackaged ? await writableTemplates(TEMPLATES_DIR, join(userData, 'templates'), VERSION) : TEMPLATES_DIR;
  const workspace = opened[0] ? dirname(opened[0]) : app.isPackaged ? app.getPath('documents') : process.cwd();
  const recent = new RecentFiles(join(userData, 'recent.json'), (list) => {
    shell?.setMenu(list);
    app.clearRecentDocuments();
    for (const p of [...list].reverse()) app.addRecentDocument(p);
  });
  const trustFile = join(stateDir(), 'trusted.json');
  shell = new Shell({
    preload: join(here, 'preload.cjs'),
    hostEntry: join(here, 'host-process.js'),
    host: { root: workspace, version: VERSION, trustFile, templatesDir, outsideFiles: true },
    trustStore: new TrustStore(trustFile),
    recent,
    windowState: new WindowStateFile(join(userData, 'window-state.json')),
    defaultDir: workspace,
  });
  await recent.load();
  shell.setMenu(recent.list);
  registerIpc(ipcMain, (id) => shell?.endpoint(id), log);

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (shell && shell.windowCount === 0) void shell.createWindow();
  });
  if (opened.length > 0) await shell.openPaths(opened);
  else await shell.createWindow();
}
