// An edge with its live rate. Side-output edges (errors, late, timeout…) are dashed.
import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath, useStore as useFlowStore } from '@xyflow/react';
import { memo } from 'react';
import { rate } from './format.js';
import { useEditor, useLiveEditor } from './store-context.js';

export const RateEdge = memo(function RateEdge(props: EdgeProps) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, sourceHandleId } = props;
  // Zoomed very far out the labels are in the way: draw none, and follow no rates. Between that and
  // DETAIL_ZOOM they are scaled up (the canvas's --lod) so they stay readable.
  const far = useFlowStore((s) => s.transform[2] < 0.2);
  const r = useLiveEditor((s) => (far ? undefined : s.edgeRates[id]), [far]);
  const tapped = useEditor((s) => s.tap?.edge === id);
  const [path, lx, ly] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const side = sourceHandleId !== null && sourceHandleId !== undefined && sourceHandleId !== 'out';
  return (
    <>
      <BaseEdge id={id} path={path} className={`rate-edge ${side ? `side side-${sourceHandleId}` : ''} ${selected ? 'selected' : ''} ${tapped ? 'tapped' : ''}`} interactionWidth={16} />
      {!far && (r !== undefined || side) && (
        <EdgeLabelRenderer>
          <div className={`edge-label ${side ? 'side' : ''}`} style={{ transform: `translate(-50%, -50%) translate(${lx}px, ${ly}px)` }} data-edge={id}>
            {side && <span className="port-name">{sourceHandleId}</span>}
            {r !== undefined && <span data-fig="edge-rate">{rate(r)}/s</span>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});
