// The editor's frame: toolbar, palette, canvas, inspector, panels and status bar, plus the
// window-level behaviour (shortcuts, clipboard, dropping a JSON file, leaving with unsaved work).
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useState } from 'react';
import { DEFAULT_PANES, gridTemplate, LIMITS, loadPanes, type Panes, resize } from '../model/panes.js';
import type { HostClient } from '../../../runtime/host/rpc.js';
import { nodeById } from '../model/doc.js';
import { isFragment } from '../model/graph-ops.js';
import { desktopApi } from '../connection/desktop.js';
import { actionFor } from '../model/shortcuts.js';
import { Canvas } from './Canvas.js';
import { Dialogs, Notice, TrustDialog } from './Dialogs.js';
import { FlinkDialog } from './FlinkDialog.js';
import { type DialogKind, nativeFileAction, newDocument, openLocalFile, save } from './files.js';
import { Inspector } from './Inspector.js';
import { Palette } from './Palette.js';
import { ResumeOffer } from './ResumeOffer.js';
import { BottomPanel, type PanelTab } from './Panels.js';
import { StatusBar } from './StatusBar.js';
import { useEditor, useEditorStore } from './store-context.js';
import { Splitter } from './Splitter.js';
import { Toolbar } from './Toolbar.js';
import { ViewToggles } from './ViewToggles.js';

const PANES_KEY = 'tributary.panes';

function storedPanes(): Panes {
  try {
    return loadPanes(localStorage.getItem(PANES_KEY));
  } catch {
    return DEFAULT_PANES; // storage refused (private mode, a sandbox): the defaults
  }
}

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.closest) return false;
  return el.closest('input, textarea, select, [contenteditable="true"], .monaco-editor') !== null;
}

function Frame({ host }: { host: HostClient | null }) {
  const store = useEditorStore();
  const flow = useReactFlow();
  const [dialog, showDialog] = useState<DialogKind>(null);
  // The desktop app opens and saves with native dialogs; the template gallery stays in the page.
  const setDialog = useCallback((d: DialogKind) => ((d === 'open' || d === 'saveAs') && nativeFileAction(d)) || showDialog(d), []);
  const [tab, setTab] = useState<PanelTab>('problems');
  const tapEdge = useEditor((s) => s.tap?.edge ?? null);
  // The CEP step editor lays steps out in a row: give the inspector room while it shows.
  const wide = useEditor((s) => s.selection.nodes.length === 1 && nodeById(s.doc, s.selection.nodes[0]!)?.type === 'cep');
  useEffect(() => {
    if (tapEdge) setTab('tap');
  }, [tapEdge]);
  // A run that fails, or records that fail while it runs, open the Run problems panel.
  const failedRun = useEditor((s) => s.runError !== null || Object.keys(s.runProblems).length > 0);
  useEffect(() => {
    if (failedRun) setTab('run');
  }, [failedRun]);
  const [panes, setPanesState] = useState<Panes>(storedPanes);
  const setPanes = useCallback((p: Panes) => {
    setPanesState(p);
    try {
      localStorage.setItem(PANES_KEY, JSON.stringify(p));
    } catch {
      /* not kept: the layout still applies to this page */
    }
  }, []);
  const grid = gridTemplate(panes, wide ? 620 : 0);

  const addAtCenter = useCallback(
    (type: string) => {
      const el = document.querySelector('.canvas')!.getBoundingClientRect();
      const p = flow.screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 });
      store.getState().addNode(type, p);
    },
    [flow, store],
  );

  useEffect(() => {
    const s = () => store.getState();
    const desktop = desktopApi() !== null;
    const onKey = (e: KeyboardEvent) => {
      const action = actionFor(e);
      if (!action) return;
      // In the desktop app the menu owns the file chords: left unhandled, they reach its accelerators.
      if (desktop && (action === 'save' || action === 'saveAs' || action === 'open')) return;
      // Inside a text field, only the file and run chords apply; editing keys belong to the field.
      if (typingIn(e.target) && !['save', 'saveAs', 'open', 'run'].includes(action)) return;
      e.preventDefault();
      switch (action) {
        case 'delete': return s().deleteSelection();
        case 'undo': return s().undo();
        case 'redo': return s().redo();
        case 'selectAll': return s().selectAll();
        case 'save': return void save(store, setDialog);
        case 'saveAs': return setDialog('saveAs');
        case 'open': return setDialog('open');
        case 'new': return newDocument(store);
        case 'run': return void (s().runStatus === 'running' ? s().stop() : s().run());
        case 'layout': return void s().autoLayout().then(() => requestAnimationFrame(() => void flow.fitView({ duration: 200 })));
        case 'fit': return void flow.fitView({ duration: 200 });
        case 'deselect': return s().select({ nodes: [], edge: null });
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      if (typingIn(e.target) || window.getSelection()?.toString()) return;
      const frag = s().copy();
      if (!frag) return;
      e.clipboardData?.setData('text/plain', JSON.stringify(frag, null, 2));
      e.preventDefault();
      if (e.type === 'cut') s().deleteSelection();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (typingIn(e.target)) return;
      let frag: unknown = null;
      try {
        frag = JSON.parse(e.clipboardData?.getData('text/plain') ?? '');
      } catch {
        /* not ours: paste what copy kept */
      }
      e.preventDefault();
      s().paste(isFragment(frag) ? frag : undefined);
    };
    const onDrop = (e: DragEvent) => {
      const file = [...(e.dataTransfer?.files ?? [])].find((f) => f.name.endsWith('.json') || f.type === 'application/json');
      e.preventDefault();
      if (file) void openLocalFile(store, file);
    };
    const onDragOver = (e: DragEvent) => e.preventDefault();
    const onLeave = (e: BeforeUnloadEvent) => {
      if (s().dirty) e.preventDefault();
    };
    // One table of listeners, added and removed together.
    const listeners: [Window | Document, string, (e: any) => void][] = [
      [window, 'keydown', onKey],
      [document, 'copy', onCopy],
      [document, 'cut', onCopy],
      [document, 'paste', onPaste],
      [window, 'drop', onDrop],
      [window, 'dragover', onDragOver],
      [window, 'beforeunload', onLeave],
    ];
    for (const [target, type, fn] of listeners) target.addEventListener(type, fn);
    return () => {
      for (const [target, type, fn] of listeners) target.removeEventListener(type, fn);
    };
  }, [store, flow, setDialog]);

  return (
    <div
      className={`app ${wide ? 'wide-inspector' : ''} ${panes.showPalette ? '' : 'no-palette'} ${panes.showInspector ? '' : 'no-inspector'} ${panes.showBottom ? '' : 'no-bottom'}`}
      style={{ gridTemplateColumns: grid.columns, gridTemplateRows: grid.rows }}
    >
      <Toolbar openDialog={setDialog}>
        <ViewToggles panes={panes} setPanes={setPanes} />
      </Toolbar>
      {panes.showPalette && <Palette onAdd={addAtCenter} />}
      <Canvas />
      {panes.showInspector && <Inspector />}
      <BottomPanel tab={tab} setTab={setTab} collapsed={!panes.showBottom} minimap={panes.showMinimap && panes.showBottom} />
      {panes.showPalette && (
        <Splitter className="split-palette" label="Resize the palette" orientation="vertical" value={panes.palette} min={LIMITS.palette[0]} max={LIMITS.palette[1]} direction={1} onChange={(v) => setPanes(resize(panes, 'palette', v))} />
      )}
      {panes.showInspector && (
        <Splitter className="split-inspector" label="Resize the inspector" orientation="vertical" value={panes.inspector} min={LIMITS.inspector[0]} max={LIMITS.inspector[1]} direction={-1} onChange={(v) => setPanes(resize(panes, 'inspector', v))} />
      )}
      {panes.showBottom && (
        <Splitter className="split-bottom" label="Resize the bottom panel" orientation="horizontal" value={panes.bottom} min={LIMITS.bottom[0]} max={LIMITS.bottom[1]} direction={-1} onChange={(v) => setPanes(resize(panes, 'bottom', v))} />
      )}
      <StatusBar connected={host !== null} />
      <Dialogs kind={dialog} close={() => setDialog(null)} host={host} />
      <TrustDialog />
      <FlinkDialog />
      <ResumeOffer />
      <Notice />
    </div>
  );
}

export function App({ host }: { host: HostClient | null }) {
  return (
    <ReactFlowProvider>
      <Frame host={host} />
    </ReactFlowProvider>
  );
}
