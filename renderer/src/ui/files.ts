// File actions shared by the toolbar, the shortcuts and window drops.
import { desktopApi } from '../connection/desktop.js';
import type { EditorStore } from '../store/store.js';

export type DialogKind = 'open' | 'templates' | 'saveAs' | null;

export function confirmDiscard(store: EditorStore): boolean {
  return !store.getState().dirty || window.confirm('Discard unsaved changes?');
}

/** In the desktop app the main process does file actions with native dialogs and prompts. */
export function nativeFileAction(action: 'new' | 'open' | 'saveAs' | 'export'): boolean {
  const desktop = desktopApi();
  desktop?.fileAction(action);
  return desktop !== null;
}

export function newDocument(store: EditorStore): void {
  if (!nativeFileAction('new') && confirmDiscard(store)) store.getState().newDoc();
}

/** Download the pipeline as pretty JSON with stable key order (the saved form). */
export function exportJson(store: EditorStore): void {
  if (nativeFileAction('export')) return;
  const s = store.getState();
  const blob = new Blob([s.text()], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${(s.doc.name || 'pipeline').replace(/[^\w.-]+/g, '-')}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Open a JSON file the user dropped on the window or picked from their computer. */
export async function openLocalFile(store: EditorStore, file: File): Promise<void> {
  if (!confirmDiscard(store)) return;
  store.getState().openText(await file.text(), { kind: 'new' });
}

export async function save(store: EditorStore, openDialog: (d: DialogKind) => void): Promise<void> {
  const r = await store.getState().save();
  if (r === 'needs-path') openDialog('saveAs');
}
