// The right-hand panel: the selected node's id, label and params form (from its spec), the selected
// edge (with its tap), or the pipeline's own name and description.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CepStep } from '../model/cep.js';
import { nodeById } from '../model/doc.js';
import { inputFields } from '../model/fields.js';
import { objectFields, paramsSchema } from '../model/form.js';
import { CODE_STARTER, EITHER_OR, hiddenFields } from '../model/relevant.js';
import { paramKey, problemText } from '../model/problems.js';
import { CepEditor } from './CepEditor.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { ModelInfoPanel } from './ModelInfo.js';
import { rate as rateText } from './format.js';
import { NodeLive } from './NodeLive.js';
import { Field, FieldList, type FormContext, JsonField } from './SchemaForm.js';
import { useEditor, useEditorStore, useRegistry } from './store-context.js';

const isStep = (s: unknown): boolean => s !== null && typeof s === 'object' && !Array.isArray(s);

export function Inspector() {
  const selection = useEditor((s) => s.selection);
  return (
    <aside className="inspector" aria-label="Inspector">
      {selection.nodes.length === 1 ? <SafeNodeInspector nodeId={selection.nodes[0]!} /> : selection.edge ? <EdgeInspector edge={selection.edge} /> : selection.nodes.length > 1 ? <p className="hint">{selection.nodes.length} nodes selected</p> : <PipelineInspector />}
    </aside>
  );
}

function PipelineInspector() {
  const name = useEditor((s) => s.doc.name ?? '');
  const description = useEditor((s) => (typeof s.doc.description === 'string' ? s.doc.description : ''));
  const store = useEditorStore();
  return (
    <div className="pipeline-inspector">
      <h2>Pipeline</h2>
      <label className="field-label" htmlFor="pipeline-name">
        name
      </label>
      <input id="pipeline-name" name="pipeline-name" value={name} onChange={(e) => store.getState().setName(e.target.value)} />
      <label className="field-label" htmlFor="pipeline-description">
        description
      </label>
      <textarea id="pipeline-description" name="pipeline-description" rows={4} value={description} onChange={(e) => store.getState().edit((d) => ({ ...d, description: e.target.value === '' ? undefined : e.target.value }), 'description')} />
      <p className="hint">Drag nodes from the palette, connect an output (right) to an input (left), select a node to configure it. Click an edge while running to tap its records.</p>
    </div>
  );
}

function EdgeInspector({ edge }: { edge: string }) {
  const store = useEditorStore();
  const running = useEditor((s) => s.runStatus === 'running');
  const rate = useEditor((s) => s.edgeRates[edge]);
  return (
    <div>
      <h2>Edge</h2>
      <p className="mono">{edge.replace('->', ' → ')}</p>
      {rate !== undefined && <p data-testid="edge-rate">{rateText(rate)} records/s</p>}
      <button type="button" onClick={() => void store.getState().openTap(edge)}>
        Tap this edge
      </button>
      {!running && <p className="hint">Taps show records while the pipeline runs.</p>}
      <button type="button" onClick={() => store.getState().deleteSelection()}>
        Delete edge
      </button>
    </div>
  );
}

/** The form renders whatever the document holds: a shape it cannot show costs this panel only. */
function SafeNodeInspector({ nodeId }: { nodeId: string }) {
  const node = useEditor((s) => nodeById(s.doc, nodeId));
  return (
    <ErrorBoundary what={`The form of ${nodeId}`} resetKey={node}>
      <NodeInspector nodeId={nodeId} />
    </ErrorBoundary>
  );
}

function NodeInspector({ nodeId }: { nodeId: string }) {
  const store = useEditorStore();
  const registry = useRegistry();
  const node = useEditor((s) => nodeById(s.doc, nodeId));
  const edges = useEditor((s) => s.doc.edges);
  const nodes = useEditor((s) => s.doc.nodes);
  const sampled = useEditor((s) => s.sampled);
  const allProblems = useEditor((s) => s.problems);
  const focus = useEditor((s) => s.focus);
  const [idText, setIdText] = useState(nodeId);
  const [idError, setIdError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setIdText(nodeId);
    setIdError(null);
  }, [nodeId]);
  const spec = node && registry.get(node.type);
  // Field completion: what the records reaching this node carry.
  const fields = useMemo(() => inputFields({ ...store.getState().doc, nodes, edges }, registry, nodeId, sampled), [nodes, edges, nodeId, sampled, registry, store]);
  const problems = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const p of allProblems) if (p.nodeId === nodeId && p.param) m.set(paramKey(p.param), [...(m.get(paramKey(p.param)) ?? []), problemText(p)]);
    return m;
  }, [allProblems, nodeId]);
  const nodeProblems = allProblems.filter((p) => p.nodeId === nodeId && (!p.param || p.param.length === 0));

  // Reveal the field a problem names.
  useEffect(() => {
    if (!focus || focus.nodeId !== nodeId || !root.current) return;
    const key = focus.param ? paramKey(focus.param) : '';
    let el: Element | null = null;
    for (let k = focus.param?.length ?? 0; k > 0 && !el; k--) el = root.current.querySelector(`[data-param="${CSS.escape(paramKey(focus.param!.slice(0, k)))}"]`);
    el ??= root.current;
    el.scrollIntoView({ block: 'center' });
    el.classList.add('flash');
    setTimeout(() => el!.classList.remove('flash'), 1200);
    const input = el.querySelector<HTMLElement>('input, select, textarea');
    if (key && input) input.focus();
  }, [focus, nodeId]);

  if (!node || !spec) return <p className="hint">Unknown node type {node?.type}</p>;
  const schema = paramsSchema(spec);
  const params = (node.params ?? {}) as Record<string, unknown>;
  const ctx: FormContext = {
    nodeId,
    fields,
    problems,
    set: (path, value) => store.getState().setParam(nodeId, path, value),
    custom: (key, value, set) =>
      // Steps that are not objects (a hand-edited file) are left to the generic list form.
      node.type === 'cep' && key === 'pattern' && (value === undefined || (Array.isArray(value) && value.every(isStep))) ? (
        <CepEditor nodeId={nodeId} steps={(value ?? []) as CepStep[]} onChange={set} fields={fields} problems={problems} />
      ) : null,
    hidden: (path, value) => hiddenFields(node.type, path, value),
  };
  const hiddenTop = hiddenFields(node.type, [], params);
  const pair = EITHER_OR[node.type];
  // Switch between the expression and code forms of an "either … or code" node.
  const switchTo = pair && (params[pair[1]] === undefined ? 'code' : params[pair[0]] === undefined ? 'expression' : null);
  const doSwitch = () => {
    if (!pair) return;
    const [expr, code] = pair;
    const next = { ...params };
    if (switchTo === 'code') {
      delete next[expr];
      next[code] = CODE_STARTER[node.type] ?? '';
    } else {
      delete next[code];
      next[expr] = '';
    }
    store.getState().setParams(nodeId, next);
  };
  const model = node.type === 'infer' && params.model !== null && typeof params.model === 'object' ? (params.model as Record<string, unknown>) : null;
  const onnxPath = model?.kind === 'onnx' && typeof model.path === 'string' && model.path !== '' ? model.path : null;
  const commitId = () => {
    const err = store.getState().renameNode(nodeId, idText.trim());
    setIdError(err);
  };
  return (
    <div className="node-inspector" ref={root} data-node={nodeId}>
      <h2>
        {spec.title} <span className="type">{spec.type}</span>
      </h2>
      <NodeDoc doc={spec.doc} />
      <div className="field" data-param="">
        <label className="field-label" htmlFor="node-id">
          id
        </label>
        <input id="node-id" name="node-id" value={idText} onChange={(e) => setIdText(e.target.value)} onBlur={commitId} onKeyDown={(e) => e.key === 'Enter' && commitId()} />
        {idError && <div className="field-problems">{idError}</div>}
      </div>
      <div className="field">
        <label className="field-label" htmlFor="node-label">
          label
        </label>
        <input id="node-label" name="node-label" value={typeof node.label === 'string' ? node.label : ''} onChange={(e) => store.getState().setLabel(nodeId, e.target.value)} />
      </div>
      {nodeProblems.map((p) => (
        <div className={`field-problems ${p.severity === 'warning' ? 'warning' : ''}`} key={p.message}>
          {problemText(p)}
        </div>
      ))}
      <NodeLive nodeId={nodeId} type={node.type} />
      {onnxPath && <ModelInfoPanel path={onnxPath} />}
      <div className="params">
        <FieldList ctx={ctx} />
        {schema['x-raw'] ? (
          <JsonField key={nodeId} name="params" value={params} onChange={(v) => store.getState().setParams(nodeId, (v ?? {}) as Record<string, unknown>)} />
        ) : (
          objectFields(schema)
            .filter((f) => !hiddenTop.has(f.key))
            .map((f) => <Field key={f.key} field={f} value={params[f.key]} path={[f.key]} ctx={ctx} />)
        )}
        {switchTo && (
          <button type="button" className="switch-form" onClick={doSwitch} data-testid="switch-form">
            {switchTo === 'code' ? 'Write code instead' : 'Write an expression instead'}
          </button>
        )}
      </div>
      {fields.length > 0 && (
        <details className="fields-in">
          <summary>{fields.length} input fields</summary>
          <ul>
            {fields.map((f) => (
              <li key={f.name} title={f.doc}>
                <code>{f.name}</code> {f.type && <span className="type">{f.type}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/**
 * The spec's doc: its first paragraph, whole sentences only (a paragraph that leads into a list,
 * "… with its default triggers:", is cut before that sentence), and the full text under "More".
 */
function NodeDoc({ doc }: { doc: string }) {
  const plain = doc.replace(/`/g, '');
  const first = plain.split('\n')[0]!;
  const lead = first.endsWith(':') ? first.slice(0, Math.max(0, first.lastIndexOf('. ', first.length - 2) + 1)) || first : first;
  // "More" holds what the lead leaves out, from where it stops.
  const rest = plain.slice(plain.startsWith(lead) ? lead.length : 0).trim();
  return (
    <div className="doc">
      <span className="doc-lead">{lead}</span>
      {rest && (
        <details className="doc-more">
          <summary>More</summary>
          <div className="doc-full">{rest}</div>
        </details>
      )}
    </div>
  );
}
