// Keyboard shortcuts, as data: which key chord does what. Copy, cut and paste are not here: they
// use the browser's clipboard events, so the system clipboard works as usual.

export type Action = 'delete' | 'undo' | 'redo' | 'selectAll' | 'save' | 'saveAs' | 'open' | 'new' | 'run' | 'layout' | 'fit' | 'deselect';

export interface Chord {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

export const SHORTCUTS: readonly { readonly keys: string; readonly action: Action; readonly what: string }[] = [
  { keys: 'Delete / Backspace', action: 'delete', what: 'delete the selection' },
  { keys: 'Ctrl+Z', action: 'undo', what: 'undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', action: 'redo', what: 'redo' },
  { keys: 'Ctrl+A', action: 'selectAll', what: 'select all nodes' },
  { keys: 'Ctrl+S', action: 'save', what: 'save' },
  { keys: 'Ctrl+Shift+S', action: 'saveAs', what: 'save as' },
  { keys: 'Ctrl+O', action: 'open', what: 'open' },
  { keys: 'Alt+N', action: 'new', what: 'new pipeline' },
  { keys: 'Ctrl+Enter', action: 'run', what: 'run / stop' },
  { keys: 'Shift+L', action: 'layout', what: 'auto-layout' },
  { keys: 'Shift+1', action: 'fit', what: 'fit the view' },
  { keys: 'Escape', action: 'deselect', what: 'clear the selection' },
];

/** The action for a key chord (Ctrl and ⌘ are the same), or null. */
export function actionFor(e: Chord): Action | null {
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (k === 'y') return 'redo';
    if (k === 'a') return 'selectAll';
    if (k === 's') return e.shiftKey ? 'saveAs' : 'save';
    if (k === 'o') return 'open';
    if (k === 'Enter') return 'run';
    return null;
  }
  if (e.altKey && !mod && (k === 'n' || e.key === 'ñ')) return 'new';
  if (mod || e.altKey) return null;
  if (k === 'Delete' || k === 'Backspace') return 'delete';
  if (k === 'Escape') return 'deselect';
  if (e.shiftKey && k === 'l') return 'layout';
  if (e.shiftKey && (k === '!' || k === '1')) return 'fit';
  return null;
}
