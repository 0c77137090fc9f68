// The toolbar: files, edit, layout and Run/Stop.
import { useReactFlow } from '@xyflow/react';
import type { ReactNode } from 'react';
import { type DialogKind, exportJson, newDocument, save } from './files.js';
import { StopButtons } from './StopButtons.js';
import { useEditor, useEditorStore } from './store-context.js';

export function Toolbar({ openDialog, children }: { openDialog: (d: DialogKind) => void; children?: ReactNode }) {
  const store = useEditorStore();
  const flow = useReactFlow();
  const status = useEditor((s) => s.runStatus);
  const canUndo = useEditor((s) => s.history.past.length > 0);
  const canRedo = useEditor((s) => s.history.future.length > 0);
  const running = status === 'running' || status === 'starting';
  const s = () => store.getState();
  return (
    <header className="toolbar" role="toolbar" aria-label="Toolbar">
      <span className="brand">Tributary</span>
      <button type="button" title="New (Alt+N)" onClick={() => newDocument(store)}>
        New
      </button>
      <button type="button" title="Open (Ctrl+O)" onClick={() => openDialog('open')}>
        Open
      </button>
      <button type="button" title="Templates" onClick={() => openDialog('templates')}>
        Templates
      </button>
      <button type="button" title="Save (Ctrl+S)" onClick={() => void save(store, openDialog)}>
        Save
      </button>
      <button type="button" title="Save as (Ctrl+Shift+S)" onClick={() => openDialog('saveAs')}>
        Save as
      </button>
      <button type="button" title="Download the pipeline JSON" onClick={() => exportJson(store)}>
        Export
      </button>
      <span className="sep" />
      <button type="button" title="Undo (Ctrl+Z)" disabled={!canUndo} onClick={() => s().undo()}>
        Undo
      </button>
      <button type="button" title="Redo (Ctrl+Shift+Z)" disabled={!canRedo} onClick={() => s().redo()}>
        Redo
      </button>
      <button type="button" title="Auto-layout (Shift+L)" onClick={() => void s().autoLayout().then(() => requestAnimationFrame(() => void flow.fitView({ duration: 200 })))}>
        Layout
      </button>
      <button type="button" title="Fit view (Shift+1)" onClick={() => void flow.fitView({ duration: 200 })}>
        Fit
      </button>
      <span className="sep" />
      {running ? (
        <StopButtons />
      ) : (
        <>
          <button type="button" className="run" title="Run (Ctrl+Enter)" onClick={() => void s().run()}>
            ▶ Run
          </button>
          <button type="button" title="Submit the pipeline to an Apache Flink cluster and watch it here" onClick={() => s().openFlinkDialog()}>
            Run on Flink…
          </button>
        </>
      )}
      {children}
    </header>
  );
}
