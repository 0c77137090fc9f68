// A node on the canvas: its ports (main flow left → right; side outputs such as errors, late and
// timeout along the bottom, drawn differently), and while running its live figures.
import { Handle, type NodeProps, Position, useStore as useFlowStore } from '@xyflow/react';
import { memo } from 'react';
import { nodeById } from '../model/doc.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { bytes, compactRate, count, rate, watermark } from './format.js';
import { Sparkline } from './Sparkline.js';
import { useEditor, useLiveEditor, useRegistry } from './store-context.js';

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
  const problems = useEditor((s) => s.problems.filter((p) => p.nodeId === id).length);
  const failed = useEditor((s) => s.runError?.nodeId === id);
  // Level of detail: zoomed far out, the small print is unreadable; drawing only the headline
  // figure keeps a few hundred live nodes cheap to paint.
  const far = useFlowStore((s) => s.transform[2] < 0.5);
  const spec = node && registry.get(node.type);
  if (!node) return null;
  const outs = spec?.outputs ?? [];
  const main = outs.filter((_, i) => i === 0);
  const side = outs.slice(1);
  const isSink = spec?.category === 'sink';
  return (
    <div className={`node-card cat-${spec?.category ?? 'unknown'} ${selected ? 'selected' : ''} ${problems > 0 ? 'has-problems' : ''} ${failed ? 'failed' : ''}`} data-node={id}>
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
      </div>
      <div className="node-sub">
        <span className="node-id">{node.id}</span> · <span className="node-type">{node.type}</span>
      </div>
      {far ? <FarFigures id={id} sink={isSink} /> : <Figures id={id} sink={isSink} source={spec?.inputs.length === 0} />}
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

/** Zoomed far out: one rounded rate, which changes rarely, so hundreds of nodes stay cheap. */
function FarFigures({ id, sink }: { id: string; sink: boolean }) {
  const r = useLiveEditor((s) => {
    const f = s.figures[id];
    return f ? compactRate(sink ? f.rateIn : f.rateOut) : null;
  });
  if (r === null) return null;
  return (
    <div className="figures far" data-testid={`figures-${id}`}>
      <b>{r}</b>/s
    </div>
  );
}

function Figures({ id, sink, source }: { id: string; sink: boolean; source: boolean }) {
  const fig = useLiveEditor((s) => s.figures[id]);
  const spark = useLiveEditor((s) => s.spark[id]);
  if (!fig) return null;
  return (
    <div className="figures" data-testid={`figures-${id}`}>
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
      <Sparkline values={spark ?? []} width={196} />
      <div className="meta">
        <span title="watermark (event time, UTC)">wm {watermark(fig.watermark)}</span>
        {fig.stateKeys > 0 && (
          <span title="keyed state" data-fig="state">
            {count(fig.stateKeys)} keys · {bytes(fig.stateBytes)}
          </span>
        )}
        {fig.partialMatches !== undefined && (
          <span title="partial matches alive" data-fig="partial">
            {count(fig.partialMatches)} partial
          </span>
        )}
        {fig.errors > 0 && (
          <span className="errors" title="records that failed" data-fig="errors">
            {count(fig.errors)} err
          </span>
        )}
        {fig.late > 0 && <span title="late records">{count(fig.late)} late</span>}
      </div>
    </div>
  );
}
