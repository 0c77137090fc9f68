// The editor inside the desktop app: the preload's `tributaryDesktop` API (contract-desktop.ts)
// wired to the store. Menu commands become the store's own actions; the document's name, origin
// and unsaved-changes flag go to the main process (window title, the prompt on close); a crashed
// runtime process becomes a notice (the main process restarts it; the document is untouched).
// In browser mode there is no such API and none of this runs.
import { type DesktopApi, type DesktopCommand, DESKTOP_GLOBAL, type DocState } from '../../../runtime/host/contract-desktop.js';
import type { HostClient } from '../../../runtime/host/rpc.js';
import type { EditorState, EditorStore } from '../store/store.js';

/** The preload's API in the desktop app; null in browser mode. */
export function desktopApi(): DesktopApi | null {
  return (globalThis as { [DESKTOP_GLOBAL]?: DesktopApi })[DESKTOP_GLOBAL] ?? null;
}

export const RESTRICTED_NOTICE = 'Restricted Mode: this pipeline’s code comes from a file this computer did not write, so it does not run until you trust it. You can still view and edit it.';

function docState(s: EditorState): DocState {
  const name = s.origin.kind === 'file' ? s.origin.path.replace(/^.*[\\/]/, '') : s.doc.name || 'Untitled';
  return { name, origin: s.origin, dirty: s.dirty };
}

/** Connects the store to the desktop API; returns a function that disconnects it. */
export function attachDesktop(store: EditorStore, desktop: DesktopApi, host: HostClient | null): () => void {
  const s = () => store.getState();
  let last: DocState | null = null;
  const report = () => {
    const state = docState(s());
    if (last && last.name === state.name && last.dirty === state.dirty && JSON.stringify(last.origin) === JSON.stringify(state.origin)) return;
    last = state;
    desktop.reportState(state);
  };

  const perform = async (cmd: DesktopCommand): Promise<void> => {
    switch (cmd.kind) {
      case 'new':
        return s().newDoc();
      case 'open':
        if (s().openText(cmd.doc.text, cmd.doc.origin) && !cmd.trusted) s().notify(RESTRICTED_NOTICE, 'error');
        return;
      case 'save':
        if ((await s().save()) === 'needs-path') desktop.fileAction('saveAs');
        return;
      case 'saveAs':
        // The native dialog has already asked about replacing an existing file.
        await s().saveAs(cmd.path, true);
        return;
      case 'export':
        try {
          if (!host) throw new Error('not connected to the runtime host');
          await host.call('writeFile', { path: cmd.path, text: s().text(), overwrite: true });
          s().notify(`exported ${cmd.path}`);
        } catch (err) {
          s().notify(`cannot export: ${(err as Error).message}`, 'error');
        }
        return;
      case 'run':
        return s().run();
      case 'stop':
        return s().stop();
      case 'validate': {
        s().validate();
        const n = s().problems.length;
        s().notify(n === 0 ? 'the pipeline is valid' : `${n} problem${n === 1 ? '' : 's'} (see Problems)`, n === 0 ? 'info' : 'error');
        return;
      }
    }
  };

  const offs = [
    store.subscribe(report),
    // The main process asks natively before code runs; when the user said no there, the page does
    // not ask a second time: it says why the pipeline does not run.
    store.subscribe((now, before) => {
      if (now.trustPrompt && !before.trustPrompt) {
        store.setState({ trustPrompt: null });
        s().notify(RESTRICTED_NOTICE, 'error');
      }
    }),
    desktop.onCommand((cmd) => void perform(cmd).catch((err: unknown) => s().notify(String((err as Error)?.message ?? err), 'error'))),
    desktop.onHostStatus((status) => {
      if (status.state === 'crashed') s().notify(status.message, 'error');
    }),
  ];
  // The first report also tells the main process the page is ready for commands.
  report();
  return () => {
    for (const off of offs) off();
  };
}
