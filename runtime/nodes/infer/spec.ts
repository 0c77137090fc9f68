import { z } from 'zod';
import { duration, envString, expression, filePath } from '../../format/params.js';
import { defineNode, ERRORS_PORT } from '../spec.js';
import { inferOutputFields } from './output-fields.js';

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** Model files that must never be loaded: unpickling runs whatever code the file carries. */
export const PICKLE_EXTENSIONS = ['.pkl', '.pickle', '.joblib'] as const;

export function pickleRefusal(path: string): string | null {
  const lower = path.toLowerCase();
  if (!PICKLE_EXTENSIONS.some((e) => lower.endsWith(e))) return null;
  return `${path} is a Python pickle: loading one runs whatever code it carries, so it is never loaded. Export the model to ONNX instead — scikit-learn: skl2onnx.to_onnx(model, X[:1].astype(numpy.float32)); XGBoost/LightGBM: onnxmltools.convert_xgboost / convert_lightgbm; PyTorch: torch.onnx.export(model, example, "model.onnx") — and point model.path at the .onnx file`;
}

const modelFile = (what: string) =>
  filePath(what).superRefine((p, ctx) => {
    const refusal = pickleRefusal(p);
    if (refusal) ctx.addIssue({ code: 'custom', message: refusal });
  });

const onnx = z
  .strictObject({
    kind: z.literal('onnx'),
    path: modelFile('The `.onnx` file, relative to the pipeline\'s folder.'),
    threads: z.number().int().positive().max(64).default(1).meta({ description: 'onnxruntime intra-op threads. One is fastest on small machines (a second thread mostly adds latency spikes).' }),
    watch: z.boolean().default(true).meta({ description: 'Reload the model when its file changes (hot reload).' }),
  })
  .meta({ description: 'An ONNX model run in-process on the CPU with onnxruntime.' });

export const PROTOCOLS = ['kserve-v2', 'tf-serving', 'mlflow', 'openai', 'json'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

const http = z
  .strictObject({
    kind: z.literal('http'),
    protocol: z.enum(PROTOCOLS).meta({ description: '`kserve-v2` (Open Inference Protocol v2: Triton, KServe, MLServer), `tf-serving` (REST predict), `mlflow` (`/invocations`), `openai` (chat completions or embeddings, any compatible server), `json` (a request expression and a response path).' }),
    url: envString('Base URL of the server (`http://127.0.0.1:8000`; for `openai` the API base such as `https://api.openai.com/v1`; for `json` the full URL).'),
    name: z.string().min(1).optional().meta({ description: 'Model name (`kserve-v2`, `tf-serving`, `openai`).' }),
    version: z.string().min(1).optional().meta({ description: 'Model version to ask for (`kserve-v2`, `tf-serving`).' }),
    headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), envString('Header value.')).default({}).meta({ description: 'Extra request headers, e.g. `authorization: Bearer ${MODEL_TOKEN}`.' }),
    datatype: z.enum(['FP32', 'FP64', 'INT64', 'INT32']).default('FP32').meta({ description: '`kserve-v2`: datatype of the input tensors.' }),
    binary: z.boolean().default(false).meta({ description: '`kserve-v2`: send the input tensors and ask for the outputs in the binary tensor data extension (raw little-endian bytes after the JSON header, `Inference-Header-Content-Length`) instead of JSON numbers. Triton speaks it (check that another server does before turning it on); it saves printing and parsing every number.' }),
    layout: z.enum(['rows', 'columns']).default('rows').meta({ description: '`tf-serving`: `rows` sends `instances`, `columns` sends `inputs`. `mlflow`: `rows` sends `dataframe_split` (columns named by the feature expressions), `columns` sends `inputs` (a tensor).' }),
    mode: z.enum(['chat', 'embeddings']).default('chat').meta({ description: '`openai`: chat completions (one request per record) or embeddings (batched).' }),
    prompt: expression('`openai`: the user message (a string), or the messages (an array of `{role, content}`); for embeddings the text to embed.').optional(),
    system: z.string().optional().meta({ description: '`openai` chat: a system message sent before the prompt.' }),
    temperature: z.number().min(0).max(2).optional().meta({ description: '`openai` chat: sampling temperature.' }),
    request: expression('`json`: the request body for a record.').optional(),
    response: z.string().optional().meta({ description: '`json`: dotted path to the result in the response (`data.score`, `predictions.0`); unset: the whole response.' }),
    batched: z.boolean().default(false).meta({ description: '`json`: send up to `batchSize` records as one JSON array of request bodies; the value at `response` must then be an array with one result per record.' }),
  })
  .superRefine((m, ctx) => {
    const need = (field: keyof typeof m, protocols: readonly Protocol[]) => {
      if (protocols.includes(m.protocol) && m[field] === undefined) ctx.addIssue({ code: 'custom', message: `protocol '${m.protocol}' needs '${field}'`, path: [field] });
    };
    need('name', ['kserve-v2', 'tf-serving', 'openai']);
    need('prompt', ['openai']);
    need('request', ['json']);
  })
  .meta({ description: 'A remote model server, called asynchronously (Flink Async I/O) with micro-batches, retries and an optional cache.' });

const embeddings = z
  .strictObject({
    kind: z.literal('embeddings'),
    path: modelFile('The embeddings index, relative to the pipeline\'s folder: `.jsonl` with one `{"id", "vector"}` per line, or `.f32` (little-endian float32 rows) with the ids one per line in the file of the same name ending `.ids`.'),
    query: expression('The item id to find neighbours of (its vector is looked up in the index), or a vector (array of numbers).'),
    k: z.number().int().positive().max(1000).default(10).meta({ description: 'How many neighbours to return.' }),
    excludeQuery: z.boolean().default(true).meta({ description: 'Leave the queried item itself out of its neighbours.' }),
    watch: z.boolean().default(true).meta({ description: 'Reload the index when its file changes.' }),
  })
  .meta({ description: 'Similarity: the top-`k` items by cosine similarity to an item or vector, exact (a batched dot product over the whole index).' });

const cache = z
  .strictObject({
    key: expression('Cache key for a record (e.g. `userId`, or `concat(userId, \':\', sku)`).'),
    ttl: duration('How long a result stays in the cache.').default('1m'),
    size: z.number().int().positive().default(10_000).meta({ description: 'Most entries; the oldest goes first.' }),
  })
  .meta({ description: 'Keep results in memory by key, so a repeated input is scored once per TTL. Unset: no cache.' });

export const inferSpec = defineNode({
  type: 'infer',
  title: 'Model inference',
  category: 'model',
  doc: [
    'Scores each record with a machine-learning model and adds the results as fields: an ONNX model run in-process (`model.kind: onnx`), a remote model server (`http`), or nearest neighbours in an embeddings index (`embeddings`, "more like what you are viewing").',
    '',
    '- **Features**: `features` lists one expression (often just a field name) per column of the model\'s input; the node builds one tensor per batch of up to `batchSize` records (one model call per batch, never one per record). A model with several inputs takes `inputs` instead: input name → its feature expressions. A feature that is not a finite number (or boolean) sends its record to `errors`, naming the feature.',
    '- **Outputs**: `outputs` maps a record field to a model output: `"label"`, `"probabilities[1]"` (an element of the output\'s row, or a class of a classifier\'s ZipMap, `probabilities[yes]` for string classes), `"result.score"` (a field of an object result). Unset: every output goes into a field of its own name (a one-element row as a number, a ZipMap as an object). scikit-learn classifiers exported with skl2onnx name theirs `output_label` and `output_probability`.',
    '- **Output names** by kind: ONNX outputs by their names in the model; `kserve-v2` the response\'s output tensors; `tf-serving` `predictions` (or the named outputs of a multi-output model); `mlflow` `predictions`; `openai` `content` (chat) or `embedding`; `json` `result`. With `features`, `kserve-v2` and `tf-serving` (`columns`) send the tensor as the input named `input`.',
    '- **Model version**: every output record carries the version that scored it in `versionField`: the first 12 hex digits of the model file\'s SHA-256, or the version a server reports (`model_version` in kserve-v2, `model` in openai; else `model.version`, else `http`).',
    '- **Hot reload** (`watch`): when the file changes, the new model loads and warms up beside the old one and takes over between batches, so no record is lost, scored twice or scored half by each. A file that fails to load leaves the old model serving; the console and the node\'s `reloadFailures` figure say why.',
    '- **Remote servers** (`http`) are called as Flink\'s Async I/O: at most `capacity` records held (in flight or waiting to leave in order), `ordered` or not (records never pass a watermark), records gathered into requests of up to `batchSize` (waiting at most `linger` for a request to fill), at most `concurrency` requests in flight, a failed request (network error, HTTP 408/429/5xx) retried up to `retries` times with exponential backoff from `backoff`, and `timeout` covering a record\'s whole wait from the moment the node hands it to the model call (Flink\'s `asyncInvoke`): the `linger`, waiting for a free connection behind `concurrency`, the request and its retries. Waiting for `capacity` does not count (the sources pause instead, as Flink\'s operator blocks its input). So that records do not wait behind other requests, let `capacity` fit in `concurrency` requests of `batchSize` (10,000 records: `batchSize` 2,500, `concurrency` 4). `cache` keeps results by key. Secrets go in `${VAR}` references (headers, URL) and never appear in messages.',
    '- **Failures**: a record that cannot be scored (timeout, server error, bad feature, wrong input shape) goes to `errors` with the reason — or, with `fallback`, leaves on `out` with the fallback fields instead (and `versionField` null). Without an edge from `errors` it fails the run.',
    '- **Pickles are refused**: `.pkl` / `.joblib` files run arbitrary code when loaded. Export to ONNX: scikit-learn `skl2onnx.to_onnx(model, X[:1].astype(numpy.float32), options={id(model): {"zipmap": True}})`; XGBoost / LightGBM `onnxmltools.convert_xgboost(model, initial_types=[("input", FloatTensorType([None, n]))])` (`convert_lightgbm` alike); PyTorch `torch.onnx.export(model, torch.randn(1, n), "model.onnx", input_names=["input"], dynamic_axes={"input": {0: "batch"}})`.',
    '- **Embeddings**: the index holds unit-normalised vectors; a batch of queries is one matrix product against it, exact (no approximate index) — about 1M items × 64 dimensions fits. Outputs are `neighbours` (`[{id, score}]`, best first), `ids` and `scores`; unset `outputs` gives `{similar: neighbours}`.',
    '- **On Flink** (`tributary flink …`): `http` runs as Flink\'s Async I/O (`AsyncDataStream.orderedWait` / `unorderedWait` per `ordered`, with `capacity` and `timeout`), the records gathered into requests of up to `batchSize` inside the async function with the same `linger`, `concurrency`, retries, backoff, protocols, `cache`, `fallback` and `errors` records; `onnx` runs in the operator on ONNX Runtime for Java, one session per parallel instance, in batches of up to `batchSize` that run when full, after `linger`, and before a watermark, a checkpoint or the end of the input pass. The model file travels inside the compiled pipeline and the job, so `watch` does not reload it there (submit the job again to take a new model), and `timeout` does not apply to it. `embeddings` models are not translated yet: such a pipeline is refused, naming the node, before anything is submitted.',
  ].join('\n'),
  params: z
    .strictObject({
      model: z.discriminatedUnion('kind', [onnx, http, embeddings]).meta({ description: 'The model: `onnx` {path}, `http` {protocol, url, name?}, `embeddings` {path, query, k}.' }),
      features: z.array(expression('A feature: an expression over the record, often a field name.')).min(1).optional().meta({ description: 'Feature expressions of the model\'s (first) input, one per column.' }),
      inputs: z.record(z.string().min(1), z.array(expression('A feature: an expression over the record.')).min(1)).optional().meta({ description: 'For models with several inputs: input name → its feature expressions. Instead of `features`.' }),
      outputs: z.record(z.string().regex(IDENT, 'output fields must be identifiers'), z.string().min(1)).optional().meta({ description: 'Record field → model output (`label`, `probabilities[1]`, `result.score`). Unset: each output into a field of its own name.' }),
      versionField: z.string().regex(IDENT).default('modelVersion').meta({ description: 'Field for the version of the model that scored the record.' }),
      batchSize: z.number().int().positive().max(65_536).default(1024).meta({ description: 'Most records per model call (ONNX run, or HTTP request).' }),
      linger: duration('`http`: how long a request waits to fill up before it is sent anyway (on Flink also how long an `onnx` batch waits).').default('2ms'),
      capacity: z.number().int().positive().default(10_000).meta({ description: 'Most records held: being scored, or done and waiting to leave in order (Flink\'s async capacity); when full the sources pause.' }),
      concurrency: z.number().int().positive().default(4).meta({ description: '`http`: most requests in flight.' }),
      timeout: duration('How long a record may wait for its result before it fails: from when the node hands it to the model (linger, waiting for a connection, the request, retries), not the wait for capacity.').default('5s'),
      retries: z.number().int().nonnegative().default(3).meta({ description: '`http`: retries of a failed request.' }),
      backoff: duration('`http`: wait before the first retry; doubles each time.').default('50ms'),
      ordered: z.boolean().default(true).meta({ description: 'Keep the input order (else a record leaves as soon as it is scored, but never across a watermark).' }),
      cache: cache.optional(),
      fallback: z.record(z.string().regex(IDENT), z.union([z.number(), z.string(), z.null()])).optional().meta({ description: 'Fields to set when a record cannot be scored; it then leaves on `out` instead of going to `errors`.' }),
    })
    .superRefine((p, ctx) => {
      if (p.features !== undefined && p.inputs !== undefined) ctx.addIssue({ code: 'custom', message: "give either 'features' or 'inputs', not both", path: ['inputs'] });
      const needsFeatures = p.model.kind === 'onnx' || (p.model.kind === 'http' && ['kserve-v2', 'tf-serving', 'mlflow'].includes(p.model.protocol));
      if (needsFeatures && p.features === undefined && p.inputs === undefined) ctx.addIssue({ code: 'custom', message: "this model needs 'features' (or 'inputs')", path: ['features'] });
    }),
  inputs: [{ name: 'in', doc: 'Records to score.' }],
  outputs: [{ name: 'out', doc: 'Records with the model\'s outputs and `versionField` added.' }, ERRORS_PORT],
  keyed: 'none',
  keyOutput: 'preserve',
  outputFields: ({ params, input }) => inferOutputFields(params, input),
  flinkExport: true,
  example: {
    model: { kind: 'onnx', path: 'models/churn.onnx' },
    features: ['sessions', 'views', 'carts', 'purchases', 'daysSinceLastVisit'],
    outputs: { churnScore: 'output_probability[1]' },
  },
});

export type InferParams = z.output<typeof inferSpec.params>;
