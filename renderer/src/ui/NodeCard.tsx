// A node on the canvas: its ports (main flow left → right; side outputs such as errors, late and
// timeout along the bottom, drawn differently), and while running its live figures.
import { Handle, type NodeProps, Position, useStore as useFlowStore } from '@xyflow/react';
import { memo } from 'react';
import { nodeById } from '../model/doc.js';
import { DETAIL_ZOOM } from '../model/lod.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import type { NodeFigures } from '../../../runtime/host/contract.js';
import { bytes, compactRate, count, lag, rate, watermarkTime } from './format.js';
import { Sparkline } from './Sparkline.js';
import { useEditor, useLiveEditor, useRegistry } from './store-context.js';
import { keyedInput, stateText } from '../model/keyed.js';

/** A node the canvas cannot draw (a hand-edited file can hold anything) shows why, on its own. */
export const NodeCard = memo(function SafeNodeCard(props: NodeProps) {
  const node = useEditor((s) => nodeById(s.doc, props.id));
  return (
    <ErrorBoundary what={`Node ${props.id}`} resetKey={node}>
      <NodeCardBody {...props} />
    </ErrorBoundary>
  );
});

const NodeCardBody = memo(function NodeCardBody({ id, selected }: NodeProps) {
  const registry = useRegistry();
  const node = useEditor((s) => nodeById(s.doc, id));
  const problems = useEditor((s) => s.problems.filter((p) => p.nodeId === id && p.severity !== 'warning').length);
  const warnings = useEditor((s) => s.problems.filter((p) => p.nodeId === id && p.severity === 'warning').length);
  const failure = useEditor((s) => (s.runError?.nodeId === id ? s.runError.message : null));
  // Level of detail: zoomed far out, the small print is unreadable; drawing only the headline
  // figure keeps a few hundred live nodes cheap to paint.
  const far = useFlowStore((s) => s.transform[2] < DETAIL_ZOOM);
  const spec = node && registry.get(node.type);
  if (!node) return null;
  const outs = spec?.outputs ?? [];
  const main = outs.filter((_, i) => i === 0);
  const side = outs.slice(1);
  const isSink = spec?.category === 'sink';
  return (
    <div className={`node-card cat-${spec?.category ?? 'unknown'} ${far ? 'far' : ''} ${selected ? 'selected' : ''} ${problems > 0 ? 'has-problems' : ''} ${failure !== null ? 'failed' : ''}`} data-node={id}>
      {(spec?.inputs ?? []).map((p, i, all) => (
        // Nodes with several inputs (joins: left/right, broadcast: main/broadcast) name each handle.
        <Handle key={p.name} type="target" position={Position.Left} id={p.name} className={`port in${all.length > 1 ? ' named' : ''}`} style={{ top: `${((i + 1) * 100) / (all.length + 1)}%` }} title={`${p.name}: ${p.doc}`}>
          {all.length > 1 && <span className="port-label">{p.name}</span>}
        </Handle>
      ))}
      <div className="node-head">
        <span className="node-label">{typeof node.label === 'string' ? node.label : node.id}</span>
        {problems > 0 && (
          <span className="badge problems" title={`${problems} problem${problems === 1 ? '' : 's'}`}>
            {problems}
          </span>
        )}
        {warnings > 0 && (
          <span className="badge warnings" title={`${warnings} warning${warnings === 1 ? '' : 's'}`}>
            {warnings}
          </span>
        )}
      </div>
      {failure !== null && (
        <div className="node-failure" role="status" title={failure} data-testid={`failure-${id}`}>
          run failed: {failure}
        </div>
      )}
      <div className="node-sub">
        <span className="node-id">{node.id}</span> · <span className="node-type">{node.type}</span>
      </div>
      {far ? <FarFigures id={id} sink={isSink} window={node.type === 'window'} /> : <Figures id={id} sink={isSink} source={spec?.inputs.length === 0} window={node.type === 'window'} />}
      {main.map((p) => (
        <Handle key={p.name} type="source" position={Position.Right} id={p.name} className="port out" title={`${p.name}: ${p.doc}`} />
      ))}
      {side.map((p, i) => (
        <Handle key={p.name} type="source" position={Position.Bottom} id={p.name} className={`port side side-${p.name}`} style={{ left: `${((i + 1) * 100) / (side.length + 1)}%` }} title={`${p.name}: ${p.doc}`}>
          <span className="port-label">{p.name}</span>
        </Handle>
      ))}
    </div>
  );
});

/** Zoomed out: one rounded rate (and for windows when the next fires), which change rarely, so
 * hundreds of nodes stay cheap; the text is scaled to read at 11 px or more (model/lod.ts). */
function FarFigures({ id, sink, window }: { id: string; sink: boolean; window: boolean }) {
  const r = useLiveEditor((s) => {
    const f = s.figures[id];
    return f ? compactRate(sink ? f.rateIn : f.rateOut) : null;
  });
  const errors = useLiveEditor((s) => (s.figures[id]?.errors ?? 0) > 0);
  const fires = useLiveEditor((s) => (window ? (s.figures[id]?.window?.nextFire ?? null) : null));
  if (r === null) return null;
  return (
    <div className={`figures far ${window ? 'window' : ''}`} data-testid={`figures-${id}`}>
      <div>
        <b>{r}</b>/s {errors && <span className="errors">err</span>}
      </div>
      {window && <div className="far-sub">{fires === null ? 'no window open' : `fires ${watermarkTime(fires).slice(11)}`}</div>}
    </div>
  );
}

function Figures({ id, sink, source, window }: { id: string; sink: boolean; source: boolean; window: boolean }) {
  const fig = useLiveEditor((s) => s.figures[id]);
  const spark = useLiveEditor((s) => s.spark[id]);
  const registry = useRegistry();
  const keyed = useEditor((s) => keyedInput(s.doc, registry, id));
  if (!fig) return null;
  // Rows are always drawn (empty or not) so a node's height never changes while it runs.
  return (
    <div className={`figures ${window ? 'window' : ''}`} data-testid={`figures-${id}`}>
      <div className="rates">
        {!source && (
          <span title="records per second in">
            in <b data-fig="rate-in">{rate(fig.rateIn)}</b>/s
          </span>
        )}
        {!sink && (
          <span title="records per second out">
            out <b data-fig="rate-out">{rate(fig.rateOut)}</b>/s
          </span>
        )}
        <span title="records so far" data-fig="total" className="total">
          {count(sink ? fig.recordsIn : fig.recordsOut)}
        </span>
      </div>
      <Sparkline values={spark ?? []} width={216} />
      <div className="meta" title={`watermark (event time, UTC): ${fig.watermark ?? 'none yet'}`} data-fig="watermark">
        wm {watermarkTime(fig.watermark)}
        {typeof fig.watermark === 'number' && <span className="lag"> · lag {lag(Date.now() - fig.watermark)}</span>}
      </div>
      {window && <WindowTiming fig={fig} />}
      {fig.flink && <FlinkChain fig={fig} />}
      <div className="meta">
        {fig.stateKeys > 0 && (
          <span title={keyed ? 'keyed state: keys · approximate bytes' : 'state (no keyBy upstream: one global key): entries · approximate bytes'} data-fig="state">
            {stateText(keyed, count(fig.stateKeys))} · {bytes(fig.stateBytes)}
          </span>
        )}
        {fig.partialMatches !== undefined && (
          <span title="partial matches alive" data-fig="partial">
            {count(fig.partialMatches)} partial
          </span>
        )}
        {fig.errors > 0 && (
          <span className="errors" title="records that failed (see Run problems)" data-fig="errors">
            {count(fig.errors)} err
          </span>
        )}
        {fig.late > 0 && <span title="late records">{count(fig.late)} late</span>}
      </div>
    </div>
  );
}

/** On Flink: the task (vertex) the node runs in. Chained operators share it, so busy and
 * back-pressured time are the whole chain's; records, rates and watermark are the node's own. */
function FlinkChain({ fig }: { fig: NodeFigures }) {
  const f = fig.flink!;
  const others = f.chain.length - 1;
  const pct = (ms: number | null) => (ms === null ? '–' : `${Math.round(ms / 10)}%`);
  return (
    <div
      className="meta flink-chain"
      data-fig="flink-chain"
      title={`Flink vertex "${f.vertexName}" (parallelism ${f.parallelism})${others > 0 ? `, chained with ${f.chain.filter((id) => id !== fig.id).join(', ')}` : ''}.\nBusy and back-pressured time are per chain (the busiest subtask); records, rates and watermark are this node's own operator's${f.watermarkOfChain ? ', except the watermark: the chain\'s input watermark' : ''}.`}
    >
      {others > 0 ? `chain of ${f.chain.length}` : 'own task'} ×{f.parallelism} · per chain: busy {pct(f.busy)}, backpressure {pct(f.backPressured)}
    </div>
  );
}

/** When the next window fires and how many are open (event time: once the watermark gets there). */
function WindowTiming({ fig }: { fig: NodeFigures }) {
  const w = fig.window;
  if (!w) return <div className="meta">&nbsp;</div>;
  const fire = w.nextFire;
  const wait = fire === null ? null : w.processingTime ? fire - Date.now() : typeof fig.watermark === 'number' ? fire - fig.watermark : null;
  return (
    <div className="meta" data-fig="window" title={fire === null ? 'no window is open' : `next window fires at ${new Date(fire).toISOString()} (${w.processingTime ? 'wall clock' : 'when the watermark reaches it'})`}>
      {fire === null ? 'no window open' : `fires ${watermarkTime(fire).slice(11)}`}
      {wait !== null && wait > 0 && <span> in {lag(wait)}</span>}
      <span className="open-windows">
        {' '}
        · {count(w.openWindows)} open
      </span>
    </div>
  );
}
