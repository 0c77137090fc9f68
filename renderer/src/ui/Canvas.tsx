// The canvas (@xyflow/react), controlled by the store: nodes and edges are derived from the
// document; drags, drops, connections and selection go back to it as edits.
import {
  Background,
  type Connection as FlowConnection,
  Controls,
  type Edge,
  type FinalConnectionState,
  type Node,
  type NodeChange,
  ReactFlow,
  useReactFlow,
  useStore as useFlowStore,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { edgeId, portOf } from '../model/doc.js';
import { checkConnection } from '../model/graph-ops.js';
import { lodScale } from '../model/lod.js';
import { NodeCard } from './NodeCard.js';
import { NODE_MIME } from './Palette.js';
import { RateEdge } from './RateEdge.js';
import { useEditor, useEditorStore, useRegistry } from './store-context.js';

const nodeTypes = { tributary: NodeCard };
const edgeTypes = { rate: RateEdge };

export function Canvas() {
  const store = useEditorStore();
  const registry = useRegistry();
  const flow = useReactFlow();
  const docNodes = useEditor((s) => s.doc.nodes);
  const docEdges = useEditor((s) => s.doc.edges);
  const selection = useEditor((s) => s.selection);
  // Sizes React Flow measured, kept here so re-derived nodes keep them (edges need them).
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const [measureTick, remeasured] = useState(0);
  const dragKey = useRef<string | null>(null);
  const opened = useEditor((s) => s.opened);
  // Canvas text grows as the view zooms out, so it reads at 11 px or more (model/lod.ts).
  const lod = useFlowStore((s) => lodScale(s.transform[2]));
  // A newly opened pipeline is fitted into view once its nodes have been measured.
  useEffect(() => {
    // (An empty canvas is not fitted: React Flow would queue the fit until the first drop.)
    if (store.getState().doc.nodes.length === 0) return;
    const t = setTimeout(() => void flow.fitView({ maxZoom: 1 }), 50);
    return () => clearTimeout(t);
  }, [opened, flow, store]);

  const selectedNodes = useMemo(() => new Set(selection.nodes), [selection.nodes]);
  const nodes: Node[] = useMemo(
    () =>
      docNodes.map((n) => ({
        id: n.id,
        type: 'tributary',
        position: n.position ?? { x: 0, y: 0 },
        data: {},
        selected: selectedNodes.has(n.id),
        measured: measured.current.get(n.id),
      })),
    [docNodes, selectedNodes, measureTick],
  );
  const edges: Edge[] = useMemo(
    () =>
      docEdges.map((e) => ({
        id: edgeId(e),
        source: e.from,
        sourceHandle: portOf.from(e),
        target: e.to,
        targetHandle: portOf.to(e),
        type: 'rate',
        selected: selection.edge === edgeId(e),
      })),
    [docEdges, selection.edge],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      const moves = new Map<string, { x: number; y: number }>();
      let sel: Set<string> | null = null;
      let sized = false;
      for (const c of changes) {
        if (c.type === 'position' && c.position) {
          moves.set(c.id, c.position);
          if (!c.dragging) dragKey.current = null;
        } else if (c.type === 'dimensions' && c.dimensions) {
          measured.current.set(c.id, c.dimensions);
          sized = true;
        } else if (c.type === 'select') {
          sel ??= new Set(store.getState().selection.nodes);
          if (c.selected) sel.add(c.id);
          else sel.delete(c.id);
        }
      }
      if (moves.size > 0) {
        // One drag is one undo step.
        dragKey.current ??= `drag:${[...moves.keys()].join(',')}:${Date.now()}`;
        store.getState().moveNodes(moves, dragKey.current);
      }
      if (sel) store.getState().select({ nodes: [...sel], edge: null });
      if (sized) remeasured((n) => n + 1);
    },
    [store],
  );

  const isValidConnection = useCallback(
    (c: FlowConnection | Edge) => checkConnection(store.getState().doc, registry, { source: c.source, target: c.target, sourceHandle: c.sourceHandle ?? null, targetHandle: c.targetHandle ?? null }).ok,
    [store, registry],
  );

  const onConnect = useCallback((c: FlowConnection) => void store.getState().connect({ source: c.source, target: c.target, sourceHandle: c.sourceHandle ?? null, targetHandle: c.targetHandle ?? null }), [store]);

  // A refused connection says why.
  const onConnectEnd = useCallback(
    (_e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromNode || !state.toNode || !state.fromHandle) return;
      const from = state.fromHandle.type === 'source' ? { node: state.fromNode, handle: state.fromHandle } : { node: state.toNode, handle: state.toHandle };
      const to = state.fromHandle.type === 'source' ? { node: state.toNode, handle: state.toHandle } : { node: state.fromNode, handle: state.fromHandle };
      store.getState().connect({ source: from.node.id, sourceHandle: from.handle?.id ?? null, target: to.node.id, targetHandle: to.handle?.id ?? null });
    },
    [store],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(NODE_MIME);
      if (!type) return; // files bubble up to the window's drop handler
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      store.getState().addNode(type, { x: p.x - 100, y: p.y - 30 });
    },
    [flow, store],
  );

  return (
    <div className="canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} data-testid="canvas" style={{ '--lod': lod } as React.CSSProperties}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onEdgeClick={(_e, edge) => void store.getState().openTap(edge.id)}
        onPaneClick={() => store.getState().select({ nodes: [], edge: null })}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        minZoom={0.05}
        maxZoom={2}
        defaultViewport={{ x: 40, y: 40, zoom: 1 }}
        onlyRenderVisibleElements
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
