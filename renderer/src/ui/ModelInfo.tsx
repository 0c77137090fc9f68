// An ONNX model's inputs, outputs (names, element types, shapes) and metadata, under the infer
// node's form, so features and outputs can be written against what the model takes and gives.
// Read by the host from the file (it follows the path as it is edited, a moment after typing stops).
import { useEffect, useState } from 'react';
import type { ModelInfo, ModelTensor } from '../../../runtime/host/contract.js';
import { useEditorStore } from './store-context.js';

/** A dynamic axis has no number: onnxruntime names it (`batch`) or leaves it empty. */
const dim = (d: number | string) => (typeof d === 'number' && d >= 0 ? String(d) : d === '' || d === -1 ? '?' : String(d));
const shape = (t: ModelTensor) => (t.shape.length === 0 ? '' : `[${t.shape.map(dim).join(', ')}]`);

function Tensors({ title, list }: { title: string; list: readonly ModelTensor[] }) {
  return (
    <table className="model-tensors">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">name</th>
          <th scope="col">type</th>
          <th scope="col">shape</th>
        </tr>
      </thead>
      <tbody>
        {list.map((t) => (
          <tr key={t.name}>
            <td>
              <code>{t.name}</code>
            </td>
            <td>{t.type}</td>
            <td className="mono">{t.zipMapLabels ? `classes ${t.zipMapLabels.join(', ')}` : shape(t)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ModelInfoPanel({ path }: { path: string }) {
  const store = useEditorStore();
  const [state, setState] = useState<{ path: string; info?: ModelInfo; error?: string } | null>(null);
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      store
        .getState()
        .modelInfo(path)
        .then(
          (info) => live && setState({ path, info }),
          (err: unknown) => live && setState({ path, error: err instanceof Error ? err.message : String(err) }),
        );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [path, store]);
  const info = state?.path === path ? state.info : undefined;
  return (
    <section className="model-info" aria-label="Model" data-testid="model-info">
      <h3>Model</h3>
      {state?.path !== path ? (
        <p className="hint">Reading {path}…</p>
      ) : state.error ? (
        <p className="field-problems warning">{state.error}</p>
      ) : info ? (
        <>
          <p className="mono">
            {info.file} · version {info.version}
          </p>
          {info.doc && <p className="model-doc">{info.doc}</p>}
          <Tensors title="Inputs" list={info.inputs} />
          <Tensors title="Outputs" list={info.outputs} />
          <dl className="model-meta">
            {info.producer && (
              <>
                <dt>producer</dt>
                <dd>{[info.producer, info.producerVersion].filter(Boolean).join(' ')}</dd>
              </>
            )}
            {info.domain && (
              <>
                <dt>domain</dt>
                <dd>{info.domain}</dd>
              </>
            )}
            {info.modelVersion > 0 && (
              <>
                <dt>model version</dt>
                <dd>{info.modelVersion}</dd>
              </>
            )}
            {Object.entries(info.metadata).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </section>
  );
}
