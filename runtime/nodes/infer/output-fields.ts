// What the infer node emits, for the field checks (runtime/format/fields.ts): the record as it
// came plus the fields the model's outputs go into.
import { closedSet, type FieldInfo, type FieldSet, unionSets } from '../../format/fields.js';

/** Fields a model adds when `outputs` is unset, by kind (null: only the model knows, e.g. an ONNX file's output names). */
function defaultOutputNames(model: any): readonly string[] | null {
  if (model?.kind === 'embeddings') return ['similar'];
  if (model?.kind !== 'http') return null;
  if (model.protocol === 'openai') return [model.mode === 'embeddings' ? 'embedding' : 'content'];
  if (model.protocol === 'mlflow') return ['predictions'];
  if (model.protocol === 'json') return ['result'];
  return null; // kserve-v2 / tf-serving: the server's output tensors
}

/** The record as it came, plus the mapped outputs (or the kind's defaults), the version and any fallback fields. */
export function inferOutputFields(params: any, input: FieldSet): FieldSet {
  const names = params.outputs ? Object.keys(params.outputs) : defaultOutputNames(params.model);
  const added: FieldInfo[] = (names ?? []).map((name) => ({ name, doc: 'model output' }));
  added.push({ name: params.versionField ?? 'modelVersion', type: 'string', doc: 'Version of the model that scored the record.' });
  for (const name of Object.keys(params.fallback ?? {})) added.push({ name, doc: 'fallback when a record cannot be scored' });
  return unionSets([input, names ? closedSet(added) : { fields: added, open: true }]);
}

