// The bottom panels: Problems (click one to jump to the node and field), the data tap (the latest
// records on an edge, as a table, pausable) and the console sink's output.
import { MiniMap } from '@xyflow/react';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { edgeId } from '../model/doc.js';
import type { PlacedProblem } from '../model/problems.js';
import type { TapRow } from '../store/tap-slice.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { RunProblemsPanel } from './RunProblemsPanel.js';
import { clockTime } from './format.js';
import { useEditor, useEditorStore } from './store-context.js';

export type PanelTab = 'problems' | 'run' | 'tap' | 'console';

export function BottomPanel({ tab, setTab, collapsed, minimap }: { tab: PanelTab; setTab: (t: PanelTab) => void; collapsed: boolean; minimap: boolean }) {
  const problems = useEditor((s) => s.problems.filter((p) => p.severity !== 'warning').length);
  const warnings = useEditor((s) => s.problems.filter((p) => p.severity === 'warning').length);
  const runFailures = useEditor((s) => Object.keys(s.runProblems).length);
  const tapOpen = useEditor((s) => s.tap !== null);
  const lines = useEditor((s) => s.consoleLines.length);
  return (
    <section className={`bottom ${collapsed ? 'collapsed' : ''}`} aria-label="Panels">
      <div className="bottom-main">
      <div className="tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'problems'} onClick={() => setTab('problems')}>
          Problems {problems > 0 && <span className="badge problems">{problems}</span>}
          {warnings > 0 && (
            <span className="badge warnings" title={`${warnings} warning${warnings === 1 ? '' : 's'}`}>
              {warnings}
            </span>
          )}
        </button>
        <button role="tab" aria-selected={tab === 'run'} onClick={() => setTab('run')}>
          Run problems {runFailures > 0 && <span className="badge problems">{runFailures}</span>}
        </button>
        <button role="tab" aria-selected={tab === 'tap'} onClick={() => setTab('tap')}>
          Tap {tapOpen && <span className="badge">●</span>}
        </button>
        <button role="tab" aria-selected={tab === 'console'} onClick={() => setTab('console')}>
          Console {lines > 0 && <span className="badge">{lines}</span>}
        </button>
      </div>
      {!collapsed && (
        <div className="panel-body">
          <ErrorBoundary what="This panel" resetKey={tab}>
            {tab === 'problems' ? <ProblemsPanel /> : tab === 'run' ? <RunProblemsPanel /> : tab === 'tap' ? <TapPanel /> : <ConsolePanel />}
          </ErrorBoundary>
        </div>
      )}
      </div>
      {/* The overview map lives beside the panels, outside the canvas, so it never covers a node. */}
      {minimap && (
        <div className="minimap-slot" aria-label="Overview map">
          <MiniMap pannable zoomable nodeStrokeWidth={3} ariaLabel="Overview map of the canvas" bgColor="#ffffff" maskColor="rgba(220, 226, 234, 0.7)" nodeColor="#9aa5b4" />
        </div>
      )}
    </section>
  );
}

export function ProblemsPanel() {
  let problems = useEditor((s) => s.problems);
  const store = useEditorStore();
  const reveal = (p: PlacedProblem) => {
    const s = store.getState();
    if (p.nodeId) s.reveal(p.nodeId, p.param);
    else if (p.edge !== null && s.doc.edges[p.edge]) s.select({ nodes: [], edge: edgeId(s.doc.edges[p.edge]!) });
  };
  if (problems.length === 0) return <p className="hint ok">No problems: the pipeline is valid.</p>;
  // Errors first: they stop a run; warnings (unknown fields, loose ends) do not.
  problems = [...problems].sort((a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'));
  return (
    <ul className="problems" aria-label="Problems">
      {problems.map((p, i) => (
        <li key={i} className={p.severity === 'warning' ? 'warning' : 'error'}>
          <button type="button" onClick={() => reveal(p)} disabled={!p.nodeId && p.edge === null}>
            <span className="p-node">{p.nodeId ?? 'pipeline'}</span>
            <span className="p-path">{p.path}</span>
            <span className="p-msg">
              {p.severity === 'warning' && <span className="p-sev">warning: </span>}
              {p.message}
            </span>
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

/** Row height in px (styles.css `.tap td`): the table draws only the rows in view, plus a few. */
const ROW_PX = 20;
const OVERSCAN = 4;

/** A stable React key per record object: rows already drawn keep their cells when new ones arrive. */
const rowKeys = new WeakMap<TapRow, number>();
let nextRowKey = 0;
const keyOf = (r: TapRow) => {
  let k = rowKeys.get(r);
  if (k === undefined) rowKeys.set(r, (k = nextRowKey++));
  return k;
};

// `index`: the row's place among all rows (header = 1), for screen readers, which see only the
// rows drawn (WAI-ARIA aria-rowindex / aria-rowcount on a partly rendered table).
const TapTableRow = memo(function TapTableRow({ r, index, keyed, columns }: { r: TapRow; index: number; keyed: boolean; columns: readonly string[] }) {
  return (
    <tr aria-rowindex={index}>
      <td>{clockTime(r.ts)}</td>
      {keyed && <td>{cell(r.key)}</td>}
      {columns.map((c) => (
        <td key={c}>{cell((r.value as Record<string, unknown>)?.[c])}</td>
      ))}
    </tr>
  );
});

/** The rows of the scrolling panel that are in view: [first, last). */
function useRowWindow(anchor: React.RefObject<HTMLElement | null>, total: number, shown: boolean): [number, number] {
  const [view, setView] = useState<[number, number]>([0, Math.min(total, 30)]);
  useEffect(() => {
    const table = anchor.current;
    const scroller = table?.closest('.panel-body');
    if (!table || !scroller) return;
    const update = () => {
      const offset = table.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
      const first = Math.max(0, Math.floor(-offset / ROW_PX) - OVERSCAN);
      const last = first + Math.ceil(scroller.clientHeight / ROW_PX) + 2 * OVERSCAN;
      setView((v) => (v[0] === first && v[1] === last ? v : [first, last]));
    };
    update();
    scroller.addEventListener('scroll', update, { passive: true });
    const ro = new ResizeObserver(update);
    ro.observe(scroller);
    return () => {
      scroller.removeEventListener('scroll', update);
      ro.disconnect();
    };
  }, [anchor, shown]);
  return [Math.min(view[0], total), Math.min(view[1], total)];
}

export function TapPanel() {
  const tap = useEditor((s) => s.tap);
  const running = useEditor((s) => s.runStatus === 'running');
  const store = useEditorStore();
  const rows = tap?.rows ?? EMPTY;
  const columns = useMemo(() => {
    const cols = new Set<string>();
    for (const r of rows) if (r.value && typeof r.value === 'object' && !Array.isArray(r.value)) for (const k of Object.keys(r.value)) if (cols.size < 16) cols.add(k);
    return [...cols];
  }, [rows]);
  // The same column list while its names stay the same, so drawn rows need not render again.
  const stableColumns = useStable(columns);
  // Newest event time first (records on an edge need not arrive in time order); equal times keep
  // their arrival order, newest first.
  const newestFirst = useMemo(() => rows.map((r, i) => ({ r, i })).sort((a, b) => b.r.ts - a.r.ts || b.i - a.i).map((x) => x.r), [rows]);
  const body = useRef<HTMLTableSectionElement>(null);
  const [first, last] = useRowWindow(body, newestFirst.length, tap !== null);
  if (!tap) return <p className="hint">Click an edge on the canvas to tap it: its latest records show here while the pipeline runs.</p>;
  const keyed = rows.some((r) => r.key !== undefined);
  const span = stableColumns.length + 1 + (keyed ? 1 : 0);
  return (
    <div className="tap" data-testid="tap">
      <div className="tap-head">
        <span className="mono">{tap.edge.replace('->', ' → ')}</span>
        <span>{tap.seen.toLocaleString('en-US')} records passed</span>
        <span className="hint" data-testid="tap-rows">{newestFirst.length} latest</span>
        {!running && <span className="hint">not running</span>}
        <button type="button" onClick={() => void store.getState().pauseTap(!tap.paused)}>
          {tap.paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={() => void store.getState().closeTap()}>
          Close
        </button>
      </div>
      <table aria-rowcount={newestFirst.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            <th title="event time, newest first">time ↓</th>
            {keyed && <th>key</th>}
            {stableColumns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody ref={body} data-first={first}>
          {first > 0 && (
            <tr className="tap-spacer" aria-hidden="true">
              <td colSpan={span} style={{ height: first * ROW_PX }} />
            </tr>
          )}
          {newestFirst.slice(first, last).map((r, i) => (
            <TapTableRow key={keyOf(r)} r={r} index={first + i + 2} keyed={keyed} columns={stableColumns} />
          ))}
          {last < newestFirst.length && (
            <tr className="tap-spacer" aria-hidden="true">
              <td colSpan={span} style={{ height: (newestFirst.length - last) * ROW_PX }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

const EMPTY: readonly TapRow[] = [];

/** The previous array while the new one holds the same strings in the same order. */
function useStable(xs: readonly string[]): readonly string[] {
  const ref = useRef(xs);
  if (ref.current !== xs && (ref.current.length !== xs.length || ref.current.some((x, i) => x !== xs[i]))) ref.current = xs;
  return ref.current;
}

export function ConsolePanel() {
  const lines = useEditor((s) => s.consoleLines);
  if (lines.length === 0) return <p className="hint">Output of console sinks appears here.</p>;
  return <pre className="console">{lines.join('\n')}</pre>;
}
