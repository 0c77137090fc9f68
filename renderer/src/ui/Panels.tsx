// The bottom panels: Problems (click one to jump to the node and field), the data tap (the latest
// records on an edge, as a table, pausable) and the console sink's output.
import { useMemo } from 'react';
import { edgeId } from '../model/doc.js';
import type { PlacedProblem } from '../model/problems.js';
import type { TapRow } from '../store/tap-slice.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { clockTime } from './format.js';
import { useEditor, useEditorStore } from './store-context.js';

export type PanelTab = 'problems' | 'tap' | 'console';

export function BottomPanel({ tab, setTab }: { tab: PanelTab; setTab: (t: PanelTab) => void }) {
  const problems = useEditor((s) => s.problems.length);
  const tapOpen = useEditor((s) => s.tap !== null);
  const lines = useEditor((s) => s.consoleLines.length);
  return (
    <section className="bottom" aria-label="Panels">
      <div className="tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'problems'} onClick={() => setTab('problems')}>
          Problems {problems > 0 && <span className="badge problems">{problems}</span>}
        </button>
        <button role="tab" aria-selected={tab === 'tap'} onClick={() => setTab('tap')}>
          Tap {tapOpen && <span className="badge">●</span>}
        </button>
        <button role="tab" aria-selected={tab === 'console'} onClick={() => setTab('console')}>
          Console {lines > 0 && <span className="badge">{lines}</span>}
        </button>
      </div>
      <div className="panel-body">
        <ErrorBoundary what="This panel" resetKey={tab}>
          {tab === 'problems' ? <ProblemsPanel /> : tab === 'tap' ? <TapPanel /> : <ConsolePanel />}
        </ErrorBoundary>
      </div>
    </section>
  );
}

export function ProblemsPanel() {
  const problems = useEditor((s) => s.problems);
  const store = useEditorStore();
  const reveal = (p: PlacedProblem) => {
    const s = store.getState();
    if (p.nodeId) s.reveal(p.nodeId, p.param);
    else if (p.edge !== null && s.doc.edges[p.edge]) s.select({ nodes: [], edge: edgeId(s.doc.edges[p.edge]!) });
  };
  if (problems.length === 0) return <p className="hint ok">No problems: the pipeline is valid.</p>;
  return (
    <ul className="problems" aria-label="Problems">
      {problems.map((p, i) => (
        <li key={i}>
          <button type="button" onClick={() => reveal(p)} disabled={!p.nodeId && p.edge === null}>
            <span className="p-node">{p.nodeId ?? 'pipeline'}</span>
            <span className="p-path">{p.path}</span>
            <span className="p-msg">{p.message}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function cell(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function TapPanel() {
  const tap = useEditor((s) => s.tap);
  const running = useEditor((s) => s.runStatus === 'running');
  const store = useEditorStore();
  const rows = tap?.rows ?? [];
  const columns = useMemo(() => {
    const cols = new Set<string>();
    for (const r of rows) if (r.value && typeof r.value === 'object' && !Array.isArray(r.value)) for (const k of Object.keys(r.value)) if (cols.size < 16) cols.add(k);
    return [...cols];
  }, [rows]);
  if (!tap) return <p className="hint">Click an edge on the canvas to tap it: its latest records show here while the pipeline runs.</p>;
  const newestFirst = [...rows].reverse();
  const keyed = rows.some((r) => r.key !== undefined);
  return (
    <div className="tap" data-testid="tap">
      <div className="tap-head">
        <span className="mono">{tap.edge.replace('->', ' → ')}</span>
        <span>{tap.seen.toLocaleString('en-US')} records passed</span>
        {!running && <span className="hint">not running</span>}
        <button type="button" onClick={() => void store.getState().pauseTap(!tap.paused)}>
          {tap.paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={() => void store.getState().closeTap()}>
          Close
        </button>
      </div>
      <table>
        <thead>
          <tr>
            <th>time</th>
            {keyed && <th>key</th>}
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((r: TapRow, i) => (
            <tr key={i}>
              <td>{clockTime(r.ts)}</td>
              {keyed && <td>{cell(r.key)}</td>}
              {columns.map((c) => (
                <td key={c}>{cell((r.value as Record<string, unknown>)?.[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ConsolePanel() {
  const lines = useEditor((s) => s.consoleLines);
  if (lines.length === 0) return <p className="hint">Output of console sinks appears here.</p>;
  return <pre className="console">{lines.join('\n')}</pre>;
}
