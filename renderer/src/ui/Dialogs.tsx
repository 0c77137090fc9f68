// Modal dialogs: open a workspace file (or one from this computer), the template gallery, save as,
// and the trust prompt for pipelines that contain code, use files outside their folder or read the environment.
import { useEffect, useState } from 'react';
import type { FileEntry } from '../../../runtime/host/contract.js';
import type { HostClient } from '../../../runtime/host/rpc.js';
import { confirmDiscard, type DialogKind, openLocalFile } from './files.js';
import { useEditor, useEditorStore } from './store-context.js';

function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: React.ReactNode }) {
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [onClose]);
  return (
    <div className="modal-back" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-label={title} aria-modal="true">
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

function FileList({ entries, onPick }: { entries: readonly FileEntry[] | null; onPick: (e: FileEntry) => void }) {
  if (entries === null) return <p className="hint">Loading…</p>;
  if (entries.length === 0) return <p className="hint">No pipeline files here yet.</p>;
  return (
    <ul className="file-list">
      {entries.map((e) => (
        <li key={e.path}>
          <button type="button" onClick={() => onPick(e)} data-path={e.path}>
            <b>{e.name}</b> <span className="mono">{e.path}</span> <span className="hint">{e.nodes} nodes</span>
            {e.description && <div className="hint">{e.description}</div>}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function Dialogs({ kind, close, host }: { kind: DialogKind; close: () => void; host: HostClient | null }) {
  const store = useEditorStore();
  const [entries, setEntries] = useState<readonly FileEntry[] | null>(null);
  const origin = useEditor((s) => s.origin);
  const [path, setPath] = useState('');
  const [confirmOverwrite, setConfirmOverwrite] = useState(false);
  useEffect(() => {
    setEntries(null);
    setConfirmOverwrite(false);
    if (kind === 'saveAs') setPath(origin.kind === 'file' ? origin.path : `${(store.getState().doc.name || 'pipeline').replace(/[^\w.-]+/g, '-')}.json`);
    if (!host || (kind !== 'open' && kind !== 'templates')) return;
    host.call(kind === 'open' ? 'listFiles' : 'listTemplates', {}).then(setEntries, (err: Error) => store.getState().notify(err.message, 'error'));
  }, [kind, host]);
  if (kind === 'open')
    return (
      <Modal title="Open a pipeline" onClose={close}>
        <FileList entries={entries} onPick={(e) => confirmDiscard(store) && void store.getState().openFile(e.path).then((ok) => ok && close())} />
        <label className="from-computer">
          From this computer…
          <input
            type="file"
            accept=".json,application/json"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void openLocalFile(store, f).then(close);
            }}
          />
        </label>
      </Modal>
    );
  if (kind === 'templates')
    return (
      <Modal title="Templates" onClose={close}>
        <FileList entries={entries} onPick={(e) => confirmDiscard(store) && void store.getState().openTemplate(e.path).then((ok) => ok && close())} />
      </Modal>
    );
  if (kind === 'saveAs')
    return (
      <Modal title="Save as" onClose={close}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void store
              .getState()
              .saveAs(path, confirmOverwrite)
              .then((r) => {
                if (r === 'saved') close();
                if (r === 'exists') setConfirmOverwrite(true);
              });
          }}
        >
          <label className="field-label" htmlFor="save-path">
            path in the workspace
          </label>
          <input id="save-path" name="save-path" value={path} onChange={(e) => (setPath(e.target.value), setConfirmOverwrite(false))} autoFocus />
          {confirmOverwrite && <p className="field-problems">{path} exists. Save again to replace it.</p>}
          <div className="buttons">
            <button type="submit">{confirmOverwrite ? 'Replace' : 'Save'}</button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      </Modal>
    );
  return null;
}

export function TrustDialog() {
  const prompt = useEditor((s) => s.trustPrompt);
  const store = useEditorStore();
  if (!prompt) return null;
  return (
    <Modal title="Trust this pipeline?" onClose={() => store.getState().dismissTrust()}>
      <p>This pipeline does things that run with your permissions on this machine, or reads what it holds:</p>
      <ul className="trust-reasons">
        {prompt.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      <p>
        Run it only if you wrote it or trust where it came from. The decision is remembered for this exact content; changing it
        asks again.
      </p>
      <div className="buttons">
        <button type="button" className="danger" onClick={() => void store.getState().trustAndRun()}>
          Trust and run
        </button>
        <button type="button" onClick={() => store.getState().dismissTrust()}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

export function Notice() {
  const notice = useEditor((s) => s.notice);
  const store = useEditorStore();
  useEffect(() => {
    if (!notice || notice.kind === 'error') return;
    const t = setTimeout(() => store.setState({ notice: null }), 3000);
    return () => clearTimeout(t);
  }, [notice, store]);
  if (!notice) return null;
  return (
    <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} onClick={() => store.setState({ notice: null })}>
      {notice.text}
    </div>
  );
}
